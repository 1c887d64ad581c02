"""An inline's rows as HTML, written in Python (Django admin's tabular and stacked markup).

A page of an inline holds up to `max_shown` rows of several inputs each; through the
template engine the loops, conditions and lookups of each row cost more than its inputs.
Every value is escaped as an autoescaped template escapes `{{ value }}`; inputs and error
lists are their own (safe) rendering, as `{{ field }}` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from shop.admin.escaping import text
from shop.admin.forms.layout import FieldView

if TYPE_CHECKING:
    from shop.admin.inlines.display import RowView


@dataclass(frozen=True)
class RowFrame:
    """What every row of one inline shares: its prefix, its columns and its Delete box."""

    prefix: str
    columns: int  # headers, plus the "original" and Delete columns
    can_delete: bool
    verbose_name: str


def tabular_row(frame: RowFrame, row: RowView) -> SafeString:
    """One table row (and a row for its own errors above it)."""
    form = row.form
    errors = form.non_field_errors() if form.is_bound else None
    parts = []
    if errors:
        parts.append(
            f'<tr class="row-form-errors"><td colspan="{frame.columns}">{errors}</td></tr>'
        )
    parts.append(f'\n<tr class="{_classes(row, "form-row")}" id="{_row_id(frame, row)}">')
    parts.append(f'\n  <td class="original">{_original(row, "<p>", "</p>")}{_hidden(form)}</td>')
    cells = (f'<td class="field-{text(field.name)}">{_cell(field)}</td>' for field in row.fields)
    parts.append(f"\n  {''.join(cells)}")
    if frame.can_delete:
        parts.append(f'\n  <td class="delete">{_delete(row, hidden_label=True)}</td>')
    parts.append("\n</tr>\n")
    return mark_safe("".join(parts))


def stacked_row(frame: RowFrame, row: RowView) -> SafeString:
    """One row as a block of labelled fields under a heading."""
    form = row.form
    heading = _original(row, "", "") if row.original is not None else "new"
    delete = f'<span class="delete">{_delete(row)}</span>' if row.delete_field else ""
    label = text(capfirst(frame.verbose_name))
    parts = [
        f'<div class="{_classes(row, "inline-related form-row-group")}" '
        f'id="{_row_id(frame, row)}">',
        f'\n  <h3 class="inline-heading"><span class="inline-label">{label}:</span> {heading}',
        f"\n    {delete}</h3>",
        f"\n  {form.non_field_errors() if form.is_bound else ''}",
        f"\n  {_hidden(form)}",
        *(_stacked_field(field) for field in row.fields),
        "\n</div>\n",
    ]
    return mark_safe("".join(parts))


def _stacked_field(field: FieldView) -> str:
    errors = _errors(field)
    box = "field-box"
    box += " readonly-box" if field.is_readonly else ""
    box += " checkbox-row" if field.is_checkbox else ""
    value = (
        f'<div class="readonly">{text(field.contents)}</div>'
        if field.is_readonly
        else str(field.bound)
    )
    help_text = f'<div class="help">{field.help_text}</div>' if field.help_text else ""
    return (
        f'\n  <div class="form-row field-{text(field.name)}{" errors" if errors else ""}">'
        f'\n    <div class="{box}">'
        f"\n      {'' if field.is_readonly else errors}"
        f"\n      {text(field.label_tag)}"
        f"\n      {value}"
        f"\n      {help_text}"
        "\n    </div>\n  </div>"
    )


def _cell(field: FieldView) -> str:
    if field.is_readonly:
        return f'<p class="readonly">{text(field.contents)}</p>'
    return f"{_errors(field)}{field.bound}"


def _errors(field: FieldView) -> str:
    """The field's error list; none to draw on a page that was not posted."""
    bound = field.bound
    if bound is None or not bound.form.is_bound:
        return ""
    return str(bound.errors) if bound.errors else ""


def _classes(row: RowView, base: str) -> str:
    new = " new-row" if row.original is None else ""
    return f"{base}{new}{' errors' if row.has_errors else ''}"


def _row_id(frame: RowFrame, row: RowView) -> str:
    return f"{text(frame.prefix)}-{text(row.row_id)}"


def _original(row: RowView, before: str, after: str) -> str:
    """The existing child's name and its "Change" link ("" for a new row)."""
    if row.original is None:
        return ""
    link = ""
    if row.change_url:
        link = f' <a href="{text(row.change_url)}" class="inlinechangelink">Change</a>'
    return f"{before}{text(row.original)}{link}{after}"


def _hidden(form: Any) -> str:
    fields: Iterable[Any] = form.hidden_fields()
    return "".join(str(field) for field in fields)


def _delete(row: RowView, *, hidden_label: bool = False) -> str:
    box = row.delete_field
    if box is None:
        return ""
    label_for = text(box.auto_id)
    if hidden_label:
        return f'<label class="visually-hidden" for="{label_for}">Delete</label>{box}'
    return f'{box} <label for="{label_for}">Delete</label>'
