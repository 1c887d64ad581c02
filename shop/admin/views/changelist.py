"""The changelist page: `/admin/<app>/<model>/`, Django admin's list view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from shop.admin.changelist import ERROR_FLAG, ChangeList, IncorrectLookupParameters

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def changelist_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """List, search, filter, sort and page the model's rows (view permission required)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        cl = ChangeList(request, model_admin)
    except IncorrectLookupParameters:
        # As in Django: bad parameters send the user to the bare list with `?e=1`. There
        # (unlike Django's "Database error" page) the list shows, with a note, without them.
        if ERROR_FLAG not in request.GET:
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        cl = ChangeList(request, model_admin, ignore_params=True)
    return TemplateResponse(
        request, model_admin.template_names("change_list.html"), _context(request, cl)
    )


def _context(request: HttpRequest, cl: ChangeList) -> dict[str, Any]:
    model_admin = cl.model_admin
    site = model_admin.admin_site
    add_url = None
    if model_admin.has_add_permission(request):
        add_url = reverse(f"admin:{model_admin.url_prefix}_add", current_app=site.name)
        if cl.preserved_filters:
            add_url = f"{add_url}?{cl.preserved_filters}"
    return {
        **site.each_context(request),
        "cl": cl,
        "opts": model_admin,
        "title": cl.title,
        "app_label": model_admin.app_label,
        "app_name": site.app_name(model_admin.app_label),
        "add_url": add_url,
        "search_var": "q",
    }
