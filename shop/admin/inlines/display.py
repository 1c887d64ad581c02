"""What the inline templates iterate: headers, rows of fields, the empty row for "Add another",
or, for a parent with too many children, their count and links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest
from sqlalchemy import inspect as sa_inspect

from shop.admin.forms.layout import FieldView
from shop.admin.forms.readonly import readonly_contents, readonly_label
from shop.admin.inlines.relation import count_children
from shop.admin.urls import model_url, object_url

if TYPE_CHECKING:
    from shop.admin.inlines.formsets import InlineFormSet
    from shop.admin.inlines.options import InlineModelAdmin


@dataclass
class Header:
    name: str
    label: str
    required: bool
    help_text: str


@dataclass
class RowView:
    form: Any
    original: Any  # the existing child, or None for a new row
    fields: list[FieldView]
    change_url: str | None = None

    @property
    def delete_field(self) -> forms.BoundField | None:
        return self.form[DELETION_FIELD_NAME] if DELETION_FIELD_NAME in self.form.fields else None

    @property
    def has_errors(self) -> bool:
        return bool(self.form.is_bound and self.form.errors)


@dataclass
class Collapsed:
    """A parent with more children than the inline edits: a count and where to see them."""

    count: int
    changelist_url: str | None
    add_url: str | None


@dataclass
class InlineView:
    inline: InlineModelAdmin
    formset: InlineFormSet
    headers: list[Header]
    rows: list[RowView] = field(default_factory=list)
    empty_row: RowView | None = None  # the template "Add another" copies
    collapsed: Collapsed | None = None

    @property
    def template(self) -> str:
        return self.inline.template

    @property
    def prefix(self) -> str:
        return str(self.formset.prefix)

    @property
    def verbose_name(self) -> str:
        return str(self.inline.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.inline.verbose_name_plural)

    @property
    def classes(self) -> str:
        return " ".join(self.inline.classes)

    @property
    def can_delete(self) -> bool:
        return bool(self.formset.can_delete)

    @property
    def max_num(self) -> int | None:
        return self.formset.limit_max if self.formset.rights.add else 0


def inline_views(request: HttpRequest, formsets: list[InlineFormSet]) -> list[InlineView]:
    return [inline_view(request, formset) for formset in formsets]


def inline_view(request: HttpRequest, formset: InlineFormSet) -> InlineView:
    inline = formset.inline
    view = InlineView(inline, formset, _headers(request, formset))
    if formset.collapsed:
        view.collapsed = _collapsed(request, formset)
        return view
    for index, form in enumerate(formset.forms):
        existing = index < formset.initial_form_count()
        view.rows.append(_row(request, formset, form, form.instance if existing else None))
    if formset.rights.add:
        view.empty_row = _row(request, formset, formset.empty_form, None)
    return view


def _headers(request: HttpRequest, formset: InlineFormSet) -> list[Header]:
    fields = formset.layouts.new.form_class.base_fields
    headers = []
    for name in formset.layouts.columns:
        form_field = fields.get(name)
        if form_field is None:
            headers.append(Header(name, readonly_label(formset.inline, name), False, ""))
            continue
        label = str(form_field.label or name)
        headers.append(Header(name, label, form_field.required, str(form_field.help_text)))
    return headers


def _row(request: HttpRequest, formset: InlineFormSet, form: Any, child: Any) -> RowView:
    inline = formset.inline
    views = []
    for name in formset.layouts.columns:
        if name in form.fields:
            views.append(FieldView(name, str(form[name].label), False, bound=form[name]))
        else:
            contents = readonly_contents(request, inline, child, name)
            views.append(FieldView(name, readonly_label(inline, name), True, contents=contents))
    return RowView(form, child, views, _change_url(request, inline, child))


def _change_url(request: HttpRequest, inline: InlineModelAdmin, child: Any) -> str | None:
    admin = inline.child_admin
    if not inline.show_change_link or child is None or admin is None:
        return None
    if sa_inspect(child).key is None or not admin.has_view_permission(request, child):
        return None
    return object_url(admin, child)


def _collapsed(request: HttpRequest, formset: InlineFormSet) -> Collapsed:
    inline, parent = formset.inline, formset.parent
    count = count_children(formset.session, request, inline, parent)
    admin = inline.child_admin
    changelist = add = None
    values = inline.relation.key_values(parent) or {}
    if admin is not None and admin.has_view_permission(request):
        query = urlencode({f"{name}__exact": value for name, value in values.items()})
        changelist = f"{model_url(admin, 'changelist')}?{query}"
    parent_field = inline.relation.parent_field
    if admin is not None and parent_field and formset.rights.add:
        add = f"{model_url(admin, 'add')}?{urlencode({parent_field: _parent_key(parent)})}"
    return Collapsed(count, changelist, add)


def _parent_key(parent: Any) -> str:
    return ",".join(str(part) for part in sa_inspect(parent).identity or ())
