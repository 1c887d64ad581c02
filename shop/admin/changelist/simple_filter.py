"""Django's SimpleListFilter over SQLAlchemy: a list filter with fixed, named choices.

A ModelAdmin lists the class in `list_filter`. `lookups()` declares the choices as
(value, label) pairs and `where(value)` returns the SQL condition of one of them, built
from the model's declared columns. A value in the query string only ever selects among
the declared ones: anything else is refused (the changelist answers `?e=1`) before
`where()` is called, so no user string reaches SQL. Repeated values are OR-ed, as for
the other filters, and the condition applies wherever the list's rows are read (page,
count, export, actions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import ColumnElement, or_, true

from shop.admin.changelist.params import RESERVED_VARS

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

# A plain name, never a field lookup (`stock__lt`) nor a date hierarchy key.
PARAMETER_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


class UndeclaredValue(ValueError):
    """A query-string value that is not one of the filter's declared lookups."""


class SimpleListFilter:
    """Subclass: set `title` and `parameter_name`, implement `lookups()` and `where()`."""

    title: str = ""
    parameter_name: str = ""

    def __init__(self, request: HttpRequest, model_admin: ModelAdmin) -> None:
        self.request = request
        self.model_admin = model_admin
        declared = self.lookups(request, model_admin) or ()
        self.choices = [(str(value), str(label)) for value, label in declared]

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin) -> Iterable[tuple[Any, Any]]:
        """The choices, in order, as (value in the query string, label) pairs."""
        raise NotImplementedError

    def where(self, value: str) -> ColumnElement[bool] | None:
        """The condition for one declared `value` (None: that choice does not restrict)."""
        raise NotImplementedError

    def condition(self, values: Sequence[str]) -> ColumnElement[bool]:
        """The chosen values' conditions OR-ed; UndeclaredValue if one was not declared."""
        declared = {value for value, _label in self.choices}
        chosen = list(dict.fromkeys(values))
        for value in chosen:
            if value not in declared:
                raise UndeclaredValue(f"{value[:50]!r} is not a choice of {self.parameter_name!r}")
        conditions = [self.where(value) for value in chosen]
        return or_(*(true() if condition is None else condition for condition in conditions))


def is_filter_class(entry: Any) -> bool:
    return isinstance(entry, type) and issubclass(entry, SimpleListFilter)


def filter_class_problems(entry: Any) -> list[str]:
    """What is wrong with a non-path list_filter entry (for the system checks)."""
    if not is_filter_class(entry):
        return [f"list_filter entries are field paths or SimpleListFilter classes, not {entry!r}"]
    name, problems = entry.parameter_name, []
    if not entry.title:
        problems.append(f"list_filter: {entry.__name__}.title is empty")
    if not isinstance(name, str) or not PARAMETER_RE.fullmatch(name) or name in RESERVED_VARS:
        problems.append(
            f"list_filter: {entry.__name__}.parameter_name {name!r} must be a lower-case "
            "name without '__' that the changelist does not use itself"
        )
    for method in ("lookups", "where"):
        if getattr(entry, method) is getattr(SimpleListFilter, method):
            problems.append(f"list_filter: {entry.__name__} does not implement {method}()")
    return problems


def bind_filters(
    request: HttpRequest, model_admin: ModelAdmin, entries: Iterable[Any]
) -> dict[type, SimpleListFilter]:
    """An instance of each filter class among `entries`, with this request's lookups."""
    return {entry: entry(request, model_admin) for entry in entries if is_filter_class(entry)}
