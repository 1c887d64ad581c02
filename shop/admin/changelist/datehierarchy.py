"""Django's date_hierarchy drill-down: years -> months -> days, without scanning the table.

Links use Django's parameters (`<field>__year`, `__month`, `__day`); the filter itself is
a half-open range (>= start, < end) so an index on the column serves it. The choices of
a level come from index probes instead of a DISTINCT over every row: the years from
the first and last listed dates (two index endpoint reads) and then, per candidate year,
month or day, the first listed date in its range (`... WHERE start <= field < end ORDER
BY field LIMIT 1`), all in one statement: a level costs a few dozen index reads whatever
the table holds. When the count showed the listed rows to be few, one DISTINCT over them
is cheaper and is used instead. Boundaries are computed in Python as UTC
datetimes (or dates) and bound like any filter value, so the same SQL serves every
database.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import formats
from django.utils.text import capfirst
from sqlalchemy import Select, and_, extract, func, select

from shop.admin.changelist import conditions
from shop.admin.changelist.params import DATE_PARTS, query_string
from shop.admin.changelist.query import Branches, Joins
from shop.admin.paths import SEPARATOR, ResolvedPath

# Past this many years between the first and the last row, the years are read with a
# DISTINCT instead of one probe per year (data spanning centuries is not a calendar).
MAX_PROBED_YEARS = 200


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


def _range(path: ResolvedPath, parts: tuple[int, ...]) -> Any:
    """`make(expression)` for the rows whose date falls in the year/month/day `parts`."""
    start, end = _bounds(parts)
    low: date | datetime = start
    high: date | datetime | None = end
    if _is_datetime(path):
        low = datetime.combine(start, time(), UTC)
        high = datetime.combine(end, time(), UTC) if end else None

    def make(expression: Any) -> Any:
        lower = expression >= low
        return and_(lower, expression < high) if high is not None else lower

    return make


def range_condition(model: type, path: ResolvedPath, parts: tuple[int, ...]) -> Any:
    """The rows whose date falls in the selected year/month/day."""
    return conditions.on_path(path, model, _range(path, parts))


def _first(filtered: Select[Any], model: type, path: ResolvedPath, *, last: bool = False) -> Any:
    """The earliest (or latest) listed date, as a scalar subquery: one index read.

    ORDER BY ... LIMIT 1 rather than MIN or EXISTS: the planner reads it from the end of
    an index even when the filter joins another table (where MIN would aggregate every
    joined row), and does not cost it as a scan that meets a row early, which for dates
    that grow with the table's physical order is the slowest possible plan.
    """
    joins = Joins(model)
    expression = joins.expression(path)
    statement: Any = filtered.with_only_columns(expression, maintain_column_froms=True)
    statement = joins.apply(statement).where(expression.is_not(None))
    order = expression.desc() if last else expression.asc()
    return statement.order_by(order).limit(1)


def _first_and_last(
    session: Any, filtered: Select[Any], model: type, path: ResolvedPath
) -> tuple[Any, Any]:
    """The first and the last listed date: two index endpoint reads, one statement."""
    first = _first(filtered, model, path).scalar_subquery()
    last = _first(filtered, model, path, last=True).scalar_subquery()
    row = session.execute(select(first, last)).one()
    return row[0], row[1]


def _year_of(value: date | datetime) -> int:
    if isinstance(value, datetime):
        return value.astimezone(UTC).year if value.tzinfo else value.year
    return value.year


def _probe(
    session: Any,
    filtered: Select[Any],
    model: type,
    path: ResolvedPath,
    candidates: Sequence[tuple[int, ...]],
) -> list[tuple[int, ...]]:
    """The candidates (years, months or days) holding at least one listed row: one query."""
    if not candidates:
        return []
    probes = [
        _first(filtered.where(range_condition(model, path, parts)), model, path)
        .scalar_subquery()
        .label(f"_dh_{index}")
        for index, parts in enumerate(candidates)
    ]
    found = session.execute(select(*probes)).one()
    return [parts for parts, value in zip(candidates, found, strict=True) if value is not None]


def _part_columns(expression: Any, path: ResolvedPath, depth: int, dialect: str) -> list[Any]:
    if dialect == "postgresql" and _is_datetime(path):
        expression = func.timezone("UTC", expression)  # timestamptz -> UTC wall time
    return [extract(part, expression).label(f"_dh_{part}") for part in DATE_PARTS[:depth]]


def _distinct(
    session: Any, matched: Any, model: type, path: ResolvedPath, depth: int, dialect: str
) -> list[tuple[int, ...]]:
    """Distinct (year[, month[, day]]) of `matched`: a Select of few rows, or Branches."""
    if isinstance(matched, Branches):
        expression = path.expression  # a local column (see ChangeList)
        found = matched.select(*_part_columns(expression, path, depth, dialect)).subquery()
        statement: Any = select(*found.c).where(found.c[0].is_not(None))
        statement = statement.order_by(*found.c)
    else:
        joins = Joins(model)
        expression = joins.expression(path)
        parts = _part_columns(expression, path, depth, dialect)
        statement = matched.with_only_columns(*parts, maintain_column_froms=True)
        statement = joins.apply(statement).where(expression.is_not(None))
        statement = statement.distinct().order_by(*parts)
    return [tuple(int(value) for value in row) for row in session.execute(statement)]


def _months(year: int) -> list[tuple[int, ...]]:
    return [(year, month) for month in range(1, 13)]


def _days(year: int, month: int) -> list[tuple[int, ...]]:
    return [(year, month, day) for day in range(1, calendar.monthrange(year, month)[1] + 1)]


def _title(day: date, fmt: str) -> str:
    return capfirst(formats.date_format(day, fmt))


class _Levels:
    """How a level's choices are found: index probes, or one DISTINCT over few rows."""

    def __init__(
        self,
        session: Any,
        filtered: Select[Any],
        model: type,
        path: ResolvedPath,
        dialect: str,
        matched: Any,
    ) -> None:
        self.session, self.filtered, self.model, self.path = session, filtered, model, path
        self.dialect, self.matched = dialect, matched

    def _probe(self, candidates: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        return _probe(self.session, self.filtered, self.model, self.path, candidates)

    def _distinct(self, depth: int) -> list[tuple[int, ...]]:
        return _distinct(self.session, self.matched, self.model, self.path, depth, self.dialect)

    def days(self, year: int, month: int) -> list[tuple[int, ...]]:
        if self.matched is not None:
            return self._distinct(3)
        return self._probe(_days(year, month))

    def months(self, year: int) -> list[tuple[int, ...]]:
        if self.matched is not None:
            return [parts for parts in self._distinct(2) if parts[0] == year]
        return self._probe(_months(year))

    def top(self) -> list[tuple[int, ...]]:
        """The years, or the months (year, month) when every row is in one year."""
        if self.matched is not None:
            found = self._distinct(2)
            years = list(dict.fromkeys(parts[:1] for parts in found))
            return found if len(years) == 1 else years
        first, last = _first_and_last(self.session, self.filtered, self.model, self.path)
        if first is None:
            return []
        low, high = _year_of(first), _year_of(last)
        if low == high:
            return self._probe(_months(low))
        if high - low > MAX_PROBED_YEARS:  # centuries apart: read the years instead
            return _distinct(self.session, self.filtered, self.model, self.path, 1, self.dialect)
        return self._probe([(year,) for year in range(low, high + 1)])


def build(
    session: Any,
    filtered: Select[Any],
    model: type,
    path: ResolvedPath,
    selected: tuple[int, ...],
    kept: dict[str, list[str]],
    dialect: str,
    matched: Any = None,
) -> DateHierarchy:
    """The level below `selected` (year, month or day), with Django's links and titles.

    `matched`: the listed rows when they are known to be few (a Select, or query.Branches
    of a search): then a level is one DISTINCT over them rather than index probes.
    """
    keys = [f"{path.name}{SEPARATOR}{part}" for part in DATE_PARTS]
    levels = _Levels(session, filtered, model, path, dialect, matched)

    def link(parts: tuple[int, ...]) -> str:
        new = dict(zip(keys, (str(p) for p in parts), strict=False))
        return query_string(kept, new, remove=[f"{path.name}{SEPARATOR}"])

    def month_choices(months: list[tuple[int, ...]]) -> list[tuple[str, str | None]]:
        return [(_title(date(m[0], m[1], 1), "YEAR_MONTH_FORMAT"), link(m)) for m in months]

    if len(selected) == 3:
        day = date(*selected)
        back = (link(selected[:2]), _title(day, "YEAR_MONTH_FORMAT"))
        return DateHierarchy(back, [(_title(day, "MONTH_DAY_FORMAT"), None)])
    if len(selected) == 2:
        back = (link(selected[:1]), str(selected[0]))
        days = levels.days(*selected)
        return DateHierarchy(back, [(_title(date(*d), "MONTH_DAY_FORMAT"), link(d)) for d in days])
    if selected:
        return DateHierarchy((link(()), "All dates"), month_choices(levels.months(selected[0])))
    found = levels.top()
    if found and len(found[0]) == 2:  # every row in one year: its months, as in Django
        return DateHierarchy(None, month_choices(found))
    return DateHierarchy(None, [(str(year[0]), link(year)) for year in found])
