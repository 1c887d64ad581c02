"""The app list (domains and their models) shown by the index, the app index and the sidebar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from sqlalchemy.orm import Session

from shop.admin.changelist.pagination import Count, table_counts
from shop.admin.options import ModelAdmin

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite


@dataclass
class ModelEntry:
    model_admin: ModelAdmin
    name: str
    object_name: str
    model_name: str
    perms: dict[str, bool]
    admin_url: str | None = None
    add_url: str | None = None
    rows: Count | None = None

    @property
    def count(self) -> int | None:
        return None if self.rows is None else self.rows.value

    @property
    def count_display(self) -> str:
        return "" if self.rows is None else self.rows.display


@dataclass
class AppEntry:
    app_label: str
    name: str
    app_url: str
    models: list[ModelEntry] = field(default_factory=list)


def _optional_url(name: str, site: AdminSite) -> str | None:
    # Changelist and add pages arrive in later issues; until a page exists, no link.
    try:
        return reverse(name, current_app=site.name)
    except NoReverseMatch:
        return None


def _model_entry(site: AdminSite, model_admin: ModelAdmin, request: HttpRequest) -> ModelEntry:
    perms = model_admin.get_model_perms(request)
    info = f"admin:{model_admin.app_label}_{model_admin.model_name}"
    return ModelEntry(
        model_admin=model_admin,
        name=capfirst(model_admin.verbose_name_plural),
        object_name=model_admin.object_name,
        model_name=model_admin.model_name,
        perms=perms,
        admin_url=_optional_url(f"{info}_changelist", site),
        add_url=_optional_url(f"{info}_add", site) if perms["add"] else None,
    )


def build_app_list(
    site: AdminSite, request: HttpRequest, app_label: str | None = None
) -> list[AppEntry]:
    """Apps sorted by name, each with the models the user may view, sorted by name.

    Only viewable models are listed: the index shows row counts, which are data too.
    """
    apps: dict[str, AppEntry] = {}
    for model_admin in site.model_admins(app_label):
        if not model_admin.has_module_permission(request):
            continue
        if not model_admin.has_view_permission(request):
            continue
        label = model_admin.app_label
        if label not in apps:
            url = reverse("admin:app_list", kwargs={"app_label": label}, current_app=site.name)
            apps[label] = AppEntry(label, site.app_name(label), url)
        apps[label].models.append(_model_entry(site, model_admin, request))
    app_list = sorted(apps.values(), key=lambda app: app.name.lower())
    for app in app_list:
        app.models.sort(key=lambda entry: entry.name.lower())
    return app_list


# Tables past this many rows show PostgreSQL's estimate ("about 1,000,000") or "10,000+":
# the index never counts a big table to the end.
INDEX_COUNT_CAP = 10_000


def add_counts(session: Session, app_list: list[AppEntry]) -> None:
    """Fill in the row count of every model of `app_list`, in one statement."""
    entries = [entry for app in app_list for entry in app.models]
    counts = table_counts(session, [entry.model_admin for entry in entries], INDEX_COUNT_CAP)
    for entry, count in zip(entries, counts, strict=True):
        entry.rows = count
