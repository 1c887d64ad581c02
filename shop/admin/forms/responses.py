"""After a successful save: Django admin's success messages and redirects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from shop.admin.urls import (  # re-exported: the change views import them from here
    FILTERS_PARAM,
    add_preserved_filters,
    model_url,
    object_url,
    preserved_filters,
)

__all__ = ["FILTERS_PARAM", "add_preserved_filters", "model_url", "object_url", "preserved_filters"]

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def _message_names(request: HttpRequest, model_admin: ModelAdmin, obj: Any) -> dict[str, Any]:
    shown: Any = str(obj)
    if model_admin.has_view_permission(request, obj):
        shown = format_html('<a href="{}">{}</a>', object_url(model_admin, obj), obj)
    return {"name": model_admin.verbose_name, "obj": shown}


def _success(request: HttpRequest, text: str, names: dict[str, Any]) -> None:
    messages.success(request, format_html(text, **names))


def response_add(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, filters: str
) -> HttpResponse:
    """Where Django admin goes after adding: by button, with its message."""
    names = _message_names(request, model_admin, obj)
    post = request.POST
    continue_editing = "_continue" in post or (
        "_saveasnew" in post
        and model_admin.save_as_continue
        and model_admin.has_change_permission(request, obj)
    )
    if continue_editing:
        text = "The {name} “{obj}” was added successfully."
        if model_admin.has_change_permission(request, obj):
            text += " You may edit it again below."
        _success(request, text, names)
        return _redirect(object_url(model_admin, obj), filters)
    if "_addanother" in post:
        text = "The {name} “{obj}” was added successfully. You may add another {name} below."
        _success(request, text, names)
        return _redirect(request.path, filters)
    _success(request, "The {name} “{obj}” was added successfully.", names)
    return post_save_redirect(request, model_admin, filters)


def response_change(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, filters: str
) -> HttpResponse:
    """Where Django admin goes after changing: by button, with its message."""
    names = _message_names(request, model_admin, obj)
    if "_continue" in request.POST:
        text = "The {name} “{obj}” was changed successfully. You may edit it again below."
        _success(request, text, names)
        return _redirect(request.path, filters)
    if "_addanother" in request.POST:
        text = "The {name} “{obj}” was changed successfully. You may add another {name} below."
        _success(request, text, names)
        return _redirect(model_url(model_admin, "add"), filters)
    _success(request, "The {name} “{obj}” was changed successfully.", names)
    return post_save_redirect(request, model_admin, filters)


def post_save_redirect(request: HttpRequest, model_admin: ModelAdmin, filters: str) -> HttpResponse:
    """Back to the (filtered) changelist, or the index for a user who may not view it."""
    if model_admin.has_view_permission(request):
        url = model_url(model_admin, "changelist")
        return HttpResponseRedirect(add_preserved_filters(url, filters, to_changelist=True))
    return HttpResponseRedirect(reverse("admin:index", current_app=model_admin.admin_site.name))


def _redirect(url: str, filters: str) -> HttpResponse:
    return HttpResponseRedirect(add_preserved_filters(url, filters))
