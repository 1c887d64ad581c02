"""The intermediate pages of actions: the parameter form, and what they all share.

Each page posts back to the URL it was served from (the changelist with its query
string, or an object's actions URL), carrying the selection as hidden fields, so the
second POST acts on the same rows; "No, take me back" returns to where the user was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch

from shop.admin.actions.selection import Selection, safe_label
from shop.admin.urls import model_url, object_url

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

ROWS_SHOWN = 10


@dataclass(frozen=True)
class ShownRow:
    label: str
    url: str | None


def page_context(
    request: HttpRequest, model_admin: ModelAdmin, selection: Selection
) -> dict[str, Any]:
    """Breadcrumbs, the carried selection and the way back, for every intermediate page."""
    site = model_admin.admin_site
    return {
        **site.each_context(request),
        "opts": model_admin,
        "app_name": site.app_name(model_admin.app_label),
        "changelist_url": model_url(model_admin, "changelist"),
        "carried": selection.carried(),
        "back_url": selection.back_url,
        "across": selection.across,
    }


def shown_rows(request: HttpRequest, model_admin: ModelAdmin, rows: list[Any]) -> list[ShownRow]:
    """The selected rows' names, linked to their change pages when the user may view them."""
    viewable = model_admin.has_view_permission(request)
    return [ShownRow(safe_label(row), _url(model_admin, row) if viewable else None) for row in rows]


def _url(model_admin: ModelAdmin, row: Any) -> str | None:
    try:
        return object_url(model_admin, row)
    except NoReverseMatch:
        return None


def render_parameters(
    request: HttpRequest,
    model_admin: ModelAdmin,
    selection: Selection,
    description: str,
    form: forms.Form,
) -> HttpResponse:
    """The action's parameter form, above the rows it will apply to (first ten and a count)."""
    count = selection.count()
    rows = shown_rows(request, model_admin, selection.sample(ROWS_SHOWN))
    noun = model_admin.verbose_name if count == 1 else model_admin.verbose_name_plural
    context = {
        **page_context(request, model_admin, selection),
        "title": description,
        "form": form,
        "count": count,
        "objects_name": noun,
        "rows": rows,
        "more": max(count - len(rows), 0),
    }
    template = model_admin.template_names("action_form.html")
    return TemplateResponse(request, template, context)
