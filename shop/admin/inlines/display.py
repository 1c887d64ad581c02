"""What the inline templates iterate: headers, rows of fields, the empty row for "Add another",
and, for a parent with more children than one page holds, the links to the other pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import HttpRequest
from django.utils.safestring import SafeString
from sqlalchemy import inspect as sa_inspect

from shop.admin.forms.layout import FieldView
from shop.admin.forms.readonly import change_url, readonly_contents, readonly_label
from shop.admin.inlines.markup import RowFrame, stacked_row, tabular_row
from shop.admin.inlines.paging import InlinePage, page_param
from shop.admin.urls import model_url

if TYPE_CHECKING:
    from shop.admin.inlines.formsets import InlineFormSet
    from shop.admin.inlines.options import InlineModelAdmin


@dataclass
class Header:
    name: str
    label: str
    required: bool
    help_text: str


ChangeLink = Callable[[Any], str | None]


@dataclass
class RowView:
    form: Any
    original: Any  # the existing child, or None for a new row
    fields: list[FieldView]
    change_url: str | None = None
    frame: RowFrame | None = None
    row_id: str = ""  # its index in the formset, or "__prefix__" for the template row

    @property
    def tabular(self) -> SafeString:
        """The row's HTML in a tabular inline."""
        assert self.frame is not None
        return tabular_row(self.frame, self)

    @property
    def stacked(self) -> SafeString:
        """The row's HTML in a stacked inline."""
        assert self.frame is not None
        return stacked_row(self.frame, self)

    @property
    def delete_field(self) -> forms.BoundField | None:
        return self.form[DELETION_FIELD_NAME] if DELETION_FIELD_NAME in self.form.fields else None

    @property
    def has_errors(self) -> bool:
        return bool(self.form.is_bound and self.form.errors)


@dataclass(frozen=True)
class Paging:
    """The page of children shown, links to the pages beside it and to the child list."""

    page: InlinePage
    first_url: str | None
    previous_url: str | None
    next_url: str | None
    last_url: str | None
    changelist_url: str | None  # every child, in the child model's own list

    @property
    def summary(self) -> str:
        """Which rows of how many: first and last position, then the count ("of more than"
        the count past the counting cap)."""
        page = self.page
        more = "more than " if page.capped else ""
        return f"{page.first_index:,}–{page.last_index:,} of {more}{page.count:,}"


@dataclass
class InlineView:
    inline: InlineModelAdmin
    formset: InlineFormSet
    headers: list[Header]
    rows: list[RowView] = field(default_factory=list)
    empty_row: RowView | None = None  # the template "Add another" copies
    paging: Paging | None = None

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
        """The most rows "Add another" may reach on this page (rows of other pages count)."""
        formset = self.formset
        if not formset.rights.add:
            return 0
        most = formset.limit_max
        if most is None or self.paging is None:
            return most
        hidden = self.paging.page.count - formset.initial_form_count()
        return max(0, most - hidden)


def inline_views(request: HttpRequest, formsets: list[InlineFormSet]) -> list[InlineView]:
    return [inline_view(request, formset) for formset in formsets]


def inline_view(request: HttpRequest, formset: InlineFormSet) -> InlineView:
    inline = formset.inline
    view = InlineView(inline, formset, _headers(request, formset))
    page = formset.page()
    if page is not None:
        view.paging = _paging(request, formset, page)
    frame = RowFrame(
        prefix=view.prefix,
        columns=len(view.headers) + 2,
        can_delete=view.can_delete,
        verbose_name=view.verbose_name,
    )
    link = _change_link(request, inline)
    initial = formset.initial_form_count()
    for index, form in enumerate(formset.forms):
        child = form.instance if index < initial else None
        view.rows.append(_row(request, formset, form, child, link(child)))
    if formset.rights.add:
        view.empty_row = _row(request, formset, formset.empty_form, None, None)
    for index, row in enumerate(view.rows):
        row.frame, row.row_id = frame, str(index)
    if view.empty_row is not None:
        view.empty_row.frame, view.empty_row.row_id = frame, "__prefix__"
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


def _row(
    request: HttpRequest, formset: InlineFormSet, form: Any, child: Any, change_url: str | None
) -> RowView:
    inline = formset.inline
    views = []
    for name in formset.layouts.columns:
        if name in form.fields:
            views.append(FieldView(name, str(form[name].label), False, bound=form[name]))
        else:
            contents = readonly_contents(request, inline, child, name)
            views.append(FieldView(name, readonly_label(inline, name), True, contents=contents))
    return RowView(form, child, views, change_url)


def _change_link(request: HttpRequest, inline: InlineModelAdmin) -> ChangeLink:
    """Each row's "Change" link, for the rows the user may view."""
    admin = inline.child_admin
    if not inline.show_change_link or admin is None:
        return lambda child: None

    def link(child: Any) -> str | None:
        state = sa_inspect(child) if child is not None else None
        if state is None or state.key is None or not admin.has_view_permission(request, child):
            return None
        return change_url(admin, child)

    return link


def _paging(request: HttpRequest, formset: InlineFormSet, page: InlinePage) -> Paging:
    param = page_param(str(formset.prefix))
    first, last = 1, page.num_pages

    def url(number: int) -> str:
        query = request.GET.copy()
        query.pop(param, None)
        if number != first:
            query[param] = str(number)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else request.path

    before, after = page.number > first, page.number < last
    return Paging(
        page=page,
        first_url=url(first) if before else None,
        previous_url=url(page.number - 1) if before else None,
        next_url=url(page.number + 1) if after else None,
        last_url=url(last) if after else None,
        changelist_url=_changelist_url(request, formset),
    )


def _changelist_url(request: HttpRequest, formset: InlineFormSet) -> str | None:
    """The child list filtered by the parent (`?cart_id__exact=3`), for those who may view it."""
    admin = formset.inline.child_admin
    values = formset.inline.relation.key_values(formset.parent)
    if admin is None or not values or not admin.has_view_permission(request):
        return None
    query = urlencode({f"{name}__exact": value for name, value in values.items()})
    return f"{model_url(admin, 'changelist')}?{query}"
