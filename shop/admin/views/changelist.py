"""The changelist page: `/admin/<app>/<model>/`, Django admin's list view.

A POST is an action (Django's `action`, `_selected_action`, `select_across`, `index`,
run over the list's filtered, searched and row-scoped query) or a list_editable save
(`_save` with the `form-N-...` formset); anything else shows the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from shop.admin.actions.base import action_choices
from shop.admin.actions.dispatch import NO_ACTION, is_action_post, response_action
from shop.admin.changelist import ERROR_FLAG, ChangeList, IncorrectLookupParameters
from shop.admin.changelist.editable import EditableList, blank_list, posted_list, save_list
from shop.admin.changelist.rows import build_rows, row_versions, version_inputs

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def changelist_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """List, search, filter, sort and page the model's rows (view permission required)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    cl = _changelist(request, model_admin)
    if isinstance(cl, HttpResponse):
        return cl
    if is_action_post(request):
        return _action(request, cl)
    editable = None
    saving = request.method == "POST" and "_save" in request.POST
    if model_admin.list_editable and model_admin.has_change_permission(request):
        if saving:
            editable = posted_list(request, model_admin)
            saved = save_list(request, model_admin, editable)
            if saved is not None:
                return _saved(request, model_admin, saved)
            # A refused save rolled back, which expired the rows shown: read the page again.
            cl = _changelist(request, model_admin)
            if isinstance(cl, HttpResponse):
                return cl
        else:
            editable = blank_list(request, model_admin)
    elif saving and model_admin.list_editable:
        raise PermissionDenied
    return TemplateResponse(
        request,
        model_admin.template_names("change_list.html"),
        _context(request, cl, editable),
    )


def _changelist(request: HttpRequest, model_admin: ModelAdmin) -> ChangeList | HttpResponse:
    try:
        return ChangeList(request, model_admin)
    except IncorrectLookupParameters:
        # As in Django: bad parameters send the user to the bare list with `?e=1`. There
        # (unlike Django's "Database error" page) the list shows, with a note, without them.
        if ERROR_FLAG not in request.GET:
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return ChangeList(request, model_admin, ignore_params=True)


def _action(request: HttpRequest, cl: ChangeList) -> HttpResponse:
    model_admin = cl.model_admin
    actions = model_admin.get_actions(request)
    back_url = request.get_full_path()
    if not actions:
        messages.warning(request, NO_ACTION)
        return HttpResponseRedirect(back_url)
    return response_action(request, model_admin, cl.filtered, actions=actions, back_url=back_url)


def _saved(request: HttpRequest, model_admin: ModelAdmin, count: int) -> HttpResponse:
    if count:
        name = model_admin.verbose_name if count == 1 else model_admin.verbose_name_plural
        verb = "was" if count == 1 else "were"
        messages.success(request, f"{count} {name} {verb} changed successfully.")
    return HttpResponseRedirect(request.get_full_path())


def _context(request: HttpRequest, cl: ChangeList, editable: EditableList | None) -> dict[str, Any]:
    model_admin = cl.model_admin
    site = model_admin.admin_site
    add_url = None
    if model_admin.has_add_permission(request):
        add_url = reverse(f"admin:{model_admin.url_prefix}_add", current_app=site.name)
        if cl.preserved_filters:
            add_url = f"{add_url}?{cl.preserved_filters}"
    actions = _actions_context(request, cl, len(cl.results))
    rows = build_rows(cl, editable, selectable=bool(actions["action_choices"]))
    return {
        **site.each_context(request),
        "cl": cl,
        "opts": model_admin,
        "title": cl.title,
        "app_label": model_admin.app_label,
        "app_name": site.app_name(model_admin.app_label),
        "add_url": add_url,
        "search_var": "q",
        "rows": rows,
        "editable": editable,
        **actions,
        "version_inputs": version_inputs(actions.get("row_versions", [])),
    }


def _actions_context(request: HttpRequest, cl: ChangeList, shown: int) -> dict[str, Any]:
    """The action bar: choices, where it shows, and Django's selection counter texts."""
    model_admin = cl.model_admin
    actions = model_admin.get_actions(request) if cl.results else {}
    if not actions:
        return {"action_choices": None}
    exact = cl.pagination.result_count.exact
    plural = model_admin.verbose_name_plural
    return {
        "action_choices": action_choices(actions),
        "actions_on_top": model_admin.actions_on_top,
        "actions_on_bottom": model_admin.actions_on_bottom,
        "actions_selection_counter": model_admin.actions_selection_counter,
        "selection_note": f"0 of {shown} selected",
        "selection_note_all": f"All {exact} selected" if exact is not None else "All selected",
        "select_all_text": f"Select all {exact} {plural}" if exact else f"Select all {plural}",
        "offer_across": cl.pagination.multi_page,
        "module_name": plural,
        "row_versions": row_versions(cl),
    }
