"""The delete confirmation page: what goes with the object, what blocks it, then the delete.

GET only reads (a preview of a few statements, whatever the size of the graph). POST with
`post=yes` (Django's parameter) re-checks the blockers, writes the audit record, deletes,
flushes and commits, and only then says "deleted successfully".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.audit import entity_id
from shop.admin.deletion import collect
from shop.admin.lookup import get_object
from shop.admin.urls import add_preserved_filters, model_url, object_url, preserved_filters

if TYPE_CHECKING:
    from shop.admin.deletion import Preview
    from shop.admin.options import ModelAdmin

RACE_ERROR = (
    "Nothing was deleted: the database refused because related objects were added or the "
    "{name} was changed in the meantime. Review the objects below and try again."
)


def delete_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    obj = get_object(request, model_admin, object_id)
    if not model_admin.has_delete_permission(request, obj):
        raise PermissionDenied
    if obj is None:
        raise Http404(f"No {model_admin.verbose_name} with this ID.")
    if request.method == "POST" and request.POST.get("post") == "yes":
        return _delete(request, model_admin, obj)
    return _render(request, model_admin, obj, collect(request.db, request, model_admin, obj))


def _delete(request: HttpRequest, model_admin: ModelAdmin, obj: Any) -> HttpResponse:
    session = request.db  # type: ignore[attr-defined]
    preview = collect(session, request, model_admin, obj, rows=False)
    if preview.perms_needed and not preview.protected:
        raise PermissionDenied  # as Django: the page said so, a forged POST gets 403
    if preview.refused:
        return _render(request, model_admin, obj, collect(session, request, model_admin, obj))
    obj_display = str(obj)
    try:
        _log_deletion(request, model_admin, obj, preview)
        session.delete(obj)
        session.flush()
        session.commit()
    except (IntegrityError, StaleDataError):
        # A blocker appeared (or the row changed) since the preview: nothing stays.
        session.rollback()
        return _refused_meanwhile(request, model_admin, obj)
    messages.success(
        request, f"The {model_admin.verbose_name} “{obj_display}” was deleted successfully."
    )
    return HttpResponseRedirect(_post_delete_url(request, model_admin))


def _log_deletion(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, preview: Preview
) -> None:
    """The audit record (with the cascaded counts), in the delete's own transaction."""
    audit = model_admin.admin_site.audit_log
    if audit is None:
        return
    session = request.db  # type: ignore[attr-defined]
    actor = request.user.get_username()
    record = audit.log_deletion(session, actor, model_admin, obj)
    session.add_all(
        audit.detail_model(audit_id=record.id, field=field, old_value=old, new_value=new)
        for field, old, new in preview.audit_changes()
    )


def _refused_meanwhile(request: HttpRequest, model_admin: ModelAdmin, obj: Any) -> HttpResponse:
    session = request.db  # type: ignore[attr-defined]
    current = get_object(request, model_admin, entity_id(obj))
    if current is None:
        raise Http404(f"No {model_admin.verbose_name} with this ID.")
    preview = collect(session, request, model_admin, current)
    error = RACE_ERROR.format(name=model_admin.verbose_name)
    return _render(request, model_admin, current, preview, error=error, status=409)


def _render(
    request: HttpRequest,
    model_admin: ModelAdmin,
    obj: Any,
    preview: Preview,
    *,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    site = model_admin.admin_site
    object_name = model_admin.verbose_name
    title = f"Cannot delete {object_name}" if preview.refused else "Delete"
    context = {
        **site.each_context(request),
        **object_context(request, model_admin, obj),
        "title": title,
        "object_name": object_name,
        "preview": preview,
        "error": error,
    }
    template = model_admin.template_names("delete_confirmation.html")
    return TemplateResponse(request, template, context, status=status)


def object_context(request: HttpRequest, model_admin: ModelAdmin, obj: Any) -> dict[str, Any]:
    """Names and links the object pages' breadcrumbs need."""
    filters = preserved_filters(request, model_admin)
    change_url = object_url(model_admin, obj)
    return {
        "opts": model_admin,
        "object": obj,
        "app_name": model_admin.admin_site.app_name(model_admin.app_label),
        "changelist_url": model_url(model_admin, "changelist"),
        "change_url": change_url,
        "back_url": add_preserved_filters(change_url, filters),
    }


def _post_delete_url(request: HttpRequest, model_admin: ModelAdmin) -> str:
    current_app = model_admin.admin_site.name
    if not model_admin.has_view_permission(request):
        return reverse("admin:index", current_app=current_app)
    filters = preserved_filters(request, model_admin)
    return add_preserved_filters(model_url(model_admin, "changelist"), filters, to_changelist=True)
