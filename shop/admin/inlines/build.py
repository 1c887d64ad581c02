"""The inline formsets of one add or change page, bound to a POST or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.forms import formset_factory
from django.http import HttpRequest

from shop.admin.forms.render import change_form_renderer
from shop.admin.inlines.formsets import InlineFormSet
from shop.admin.inlines.paging import load_page, load_posted
from shop.admin.inlines.rows import (
    RowLayouts,
    RowRights,
    bind_once,
    row_field_names,
    row_layouts,
)

NEW_ROWS_PER_POST = 200

if TYPE_CHECKING:
    from shop.admin.inlines.options import InlineModelAdmin
    from shop.admin.options import ModelAdmin


def build_formsets(
    request: HttpRequest,
    model_admin: ModelAdmin,
    obj: Any,
    *,
    data: Any = None,
    editable: bool = True,
    save_as_new: bool = False,
) -> list[InlineFormSet]:
    """One formset per inline the user may see; `editable` False makes every row read-only."""
    return [
        inline_formset(request, inline, obj, data, editable=editable, save_as_new=save_as_new)
        for inline in model_admin.get_inline_instances(request, obj)
    ]


def inline_formset(
    request: HttpRequest,
    inline: InlineModelAdmin,
    parent: Any,
    data: Any,
    *,
    editable: bool,
    save_as_new: bool = False,
) -> InlineFormSet:
    """The formset of one inline on `parent`'s page (the add page when None)."""
    session = request.db  # type: ignore[attr-defined]
    rights = RowRights.for_page(request, inline, parent, editable=editable)
    layouts = row_layouts(request, inline, parent, can_change=rights.change)
    bind_once(layouts, session)
    per_page = inline.get_max_shown(request, parent)
    shown = row_field_names(layouts)
    formset_class = _formset_class(request, inline, parent, layouts, rights)
    page = None
    if data is None:
        children, page = load_page(session, request, inline, parent, shown=shown, per_page=per_page)
    else:
        # The rows the page showed, as posted: a page further on may have shifted since.
        most = formset_class.absolute_max
        children = load_posted(session, request, inline, parent, data, shown=shown, most=most)
    formset: InlineFormSet = formset_class(
        data,
        request=request,
        inline=inline,
        parent=parent,
        children=children,
        page=page,
        layouts=layouts,
        rights=rights,
        save_as_new=save_as_new,
    )
    formset.limit_max = inline.get_max_num(request, parent)
    formset.limit_min = inline.get_min_num(request, parent) or 0
    return formset


def _formset_class(
    request: HttpRequest,
    inline: InlineModelAdmin,
    parent: Any,
    layouts: RowLayouts,
    rights: RowRights,
) -> type[InlineFormSet]:
    max_num = inline.get_max_num(request, parent)
    # The most rows a POST may hold: each one costs a form, so a forged TOTAL_FORMS
    # past it is refused before any is built (Django would build 2,000).
    absolute_max = max(inline.get_max_shown(request, parent) + NEW_ROWS_PER_POST, max_num or 0)
    return formset_factory(  # type: ignore[no-any-return]
        layouts.new.form_class,
        formset=InlineFormSet,
        extra=inline.get_extra(request, parent) if rights.add else 0,
        min_num=(inline.get_min_num(request, parent) or 0) if rights.add else 0,
        max_num=(absolute_max if max_num is None else max_num) if rights.add else 0,
        absolute_max=absolute_max,
        can_delete=rights.delete,
        can_delete_extra=False,
        renderer=change_form_renderer(),  # the management form and the rows' errors
    )
