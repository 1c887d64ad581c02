"""Parameter forms of actions ("Set status to …", "Enroll in course …").

An action declared with `@action(form=SomeForm)` first shows SomeForm on an intermediate
page; a subclass of ActionParametersForm gets the request (and so its session and user)
to build its choices. RowChoiceField picks one row of another model without ever
loading a whole table: a select when there are few rows, else an id input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shop.admin.changelist.values import BadValue, coerce
from shop.admin.options_base import mapper_of

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

EMPTY_LABEL = "---------"
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


class ActionParametersForm(forms.Form):
    """Base class of an action's parameter form; `self.request` and `self.session` are set."""

    def __init__(self, *args: Any, request: HttpRequest, model_admin: ModelAdmin, **kwargs: Any):
        self.request = request
        self.session: Session = request.db  # type: ignore[attr-defined]
        self.model_admin = model_admin
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, RowChoiceField):
                field.bind(self.session, self.row_query(field.model))

    def row_query(self, model: type) -> Select[Any]:
        """The rows a RowChoiceField offers: its model admin's get_query (row scoping)."""
        site = self.model_admin.admin_site
        if site.is_registered(model):
            return site.get_model_admin(model).get_query(self.request)  # type: ignore[no-any-return]
        return select(model)


def build_form(
    form_class: type[forms.Form], request: HttpRequest, model_admin: ModelAdmin, data: Any
) -> forms.Form:
    """An action's parameter form, bound to `data` (None: the blank form)."""
    if issubclass(form_class, ActionParametersForm):
        return form_class(data, request=request, model_admin=model_admin)
    return form_class(data)


class RowChoiceField(forms.Field):
    """One row of `model`: a select of at most `limit` rows, else an id input.

    Cleans to the row itself. The rows come from the form's `row_query(model)` (the
    model's admin get_query, so row scoping applies), ordered by `order_by` then the key.
    """

    default_error_messages = {"invalid_choice": INVALID_CHOICE}

    def __init__(
        self, model: type, *, order_by: Sequence[str] = (), limit: int = 50, **kwargs: Any
    ) -> None:
        self.model = model
        self.mapper = mapper_of(model)
        self.order_by = tuple(order_by)
        self.limit = limit
        self.query: Select[Any] | None = None
        self.session: Session | None = None
        self.rows: dict[Any, Any] | None = None  # key -> row, when rendered as a select
        super().__init__(widget=forms.Select, **kwargs)

    def bind(self, session: Session, query: Select[Any]) -> None:
        """Load at most `limit` + 1 rows: a select if they all fit, else a number input."""
        self.session = session
        self.query = query
        mapper = self.mapper
        order = [mapper.attrs[name].expression for name in self.order_by]
        statement = query.order_by(*order, *mapper.primary_key).limit(self.limit + 1)
        rows = list(session.scalars(statement))
        if len(rows) <= self.limit:
            self.rows = {mapper.primary_key_from_instance(row)[0]: row for row in rows}
            choices = [("", EMPTY_LABEL), *((key, str(row)) for key, row in self.rows.items())]
            self.widget = forms.Select(choices=choices)
        else:
            self.widget = forms.NumberInput(attrs={"min": 1})
            hint = f"Enter the id (there are more than {self.limit})."
            self.help_text: str = str(self.help_text or hint)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            key = coerce(self.mapper.primary_key[0].type, str(value))
        except BadValue:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        row = self._find(key)
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row

    def _find(self, key: Any) -> Any:
        if self.rows is not None:
            return self.rows.get(key)
        if self.session is None or self.query is None:
            return None
        column = self.mapper.primary_key[0]
        return self.session.scalars(self.query.where(column == key).limit(1)).first()

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, self.model):
            return self.mapper.primary_key_from_instance(value)[0]
        return value
