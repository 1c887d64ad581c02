"""The add and change pages, with Django admin's buttons, messages and permissions.

A POST is saved in one transaction (values, audit rows, commit) before the success
message is added; a refusal by the database becomes a form error with the user's input
kept, never a 500. A user who may view but not change gets a read-only page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from sqlalchemy.orm import Session

from shop.admin.audit import entity_id
from shop.admin.forms.conflict import annotate, is_conflict, reload, take_current_versions
from shop.admin.forms.factory import AdminModelForm, FormLayout, build_layout
from shop.admin.forms.layout import fieldset_views
from shop.admin.forms.responses import (
    FILTERS_PARAM,
    add_preserved_filters,
    model_url,
    object_url,
    preserved_filters,
    response_add,
    response_change,
)
from shop.admin.forms.save import save_object
from shop.admin.inlines.build import build_formsets
from shop.admin.inlines.display import inline_views
from shop.admin.inlines.formsets import InlineFormSet
from shop.admin.lookup import get_object

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

METHODS = ("GET", "HEAD", "POST")
Forms = tuple[AdminModelForm, list[InlineFormSet]]


def add_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    return changeform_view(request, model_admin, None)


def change_view(request: HttpRequest, model_admin: ModelAdmin, object_id: str) -> HttpResponse:
    return changeform_view(request, model_admin, object_id)


def _db(request: HttpRequest) -> Session:
    return request.db  # type: ignore[attr-defined, no-any-return]


def does_not_exist_redirect(
    request: HttpRequest, model_admin: ModelAdmin, object_id: str
) -> HttpResponse:
    """Django's answer to an unknown id: a warning, and back to the admin index."""
    messages.warning(
        request,
        f"{model_admin.verbose_name} with ID “{object_id}” doesn’t exist. Perhaps it was deleted?",
    )
    return HttpResponseRedirect(reverse("admin:index", current_app=model_admin.admin_site.name))


def changeform_view(
    request: HttpRequest, model_admin: ModelAdmin, object_id: str | None
) -> HttpResponse:
    if request.method not in METHODS:
        return HttpResponseNotAllowed(METHODS)
    save_as_new = request.method == "POST" and "_saveasnew" in request.POST
    if save_as_new:
        if object_id is None or not model_admin.save_as:
            raise BadRequest("“Save as new” is not available here.")
        object_id = None  # as in Django: a new object made from the posted values
    obj = None
    if object_id is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
    else:
        obj = get_object(request, model_admin, object_id)
        allowed = (
            model_admin.has_change_permission(request, obj)
            if request.method == "POST"
            else model_admin.has_view_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        if obj is None:
            return does_not_exist_redirect(request, model_admin, object_id)
    return _form_page(request, model_admin, obj, save_as_new=save_as_new)


def _form_page(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, *, save_as_new: bool
) -> HttpResponse:
    add = obj is None
    editable = add or model_admin.has_change_permission(request, obj)
    layout = build_layout(request, model_admin, obj, editable=editable)
    filters = preserved_filters(request, model_admin)
    if request.method == "POST":
        posted = _post(request, model_admin, layout, obj, save_as_new=save_as_new)
        if isinstance(posted, HttpResponse):
            return posted
        form, formsets = posted
    else:
        initial = layout.initial(obj, _initial_from_query(request, layout) if add else None)
        form = layout.form_class(session=_db(request), instance=obj, initial=initial)
        formsets = build_formsets(request, model_admin, obj, editable=editable)
    context = _context(request, model_admin, layout, (form, formsets), obj, filters)
    if save_as_new:
        # As in Django: after a failed "Save as new" only that button is offered again,
        # so that no other button can change the original.
        context.update(
            change=True, show_save=False, show_save_and_continue=False,
            show_save_and_add_another=False, show_save_as_new=True,
        )  # fmt: skip
    return TemplateResponse(request, model_admin.template_names("change_form.html"), context)


def _post(
    request: HttpRequest,
    model_admin: ModelAdmin,
    layout: FormLayout,
    obj: Any,
    *,
    save_as_new: bool,
) -> HttpResponse | Forms:
    """Save the object and its inline rows in one transaction, or the forms to show again."""
    add = obj is None
    form, formsets = _bind(request, model_admin, layout, obj, request.POST, save_as_new)
    if _all_valid(form, formsets):
        target = model_admin.model() if add else obj
        if save_object(request, model_admin, form, target, add=add, inlines=formsets):
            filters = preserved_filters(request, model_admin)
            if add:
                return response_add(request, model_admin, target, filters)
            return response_change(request, model_admin, target, filters)
    if not add and is_conflict(form, formsets):
        return _conflict(request, model_admin, layout, obj)
    return form, formsets


def _bind(
    request: HttpRequest,
    model_admin: ModelAdmin,
    layout: FormLayout,
    obj: Any,
    data: Any,
    save_as_new: bool,
) -> Forms:
    # Initial values are the current ones: a field counts as changed only if the
    # input differs from what the database holds now.
    initial = layout.initial(obj) if obj is not None else None
    form = layout.form_class(data, session=_db(request), instance=obj, initial=initial)
    formsets = build_formsets(request, model_admin, obj, data=data, save_as_new=save_as_new)
    return form, formsets


def _all_valid(form: AdminModelForm, formsets: list[InlineFormSet]) -> bool:
    # Every form is validated, so that the page shows all of its errors at once.
    return all([form.is_valid(), *(formset.is_valid() for formset in formsets)])


def _conflict(
    request: HttpRequest, model_admin: ModelAdmin, layout: FormLayout, obj: Any
) -> HttpResponse | Forms:
    """Someone else saved first: the user's input again, beside the current values."""
    object_id = entity_id(obj)
    if not reload(_db(request), obj):  # deleted meanwhile
        return does_not_exist_redirect(request, model_admin, object_id)
    data = request.POST.copy()
    form, formsets = _bind(request, model_admin, layout, obj, data, save_as_new=False)
    stale = take_current_versions(data, form, obj, formsets)
    _all_valid(form, formsets)
    annotate(request, model_admin, form, obj, stale, formsets)
    return form, formsets


def _initial_from_query(request: HttpRequest, layout: FormLayout) -> dict[str, Any]:
    """Django's add-page initial values from the query string (`?status=paid`)."""
    fields = layout.form_class.base_fields
    return {
        key: value for key, value in request.GET.items() if key in fields and key != FILTERS_PARAM
    }


def _context(
    request: HttpRequest,
    model_admin: ModelAdmin,
    layout: FormLayout,
    forms: Forms,
    obj: Any,
    filters: str,
) -> dict[str, Any]:
    add = obj is None
    form, formsets = forms
    perms = {
        "has_add_permission": model_admin.has_add_permission(request),
        "has_change_permission": model_admin.has_change_permission(request, obj),
        "has_view_permission": model_admin.has_view_permission(request, obj),
        "has_delete_permission": model_admin.has_delete_permission(request, obj),
    }
    verb = "Add" if add else ("Change" if perms["has_change_permission"] else "View")
    # A page where every field is read-only (an order placed at checkout) offers Close,
    # not a Save that could change nothing; its actions still run from their own buttons.
    can_type = add or _anything_to_type(form, formsets)
    site = model_admin.admin_site
    return {
        **site.each_context(request),
        **perms,
        **_submit_flags(
            model_admin,
            add=add,
            **{**perms, "has_change_permission": perms["has_change_permission"] and can_type},
        ),
        "title": f"{verb} {model_admin.verbose_name}",
        "subtitle": None if add else str(obj),
        "model_admin": model_admin,
        "app_label": model_admin.app_label,
        "app_name": site.app_name(model_admin.app_label),
        "model_name": model_admin.model_name,
        "verbose_name": model_admin.verbose_name,
        "verbose_name_plural": model_admin.verbose_name_plural,
        "original": obj,
        "add": add,
        "change": not add,
        "form": form,
        "fieldsets": fieldset_views(request, model_admin, layout, form, obj),
        "inline_admin_formsets": inline_views(request, formsets),
        "error_count": _error_count(form, formsets),
        "save_on_top": model_admin.save_on_top,
        "preserved_filters": filters,
        **_urls(model_admin, obj, filters),
    }


def _typable(form: Any) -> bool:
    return any(not f.disabled and not f.widget.is_hidden for f in form.fields.values())


def _anything_to_type(form: AdminModelForm, formsets: list[InlineFormSet]) -> bool:
    """Whether the page has an input to change, or an inline row to add or delete."""
    if _typable(form):
        return True
    for formset in formsets:
        if formset.rights.add or (formset.rights.delete and formset.can_delete):
            return True
        if any(_typable(row) for row in formset.forms):
            return True
    return False


def _error_count(form: AdminModelForm, formsets: list[InlineFormSet]) -> int:
    if not form.is_bound:
        return 0
    return len(form.errors) + sum(formset.total_error_count() for formset in formsets)


def _submit_flags(
    model_admin: ModelAdmin,
    *,
    add: bool,
    has_add_permission: bool,
    has_change_permission: bool,
    has_view_permission: bool,
    has_delete_permission: bool,
) -> dict[str, bool]:
    """Which buttons the submit row shows: Django's admin_modify.submit_row rules."""
    change = not add
    can_save = (has_change_permission and change) or (has_add_permission and add)
    return {
        "can_change": has_change_permission,
        "show_save": can_save,
        "show_save_and_continue": can_save and has_view_permission,
        "show_save_and_add_another": (
            has_add_permission and (not model_admin.save_as or add) and can_save
        ),
        "show_save_as_new": has_add_permission and change and model_admin.save_as,
        "show_close": not can_save,
        "show_delete_link": has_delete_permission and change,
    }


def _urls(model_admin: ModelAdmin, obj: Any, filters: str) -> dict[str, str | None]:
    changelist = add_preserved_filters(
        model_url(model_admin, "changelist"), filters, to_changelist=True
    )
    if obj is None:
        return {"changelist_url": changelist, "delete_url": None, "history_url": None}
    return {
        "changelist_url": changelist,
        "delete_url": add_preserved_filters(object_url(model_admin, obj, "delete"), filters),
        "history_url": add_preserved_filters(object_url(model_admin, obj, "history"), filters),
    }
