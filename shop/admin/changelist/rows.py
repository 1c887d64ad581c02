"""The rows change_list.html draws: each row's <tr>, with the action checkbox and, with
list_editable, the row's inputs and hidden fields.

An editable column's cell becomes the row's input (with its errors, and - for a row
someone else changed meanwhile - its current value); shop.admin.changelist.inputs says
which form each row's inputs come from. Each row is one HTML string built here rather
than a template loop over its cells, which costs milliseconds on a 100-row page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString

from shop.admin.actions.selection import safe_label
from shop.admin.changelist.editable import EditableList
from shop.admin.changelist.inputs import RowInputs
from shop.admin.escaping import text
from shop.admin.forms.factory import version_of

if TYPE_CHECKING:
    from shop.admin.changelist.main import ChangeList

NO_HTML = SafeString("")


@dataclass
class ListRow:
    pk: str
    html: SafeString  # the row's <tr>, after a row with its form's own errors if any
    hidden: SafeString = NO_HTML  # its form's hidden inputs (key, version)


class ListRows(list[ListRow]):
    """The rows, and their HTML joined once (a template loop costs more than the rows)."""

    @property
    def html(self) -> SafeString:
        return SafeString("\n    ".join(row.html for row in self))

    @property
    def hidden(self) -> SafeString:
        return SafeString("".join(row.hidden for row in self))


def row_versions(cl: ChangeList) -> list[str]:
    """`<pk>:<version>` of each row shown (versioned models only), sent with actions."""
    model_admin = cl.model_admin
    if model_admin.mapper.version_id_col is None:
        return []
    return [
        f"{row.pk}:{version_of(model_admin, obj)}"
        for row, obj in zip(cl.results, cl.result_list, strict=True)
    ]


def build_rows(cl: ChangeList, editable: EditableList | None, *, selectable: bool) -> ListRows:
    """`selectable`: each row starts with the action checkbox."""
    inputs = RowInputs(cl, editable) if editable is not None else None
    rows = ListRows()
    for index, (result, obj) in enumerate(zip(cl.results, cl.result_list, strict=True)):
        checkbox = _checkbox(result.pk, obj) if selectable else ""
        if inputs is None:
            rows.append(ListRow(result.pk, _tr(result.pk, checkbox, result.cells)))
            continue
        row = inputs.row(index, result.pk, obj, result.cells)
        html = _tr(result.pk, checkbox, row.cells)
        if row.errors:
            columns = len(cl.headers) + 1
            errors = f'<tr class="row-errors"><td colspan="{columns}">{row.errors}</td></tr>'
            html = SafeString(f"{errors}\n    {html}")
        rows.append(ListRow(result.pk, html, row.hidden))
    return rows


def version_inputs(versions: list[str]) -> SafeString:
    """The hidden `_action_version` inputs of the rows (see row_versions)."""
    return SafeString(
        "".join(f'<input type="hidden" name="_action_version" value="{text(v)}">' for v in versions)
    )


def _tr(pk: str, checkbox: str, cells: list[SafeString]) -> SafeString:
    return SafeString(f'<tr data-pk="{text(pk)}">{checkbox}{"".join(cells)}</tr>')


def _checkbox(pk: str, obj: Any) -> str:
    label = f"Select this object for an action - {text(safe_label(obj))}"
    return (
        '<td class="action-checkbox"><input type="checkbox" name="_selected_action" '
        f'value="{text(pk)}" class="action-select" aria-label="{label}"></td>'
    )
