"""Django's date_hierarchy drill-down: years -> months -> days, one query per level.

Links use Django's parameters (`<field>__year`, `__month`, `__day`); the filter itself is
a half-open range (>= start, < end) so an index on the column serves it. Timestamps are
UTC: on PostgreSQL the timestamptz is converted to UTC before EXTRACT, so the server's
session time zone cannot move a row to another day; SQLite stores UTC text and
SQLAlchemy renders EXTRACT there as STRFTIME; MariaDB stores UTC DATETIMEs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import formats
from django.utils.text import capfirst
from sqlalchemy import Select, and_, extract, func

from shop.admin.changelist import conditions
from shop.admin.changelist.params import DATE_PARTS, query_string
from shop.admin.changelist.query import Joins
from shop.admin.paths import SEPARATOR, ResolvedPath


@dataclass
class DateHierarchy:
    """What the template shows: an optional back link and the choices of this level."""

    back: tuple[str, str] | None = None  # (link, title)
    choices: Sequence[tuple[str, str | None]] = field(default_factory=list)  # (title, link)


def _bounds(parts: tuple[int, ...]) -> tuple[date, date | None]:
    """[start, end) of a year, month or day; end None past year 9999."""
    start = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    try:
        if len(parts) == 3:
            return start, start + timedelta(days=1)
        if len(parts) == 2:
            return start, (start + timedelta(days=32)).replace(day=1)
        return start, date(start.year + 1, 1, 1)
    except (OverflowError, ValueError):
        return start, None


def _is_datetime(path: ResolvedPath) -> bool:
    try:
        return path.expression.type.python_type is datetime  # type: ignore[no-any-return]
    except NotImplementedError:
        return False


def range_condition(model: type, path: ResolvedPath, parts: tuple[int, ...]) -> Any:
    """The rows whose date falls in the selected year/month/day."""
    start, end = _bounds(parts)
    low: date | datetime = start
    high: date | datetime | None = end
    if _is_datetime(path):
        low = datetime.combine(start, time(), UTC)
        high = datetime.combine(end, time(), UTC) if end else None

    def make(expression: Any) -> Any:
        lower = expression >= low
        return and_(lower, expression < high) if high is not None else lower

    return conditions.on_path(path, model, make)


def _utc(expression: Any, path: ResolvedPath, dialect: str) -> Any:
    if dialect == "postgresql" and _is_datetime(path):
        return func.timezone("UTC", expression)  # timestamptz -> UTC wall time
    return expression


def _distinct_parts(
    session: Any, filtered: Select[Any], model: type, path: ResolvedPath, depth: int, dialect: str
) -> list[tuple[int, ...]]:
    """Distinct (year[, month[, day]]) tuples of the filtered rows, in order: one query."""
    joins = Joins(model)
    expression = _utc(joins.expression(path), path, dialect)
    parts = [extract(part, expression).label(f"_dh_{part}") for part in DATE_PARTS[:depth]]
    statement: Any = filtered.with_only_columns(*parts, maintain_column_froms=True)
    statement = joins.apply(statement).where(expression.is_not(None))
    statement = statement.distinct().order_by(*parts)
    return [tuple(int(value) for value in row) for row in session.execute(statement)]


def _title(day: date, fmt: str) -> str:
    return capfirst(formats.date_format(day, fmt))


def build(
    session: Any,
    filtered: Select[Any],
    model: type,
    path: ResolvedPath,
    selected: tuple[int, ...],
    kept: dict[str, list[str]],
    dialect: str,
) -> DateHierarchy:
    """The level below `selected` (year, month or day), with Django's links and titles."""
    keys = [f"{path.name}{SEPARATOR}{part}" for part in DATE_PARTS]

    def link(parts: tuple[int, ...]) -> str:
        new = dict(zip(keys, (str(p) for p in parts), strict=False))
        return query_string(kept, new, remove=[f"{path.name}{SEPARATOR}"])

    if len(selected) == 3:
        day = date(*selected)
        back = (link(selected[:2]), _title(day, "YEAR_MONTH_FORMAT"))
        return DateHierarchy(back, [(_title(day, "MONTH_DAY_FORMAT"), None)])
    found = _distinct_parts(session, filtered, model, path, max(2, len(selected) + 1), dialect)
    if len(selected) == 2:
        back = (link(selected[:1]), str(selected[0]))
        days = [(_title(date(*row), "MONTH_DAY_FORMAT"), link(row)) for row in found]
        return DateHierarchy(back, days)
    years = list(dict.fromkeys(row[0] for row in found))
    if not selected and len(years) != 1:
        return DateHierarchy(None, [(str(year), link((year,))) for year in years])
    # A year's months; also the first level when every row is in one year (as in Django).
    top = (link(()), "All dates") if selected else None
    months = [(_title(date(row[0], row[1], 1), "YEAR_MONTH_FORMAT"), link(row)) for row in found]
    return DateHierarchy(top, months)
