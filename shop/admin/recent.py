"""The index's "Recent actions" box: the current user's latest audit records, in ONE query.

Links go to the change page by URL alone (no query per row): if the object was deleted
since, its change page answers 404. Deletions get no link, as in Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from sqlalchemy import select
from sqlalchemy.orm import raiseload

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin
    from shop.admin.sites import AdminSite

RECENT_ACTIONS = 10
# Django's CSS classes and screen-reader prefixes for the three kinds of entry.
KINDS = {
    "add": ("addlink", "Added"),
    "change": ("changelink", "Changed"),
    "delete": ("deletelink", "Deleted"),
}


@dataclass(frozen=True)
class RecentAction:
    action: str
    css_class: str
    action_label: str
    label: str  # the object's repr when the record was written
    type_name: str  # "Pet", or the raw entity when that model is not registered
    url: str | None


def recent_actions(
    request: HttpRequest, site: AdminSite, limit: int = RECENT_ACTIONS
) -> list[RecentAction]:
    """The latest records written by this user ("My actions"), newest first."""
    audit = site.audit_log
    if audit is None:
        return []
    record = audit.record_model
    statement: Any = (
        select(record)
        .where(record.actor == request.user.get_username())  # type: ignore[attr-defined]
        .order_by(record.created_at.desc(), record.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
        .options(raiseload("*"))
    )
    admins = {f"{a.app_label}.{a.model_name}": a for a in site.model_admins()}
    rows = request.db.scalars(statement)  # type: ignore[attr-defined]
    return [_entry(request, site, admins.get(row.entity), row) for row in rows]


def _entry(
    request: HttpRequest, site: AdminSite, model_admin: ModelAdmin | None, row: Any
) -> RecentAction:
    css_class, action_label = KINDS.get(row.action, ("", capfirst(row.action)))
    type_name = capfirst(model_admin.verbose_name) if model_admin else row.entity
    url = None
    if (
        model_admin is not None
        and row.action != "delete"
        and row.entity_id
        and model_admin.has_view_permission(request)
    ):
        url = _change_url(site, model_admin, row.entity_id)
    return RecentAction(row.action, css_class, action_label, row.entity_repr, type_name, url)


def _change_url(site: AdminSite, model_admin: ModelAdmin, key: str) -> str | None:
    try:
        name = f"admin:{model_admin.url_prefix}_change"
        return reverse(name, args=[key], current_app=site.name)
    except NoReverseMatch:
        return None
