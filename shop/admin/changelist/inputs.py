"""The inputs of each row of an editable list: its posted form, or the current values.

A row posted with the list (a save shown again) keeps its form: the user's input and its
errors, renumbered to the row's place on the page, so it stays on its row even if the
list moved in between. Every other row shows its current values through one unbound
form, moved from row to row (prefix, instance, initial values): an unbound row form
differs from the next in nothing else, and building and deep-copying a form per row
costs more than drawing its inputs. Each input is drawn once per column and value, the
row number put in afterwards. A changelist form that sets itself up per row in
`__init__` gets a form per row instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.forms import BoundField
from django.http import QueryDict
from django.utils.safestring import SafeString

from shop.admin.actions.selection import safe_label
from shop.admin.changelist.editable import (
    PREFIX,
    EditableList,
    EditableRowForm,
    row_initial,
)
from shop.admin.escaping import escaped
from shop.admin.forms.factory import AdminModelForm
from shop.admin.forms.fastwidgets import value_only, value_text

if TYPE_CHECKING:
    from shop.admin.changelist.main import ChangeList

OWN_FORMS = (EditableRowForm, AdminModelForm)


@dataclass
class RowHtml:
    cells: list[SafeString]  # the row's cells, editable columns as inputs
    hidden: SafeString  # its key and version inputs
    errors: str = ""  # its form's own errors ("" for none)


class RowInputs:
    """The inputs of each row shown, as HTML."""

    def __init__(self, cl: ChangeList, editable: EditableList) -> None:
        form_class = editable.form_class
        self.form_class = form_class
        self.session = cl.request.db  # type: ignore[attr-defined]
        # (cell index, column, aria-label) of each editable column, in list_display order
        self.columns = [
            (index, display.name, display.label)
            for index, display in enumerate(cl.fields)
            if display.name in form_class.editable
        ]
        self.posted = _posted_by_row(cl, editable)
        self.shared = shares_one_form(form_class)
        self._blank: EditableRowForm | None = None
        # Rows differ in their prefix: inputs are drawn once per value with this token as
        # the prefix, then the token is replaced by each row's (a name no value contains);
        # a plain input is drawn once for every value, with a token in its value="...".
        self._token, self._value_token = secrets.token_hex(12), secrets.token_hex(12)
        self._drawn: dict[tuple[Any, ...], str] = {}
        self._plain: dict[str, bool] = {}  # field -> its input shows its value only as value=

    def row(self, index: int, pk: str, obj: Any, cells: list[SafeString]) -> RowHtml:
        form = self.posted.get(pk)
        if form is None and self.shared:
            return self._current(f"{PREFIX}-{index}", obj, cells)
        if form is None:
            form = self.form_class(session=self.session, instance=obj, prefix=f"{PREFIX}-{index}")
        drawn = list(cells)
        for cell, name, label in self.columns:
            drawn[cell] = input_cell(form, name, label)
        errors = str(form.non_field_errors()) if form.is_bound else ""
        return RowHtml(drawn, hidden_inputs(form), errors)

    def _current(self, prefix: str, obj: Any, cells: list[SafeString]) -> RowHtml:
        """A row without input: its current values, through the one shared form."""
        form = self._shared_form(obj)
        drawn = list(cells)
        for cell, name, label in self.columns:
            drawn[cell] = SafeString(self._draw(form, prefix, name, label))
        hidden = "".join(
            self._draw(form, prefix, name, None)
            for name, field in form.fields.items()
            if field.widget.is_hidden
        )
        return RowHtml(drawn, SafeString(hidden))

    def _shared_form(self, obj: Any) -> EditableRowForm:
        form = self._blank
        if form is None:
            form = self.form_class(session=self.session, instance=obj, prefix=self._token)
            self._blank = form
            self._plain = {name: value_only(bound_field(form, name)) for name in form.fields}
            return form
        form.instance = obj
        form.initial = row_initial(form.model_admin, form.sources, form.editable, obj)
        return form

    def _draw(self, form: EditableRowForm, prefix: str, name: str, label: str | None) -> str:
        """A cell (or, without `label`, a hidden input) of the shared form for the row
        `prefix`, drawn once per column and value (once per column for a plain input)."""
        field = form.fields[name]
        value = form.get_initial_for_field(field, name)
        if value not in (None, "") and self._plain[name]:
            html = self._drawn_once((name,), form, name, label, self._value_token)
            # The row's value goes in last, so that no token is looked for inside it.
            return html.replace(self._token, prefix).replace(
                self._value_token, value_text(field, value)
            )
        try:
            html = self._drawn_once((name, type(value), value), form, name, label, value)
        except TypeError:  # an unhashable value: drawn for this row only
            html = self._drawing(form, name, label, value)
        return html.replace(self._token, prefix)

    def _drawn_once(
        self, key: tuple[Any, ...], form: EditableRowForm, name: str, label: str | None, value: Any
    ) -> str:
        html = self._drawn.get(key)
        if html is None:
            html = self._drawn[key] = self._drawing(form, name, label, value)
        return html

    def _drawing(self, form: EditableRowForm, name: str, label: str | None, value: Any) -> str:
        """The input drawn with `value` as the field's initial value."""
        initial = form.initial
        form.initial = {**initial, name: value}
        try:
            return (
                input_cell(form, name, label) if label is not None else str(bound_field(form, name))
            )
        finally:
            form.initial = initial


def shares_one_form(form_class: type[EditableRowForm]) -> bool:
    """Whether one unbound form can draw every row: no class of a custom changelist form
    runs its own __init__ (which could set the form up for its row)."""
    for cls in form_class.__mro__:
        if cls in OWN_FORMS or cls.__module__.startswith(("django.", "builtins")):
            continue
        if "__init__" in vars(cls):
            return False
    return True


def bound_field(form: EditableRowForm, name: str) -> BoundField:
    """A BoundField of the form as it is now (form[name] keeps the first one made)."""
    return form.fields[name].get_bound_field(form, name)  # type: ignore[no-any-return]


def hidden_inputs(form: EditableRowForm) -> SafeString:
    """The row's hidden inputs: its key and the version the user sees."""
    hidden = (
        bound_field(form, name) for name, field in form.fields.items() if field.widget.is_hidden
    )
    return SafeString("".join(str(bound) for bound in hidden))


def input_cell(form: EditableRowForm, name: str, label: str) -> SafeString:
    bound = bound_field(form, name)
    errors = str(bound.errors) if form.is_bound else ""  # an unbound form has none
    widget = bound.as_widget(attrs={"aria-label": label})
    return SafeString(f'<td class="field-{escaped(name)} editable">{errors}{widget}</td>')


def _posted_by_row(cl: ChangeList, editable: EditableList) -> dict[str, EditableRowForm]:
    """The posted form of each row shown, renumbered in page order; a posted row that is
    no longer shown becomes a list error. Sets the list's forms and row count."""
    by_key = {_key_text(form): form for form in editable.forms}
    shown: dict[str, EditableRowForm] = {}
    for index, result in enumerate(cl.results):
        form = by_key.pop(result.pk, None)
        if form is not None:
            shown[result.pk] = _renumbered(form, f"{PREFIX}-{index}")
    for form in by_key.values():
        if form.errors:
            editable.errors.append(f"“{safe_label(form.instance)}”: {_text(form)}")
    editable.forms = list(shown.values())
    editable.total = len(cl.results)
    return shown


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
