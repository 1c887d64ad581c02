"""The grade book's rows as HTML.

A course of 500 students is 500 rows of eight inputs: drawn through a form per row and
the template engine they took most of the page's time. A row that shows what the
enrollment holds now is written here directly, with the markup its row form's widgets
give (shop.registrations.gradebook_form; tests compare the two). A row posted back with
errors or a conflict is drawn from its form. Every value is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString
from django.utils.text import capfirst

from shop.admin.changelist.display import change_urls
from shop.admin.changelist.editable import PREFIX
from shop.admin.escaping import escaped, text
from shop.admin.forms.fields import humanize
from shop.registrations.gradebook_form import MARKS, GradebookRowForm, options_html
from shop.services.school.gradebook import NOTES_LENGTH, GradebookRow

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

SELECTS = ("grade", "status")
LABELS = {name: humanize(name) for name in MARKS}  # aria-label: "<Label> of <student>"


@dataclass
class Line:
    """A row of the page: the student, the enrollment and, for editors, its form (None:
    the enrollment's current values)."""

    row: GradebookRow
    form: GradebookRowForm | None
    student_url: str | None = None


def choices_of(name: str) -> tuple[tuple[str, str], ...]:
    widget = GradebookRowForm.base_fields[name].widget
    return tuple((str(key), str(label)) for key, label in widget.choices)  # type: ignore[attr-defined]


CHOICES = {name: choices_of(name) for name in SELECTS}


def student_urls(students: ModelAdmin, rows: list[GradebookRow]) -> list[str]:
    """Each student's change page (shop.admin.urls.object_url), one reverse() for all."""
    link = change_urls(students, "")
    return [link(row.student) for row in rows]


def lines_html(lines: list[Line], *, editable: bool) -> SafeString:
    return SafeString(
        "\n    ".join(line_html(index, line, editable=editable) for index, line in enumerate(lines))
    )


def line_html(index: int, line: Line, *, editable: bool) -> SafeString:
    """The line's <tr>: after a row of its form's own errors, if any."""
    enrollment, form = line.row.enrollment, line.form
    if not editable:
        hidden, cells = "", _read_only(enrollment)
    elif form is None:
        hidden, cells = _current(f"{PREFIX}-{index}", line.row)
    else:
        hidden, cells = _from_form(form)
    flagged = ' class="errors"' if form is not None and form.errors else ""
    html = (
        f'<tr data-pk="{text(enrollment.id)}"{flagged}>\n'
        f'      <th scope="row" class="field-student">{_student(line)}{hidden}</th>\n'
        f'      <td class="field-email">{text(line.row.student.email)}</td>\n'
        f"{cells}\n    </tr>"
    )
    if form is not None and form.non_field_errors():
        errors = f'<tr class="row-errors"><td colspan="5">{form.non_field_errors()}</td></tr>'
        html = f"{errors}\n    {html}"
    return SafeString(html)


def _student(line: Line) -> str:
    student = line.row.student
    name = f"{text(student.last_name)}, {text(student.first_name)}"
    if line.student_url:
        return f'<a href="{text(line.student_url)}">{name}</a>'
    return name


def _read_only(enrollment: Any) -> str:
    return (
        f'      <td class="field-grade">{text(enrollment.grade or "—")}</td>\n'
        f'      <td class="field-status">{text(capfirst(str(enrollment.status)))}</td>\n'
        f'      <td class="field-notes">{text(enrollment.notes or "")}</td>'
    )


def _from_form(form: GradebookRowForm) -> tuple[str, str]:
    hidden = "".join(str(field) for field in form.hidden_fields())
    cells = []
    for name in MARKS:
        bound = form[name]
        errors = str(bound.errors) if bound.errors else ""
        cells.append(f'      <td class="field-{name} editable">{errors}{bound}</td>')
    return hidden, "\n".join(cells)


def _current(prefix: str, row: GradebookRow) -> tuple[str, str]:
    """The inputs of a row showing the enrollment's values: what current_form draws."""
    enrollment, student = row.enrollment, row.student
    hidden = _hidden(f"{prefix}-id", enrollment.id) + _hidden(
        f"{prefix}-_version", enrollment.version_id
    )
    who = f"{student.first_name} {student.last_name}"
    cells = []
    for name in MARKS:
        value = getattr(enrollment, name) or ""
        label = escaped(f"{LABELS[name]} of {who}")
        field = f"{prefix}-{name}"
        if name in SELECTS:
            widget = (
                f'<select aria-label="{label}" id="id_{field}" name="{field}">'
                f"{options_html(CHOICES[name], str(value))}</select>"
            )
        else:
            widget = (
                f'<input aria-label="{label}" id="id_{field}" maxlength="{NOTES_LENGTH}" '
                f'name="{field}" type="text"{_value(value)}>'
            )
        # Django's hidden initial: named initial-<name>, its id from the input's id
        initial = f'id="initial-{prefix}-id_{field}" name="initial-{field}"'
        widget += f'<input {initial} type="hidden"{_value(value)}>'
        cells.append(f'      <td class="field-{name} editable">{widget}</td>')
    return hidden, "\n".join(cells)


def _hidden(name: str, value: Any) -> str:
    return f'<input id="id_{name}" name="{name}" type="hidden"{_value(value)}>'


def _value(value: Any) -> str:
    """The value attribute of a row form's input (none for an empty value)."""
    return "" if value in (None, "") else f' value="{escaped(str(value))}"'
