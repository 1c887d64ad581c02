"""The rows change_list.html draws: the result cells, plus the action checkbox's label,
the version the user sees (for actions) and, with list_editable, the row's form.

An editable column's cell becomes the form's input (with its errors, and - for a row
someone else changed meanwhile - its current value). Forms are matched to rows by
key, so a page re-shown after a failed save keeps each row's input on that row even if
the list moved in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shop.admin.actions.selection import safe_label
from shop.admin.changelist.editable import PREFIX, EditableList, EditableRowForm, blank_list
from shop.admin.forms.factory import version_of

if TYPE_CHECKING:
    from shop.admin.changelist.main import ChangeList


@dataclass
class ListRow:
    pk: str
    cells: list[SafeString]
    label: str  # names the row for screen readers ("Select this object ... - <label>")
    form: EditableRowForm | None = None


def row_versions(cl: ChangeList) -> list[str]:
    """`<pk>:<version>` of each row shown (versioned models only), sent with actions."""
    model_admin = cl.model_admin
    if model_admin.mapper.version_id_col is None:
        return []
    return [
        f"{row.pk}:{version_of(model_admin, obj)}"
        for row, obj in zip(cl.results, cl.result_list, strict=True)
    ]


def build_rows(cl: ChangeList, editable: EditableList | None) -> list[ListRow]:
    forms = _forms_by_row(cl, editable) if editable is not None else {}
    rows = []
    for result, obj in zip(cl.results, cl.result_list, strict=True):
        form = forms.get(result.pk)
        cells = _editable_cells(cl, result.cells, form) if form is not None else result.cells
        rows.append(ListRow(result.pk, cells, safe_label(obj), form))
    return rows


def _forms_by_row(cl: ChangeList, editable: EditableList) -> dict[str, EditableRowForm]:
    """Each shown row's form, numbered in page order; posted rows not shown become errors."""
    by_key = {_key_text(form): form for form in editable.forms}
    blank = {}
    if any(form.is_bound for form in editable.forms):
        fresh = blank_list(cl.request, cl.model_admin, cl.result_list).forms
        blank = {_key_text(form): form for form in fresh}
    shown: list[EditableRowForm] = []
    for index, result in enumerate(cl.results):
        form = by_key.pop(result.pk, None) or blank.get(result.pk)
        if form is None:
            continue
        shown.append(_renumbered(form, f"{PREFIX}-{index}") if form.is_bound else form)
    for form in by_key.values():
        if form.is_bound and form.errors:
            editable.errors.append(f"“{safe_label(form.instance)}”: {_text(form)}")
    editable.forms = shown
    return {_key_text(form): form for form in shown}


def _key_text(form: EditableRowForm) -> str:
    return str(form.initial.get(form.key_name, ""))


def _text(form: EditableRowForm) -> str:
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def _renumbered(form: EditableRowForm, prefix: str) -> EditableRowForm:
    """The same posted input and errors under another row number (Django's `form-N-`)."""
    if form.prefix == prefix:
        return form
    data = QueryDict(mutable=True)
    for name in form.fields:
        data.setlist(f"{prefix}-{name}", form.data.getlist(form.add_prefix(name)))
    moved = type(form)(
        data, session=form.session, instance=form.instance, prefix=prefix, initial=form.initial
    )
    moved._errors = form.errors  # already validated: keep the errors, do not check again
    moved.cleaned_data = getattr(form, "cleaned_data", {})
    return moved


def _editable_cells(
    cl: ChangeList, cells: list[SafeString], form: EditableRowForm
) -> list[SafeString]:
    result = list(cells)
    for index, display in enumerate(cl.fields):
        if display.name in form.editable:
            result[index] = _input_cell(display.name, display.label, form)
    return result


def _input_cell(name: str, label: str, form: EditableRowForm) -> SafeString:
    bound = form[name]
    widget = bound.as_widget(attrs={"aria-label": label})
    return format_html('<td class="field-{} editable">{}{}</td>', name, bound.errors, widget)
