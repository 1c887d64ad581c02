"""The history page of one object: its audit records, newest first, with old -> new values.

Better than Django's in two ways: every record shows its field-level values, and the page
still works after the object was deleted (its audit trail outlives it). Query budget: the
object, one COUNT, one page of records and one IN query for all their details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, raiseload

from shop.admin.audit import entity_id
from shop.admin.lookup import get_object, parse_pk
from shop.admin.views.delete import object_context

if TYPE_CHECKING:
    from shop.admin.audit import AuditLog
    from shop.admin.options import ModelAdmin

PER_PAGE = 50
ACTION_LABELS = {"add": "Added", "change": "Changed", "delete": "Deleted"}


@dataclass
class Entry:
    record: Any
    url: str | None
    details: list[Any] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.record.action, self.record.action)


class _Records:
    """What Django's Paginator needs: a count() and slicing, each one query."""

    def __init__(self, session: Session, audit: AuditLog, entity: str, key: str) -> None:
        record = audit.record_model
        self.session = session
        self.model = record
        self.where = (record.entity == entity, record.entity_id == key)  # type: ignore[attr-defined]

    def count(self) -> int:
        statement: Any = select(func.count()).select_from(self.model).where(*self.where)
        return int(self.session.scalar(statement) or 0)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            raise TypeError("records are read a page at a time")
        start, stop = index.start or 0, index.stop or 0
        if stop <= start:
            return []
        record = self.model
        statement: Any = (
            select(record)
            .where(*self.where)
            .order_by(record.created_at.desc(), record.id.desc())  # type: ignore[attr-defined]
            .offset(start)
            .limit(stop - start)
            .options(raiseload("*"))
        )
        return list(self.session.scalars(statement))


def history_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    key = parse_pk(model_admin, object_id)
    obj = get_object(request, model_admin, object_id) if key is not None else None
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    audit = model_admin.admin_site.audit_log
    if key is None or (audit is None and obj is None):
        raise Http404(f"No {model_admin.verbose_name} with this ID.")
    entity = f"{model_admin.app_label}.{model_admin.model_name}"
    text_key = entity_id(obj) if obj is not None else ",".join(str(part) for part in key)
    page = None
    if audit is not None:
        records = _Records(request.db, audit, entity, text_key)  # type: ignore[attr-defined]
        page = Paginator(records, PER_PAGE).get_page(request.GET.get("p"))
    if obj is None and (page is None or not page.paginator.count):
        raise Http404(f"No {model_admin.verbose_name} with this ID, and no history of one.")
    return _render(request, model_admin, obj, page, audit)


def _render(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, page: Any, audit: AuditLog | None
) -> HttpResponse:
    entries = _entries(request, model_admin, audit, list(page.object_list)) if page else []
    label = str(obj) if obj is not None else entries[0].record.entity_repr
    context = {
        **model_admin.admin_site.each_context(request),
        **_object_links(request, model_admin, obj),
        "title": f"Change history: {label}",
        "object_label": label,
        "entries": entries,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number) if page else [],
        "exists": obj is not None,
    }
    template = model_admin.template_names("object_history.html")
    return TemplateResponse(request, template, context)


def _object_links(request: HttpRequest, model_admin: ModelAdmin, obj: Any) -> dict[str, Any]:
    if obj is not None:
        return object_context(request, model_admin, obj)
    current_app = model_admin.admin_site.name
    return {
        "opts": model_admin,
        "app_name": model_admin.admin_site.app_name(model_admin.app_label),
        "changelist_url": reverse(
            f"admin:{model_admin.url_prefix}_changelist", current_app=current_app
        ),
    }


def _entries(
    request: HttpRequest, model_admin: ModelAdmin, audit: AuditLog | None, records: list[Any]
) -> list[Entry]:
    """The page's records with their details, loaded in ONE extra query."""
    if audit is None or not records:
        return []
    detail = audit.detail_model
    statement: Any = (
        select(detail)
        .where(detail.audit_id.in_([record.id for record in records]))  # type: ignore[attr-defined]
        .order_by(detail.id)  # type: ignore[attr-defined]
        .options(raiseload("*"))
    )
    by_record: dict[Any, list[Any]] = {}
    for row in request.db.scalars(statement):  # type: ignore[attr-defined]
        by_record.setdefault(row.audit_id, []).append(row)
    record_url = _record_url_maker(request, model_admin, audit)
    return [Entry(record, record_url(record), by_record.get(record.id, [])) for record in records]


def _record_url_maker(request: HttpRequest, model_admin: ModelAdmin, audit: AuditLog) -> Any:
    """Links to each record's own page in the audit log, when the user may see it."""
    site = model_admin.admin_site
    if not site.is_registered(audit.record_model):
        return lambda record: None
    record_admin = site.get_model_admin(audit.record_model)
    if not record_admin.has_view_permission(request):
        return lambda record: None
    name = f"admin:{record_admin.url_prefix}_change"

    def url(record: Any) -> str | None:
        try:
            return reverse(name, args=[entity_id(record)], current_app=site.name)
        except NoReverseMatch:
            return None

    return url
