"""The grade book's row form: one student's grade, status and notes.

Each input carries the value it was loaded with (Django's hidden initial), so a save can
tell the rows edited here from those only someone else changed. Every field takes any
text: the rules and the version check are the workflow's
(shop.services.school.gradebook.review_gradebook). The widgets render in Python, since a
course of a few hundred students means thousands of inputs and options on one page; a
row showing current values is written without a form (shop.registrations.gradebook_rows).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import flatatt
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from shop.admin.changelist.editable import PREFIX
from shop.admin.forms.conflict import STALE, mark
from shop.admin.forms.factory import VERSION_FIELD, AdminModelForm
from shop.admin.forms.fastwidgets import fast_renderer
from shop.admin.forms.fields import form_sources, humanize
from shop.admin.options import ModelAdmin
from shop.models import Enrollment
from shop.models.school import ENROLLMENT_STATUSES, GRADES
from shop.services.school.gradebook import NOTES_LENGTH, GradebookRow, Marks

MARKS = ("grade", "status", "notes")
ROW_CONFLICT = (
    "Someone else changed this enrollment since you opened the grade book, so your values "
    "were not saved. Each field that now differs shows its current value: save again to "
    "replace them with yours."
)


class PlainSelect(forms.Select):
    """A <select> rendered in Python: through Django's widget templates, the 5,000 options
    and inputs of a 300-student page take most of a second to render."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value)
        options = options_html(tuple((str(k), str(label)) for k, label in self.choices), chosen)
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributes, options)


@lru_cache(maxsize=64)  # bounded: a tampered value is a key too
def options_html(choices: tuple[tuple[str, str], ...], chosen: str) -> SafeString:
    """A select's options, one of them selected (a few choices: each list is built once)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, " selected" if key == chosen else "", label) for key, label in choices),
    )


class PlainInputMixin:
    """An <input> rendered in Python (see PlainSelect)."""

    input_type: str
    attrs: dict[str, Any]

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        final = {**self.attrs, **(attrs or {}), "type": self.input_type, "name": name}
        if value not in (None, ""):
            final["value"] = str(value)
        return format_html("<input{}>", flatatt(final))


class PlainHiddenInput(PlainInputMixin, forms.HiddenInput):
    pass


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class RowField(forms.CharField):
    """Any text (the workflow checks it), its hidden initial rendered in Python too."""

    hidden_widget = PlainHiddenInput

    def __init__(self, widget: forms.Widget, *, hidden_initial: bool = True) -> None:
        super().__init__(required=False, widget=widget, show_hidden_initial=hidden_initial)


class GradebookRowForm(AdminModelForm):
    """One student's row: the enrollment's id and version, and its three inputs."""

    sources = {
        name: source
        for name, source in form_sources(sa_inspect(Enrollment)).items()
        if name in MARKS
    }
    grade = RowField(PlainSelect(choices=[("", "—"), *((grade, grade) for grade in GRADES)]))
    status = RowField(PlainSelect(choices=[(key, humanize(key)) for key in ENROLLMENT_STATUSES]))
    notes = RowField(PlainTextInput(attrs={"maxlength": NOTES_LENGTH}))
    id = RowField(PlainHiddenInput, hidden_initial=False)
    _version = RowField(PlainHiddenInput, hidden_initial=False)  # VERSION_FIELD

    def clean(self) -> dict[str, Any]:
        return forms.Form.clean(self)  # no version check here: see review_gradebook

    @property
    def key(self) -> tuple[int, int]:
        """The enrollment id and version (the view checked that both are integers)."""
        return int(self.cleaned_data["id"]), int(self.cleaned_data[VERSION_FIELD])

    @property
    def marks(self) -> Marks:
        return Marks.posted(*(self.cleaned_data.get(name) for name in MARKS))

    @property
    def field_errors(self) -> dict[str, str]:
        """field -> the first message of each input Django itself refused (a NUL character):
        its value is missing from `marks`, so the row must not be saved as if left blank."""
        return {name: str(self.errors[name][0]) for name in MARKS if name in self.errors}

    @property
    def loaded(self) -> Marks | None:
        """The values the row was loaded with (its hidden initials), None if not sent."""
        names = [self.add_initial_prefix(name) for name in MARKS]
        if any(name not in self.data for name in names):
            return None
        return Marks.posted(*(self.data.get(name) for name in names))


def posted_form(session: Session, data: QueryDict, index: int) -> GradebookRowForm:
    """The posted row number `index`, validated (text fields only: always valid)."""
    prefix = f"{PREFIX}-{index}"
    form = GradebookRowForm(
        data, session=session, instance=None, prefix=prefix, renderer=fast_renderer()
    )
    form.is_valid()
    return form


def current_form(session: Session, index: int, row: GradebookRow) -> GradebookRowForm:
    """A row showing what the enrollment holds now."""
    enrollment = row.enrollment
    initial = {name: getattr(enrollment, name) or "" for name in MARKS}
    initial.update(id=enrollment.id, _version=enrollment.version_id)
    form = GradebookRowForm(
        session=session,
        instance=enrollment,
        initial=initial,
        prefix=f"{PREFIX}-{index}",
        renderer=fast_renderer(),
    )
    return _labelled(form, row)


def rebound_form(
    session: Session, posted: GradebookRowForm, index: int, row: GradebookRow, *, current: bool
) -> GradebookRowForm:
    """The posted row bound again at its place on the page now (rows may have come or gone
    since it was loaded), keeping the user's input; with `current`, the enrollment's
    version and values become the loaded ones, so saving it again is deliberate."""
    data = QueryDict(mutable=True)
    prefix = f"{PREFIX}-{index}"
    for name in (*MARKS, "id", VERSION_FIELD):
        data[f"{prefix}-{name}"] = posted.data.get(posted.add_prefix(name), "")
    for name in MARKS:
        loaded = posted.data.get(posted.add_initial_prefix(name))
        if current:
            loaded = getattr(row.enrollment, name) or ""
        if loaded is not None:
            data[f"initial-{prefix}-{name}"] = loaded
    if current:
        data[f"{prefix}-{VERSION_FIELD}"] = str(row.enrollment.version_id)
    form = GradebookRowForm(
        data, session=session, instance=row.enrollment, prefix=prefix, renderer=fast_renderer()
    )
    form.is_valid()
    return _labelled(form, row)


def flag_conflict(
    request: HttpRequest, enrollments: ModelAdmin, form: GradebookRowForm, row: GradebookRow
) -> None:
    """The engine's conflict marking ("Current value: ..." on each field that differs),
    with a row's own message: the other rows of the save did go through."""
    mark(request, enrollments, form, row.enrollment)
    form.errors[NON_FIELD_ERRORS].data = [ValidationError(ROW_CONFLICT, code=STALE)]


def _labelled(form: GradebookRowForm, row: GradebookRow) -> GradebookRowForm:
    """Each input named after its student, for screen readers (the table has no labels)."""
    for name in MARKS:
        label = f"{humanize(name)} of {row.student.first_name} {row.student.last_name}"
        form.fields[name].widget.attrs["aria-label"] = label
    return form
