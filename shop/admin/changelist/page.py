"""Reading one page of rows, in one statement, whichever way the page was reached.

- Near the start: LIMIT/OFFSET.
- A deep page number: the offset is walked over keys alone (a deferred join).
- Next/previous (`_after`/`_before`): from the boundary row's ordering values (seek).
- A search over several tables (query.Branches), and on PostgreSQL a filtered set
  known to be small (its count stopped below the cap): the page's keys are picked from
  the matching rows' keys and ordering values first, and only those rows are read.
  This keeps the planner from walking the ordering index past every row a selective
  filter rejects (it assumes matches are spread evenly, and names that start alike are
  not), while a big, unselective filter still reads the index in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shop.admin.changelist import pagination, seek
from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.ordering import OrderTerm
from shop.admin.changelist.params import AFTER_VAR
from shop.admin.changelist.query import Branches, page_query


@dataclass(frozen=True)
class PageSpec:
    """What the page shows and how it is ordered."""

    base: Select[Any]  # get_query(): every row, no filter
    filtered: Select[Any]  # the listed rows, as read along the ordering index
    model: type
    fields: Sequence[DisplayField]
    terms: Sequence[OrderTerm]  # with the tiebreak
    extra: dict[str, Any]
    branches: Branches | None = None
    small: bool = False  # the filtered set holds at most the count cap (counted exactly)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    labels: dict[str, str]


def fetch(
    session: Session,
    spec: PageSpec,
    plan: pagination.Pagination,
    key: seek.SeekKey | None,
    cursor: tuple[str, str] | None,
    dialect: str,
) -> Page:
    """The page's rows (at most per_page), setting `plan.has_next` when it is unknown."""
    if key is not None and not plan.show_all:
        source = _key_source(spec, key, dialect)
        if source is not None:
            return _from_keys(session, spec, plan, key, source, cursor, dialect)
        if cursor is not None:
            return _from_position(session, spec, plan, key, cursor, dialect)
    built = page_query(spec.filtered, spec.model, spec.fields, spec.terms, spec.extra)
    size = pagination.fetch_size(plan)
    if size is None:
        statement = built.statement
    elif key is not None and plan.offset >= seek.DEFER_AFTER:
        statement = seek.deferred(built.statement, spec.filtered, key, size, plan.offset)
    else:
        statement = built.statement.limit(size).offset(plan.offset)
    rows = pagination.trim(list(session.execute(statement)), plan)
    return Page(rows, built.labels)


def _key_source(spec: PageSpec, key: seek.SeekKey, dialect: str) -> Any:
    """The matching rows' keys and ordering values, when the page should start from them."""
    (pk,) = spec.model.__mapper__.primary_key  # type: ignore[attr-defined]
    columns = [pk.label("_key")] + [
        column.expression.label(f"_o{index}") for index, column in enumerate(key.columns)
    ]
    if not spec.small:
        return None  # many rows match: reading the ordering index meets them soon
    if spec.branches is not None:
        return spec.branches.select(*columns).subquery("matched")
    if dialect == "postgresql":
        # OFFSET 0 keeps the subquery apart: it is planned for its filter alone.
        fenced = spec.filtered.with_only_columns(*columns).order_by(None).offset(0)
        return fenced.subquery("matched")
    return None


def _from_keys(
    session: Session,
    spec: PageSpec,
    plan: pagination.Pagination,
    key: seek.SeekKey,
    source: Any,
    cursor: tuple[str, str] | None,
    dialect: str,
) -> Page:
    """The page's keys picked from `source`, then the rows of those keys."""
    values = [source.c[f"_o{index}"] for index in range(len(key.columns))]
    forward = cursor is None or cursor[0] == AFTER_VAR
    keys = select(source.c._key)
    if cursor is not None:
        boundary = key.decode(cursor[1])
        keys = keys.where(
            seek.beyond(key, boundary, forward=forward, dialect=dialect, expressions=values)
        )
        limit, offset = plan.per_page + 1, 0
    else:
        limit, offset = pagination.fetch_size(plan) or plan.per_page, plan.offset
    order = [
        value.desc() if column.descending == forward else value.asc()
        for value, column in zip(values, key.columns, strict=True)
    ]
    chosen = keys.order_by(*order).limit(limit).offset(offset).subquery("page_keys")
    built = page_query(spec.base, spec.model, spec.fields, spec.terms, spec.extra)
    (pk,) = spec.model.__mapper__.primary_key  # type: ignore[attr-defined]
    rows = list(session.execute(built.statement.join(chosen, pk == chosen.c._key)))
    if cursor is None:
        return Page(pagination.trim(rows, plan), built.labels)
    return Page(_around(rows, plan, forward), built.labels)


def _around(rows: list[Any], plan: pagination.Pagination, forward: bool) -> list[Any]:
    """A seek page's rows without the look-ahead row, which lies past the page's far end."""
    if forward:
        has_next, shown = len(rows) > plan.per_page, rows[: plan.per_page]
    else:  # read backwards: the extra row is the earliest, and the cursor's row follows
        has_next, shown = True, rows[-plan.per_page :]
    if plan.known:
        return shown
    return pagination.trim(shown, plan, more_after=has_next)


def _from_position(
    session: Session,
    spec: PageSpec,
    plan: pagination.Pagination,
    key: seek.SeekKey,
    cursor: tuple[str, str],
    dialect: str,
) -> Page:
    """The page after (or before) the row whose ordering values the cursor carries."""
    direction, raw = cursor
    forward = direction == AFTER_VAR
    boundary = key.decode(raw)
    filtered = spec.filtered.where(seek.beyond(key, boundary, forward=forward, dialect=dialect))
    terms = spec.terms if forward else seek.reversed_terms(spec.terms)
    built = page_query(filtered, spec.model, spec.fields, terms, spec.extra)
    found = list(session.execute(built.statement.limit(plan.per_page + 1)))
    if not forward:
        found.reverse()  # now in the list's order, the look-ahead row first
    return Page(_around(found, plan, forward), built.labels)
