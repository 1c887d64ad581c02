"""Counting and paging without reading a big table to the end.

Counts, by `count_strategy`:
- "estimate" (the default): every set is counted up to `count_cap` rows and no further
  (`SELECT count(*) FROM (SELECT key ... LIMIT cap + 1)`), so small sets get exact
  counts and big ones stop at "10,000+". An unfiltered, unscoped list past the cap on
  PostgreSQL shows the planner's estimate of the table instead ("about 1,000,000"),
  read in the same statement.
- "exact": COUNT(*) of the whole set, however big.
- "none": the unfiltered list is not counted at all.
Without an exact count the page fetches one row more than it shows to know whether a
next page exists, and links the pages around the current one instead of the last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.utils.formats import number_format
from sqlalchemy import Float, Select, cast, column, func, literal, select, table
from sqlalchemy.orm import Session

from shop.admin.changelist.params import IncorrectLookupParameters
from shop.admin.changelist.query import capped_count_query, count_query, keys_query

if TYPE_CHECKING:
    from shop.admin.changelist.params import ChangeListParams
    from shop.admin.options import ModelAdmin

PG_CLASS = table(
    "pg_class",
    column("oid"),
    column("relname"),
    column("reltuples"),
    column("relpages"),
    schema="pg_catalog",
)
ELLIPSIS = "…"
PAGES_AROUND = 3  # links shown before the current page when the last page is unknown


@dataclass(frozen=True)
class Count:
    value: int | None  # None: not counted
    estimated: bool = False  # the planner's estimate of the table
    capped: bool = False  # counting stopped at `value`: there are more

    @property
    def exact(self) -> int | None:
        return None if self.estimated or self.capped else self.value

    @property
    def display(self) -> str:
        """ "1,234", "about 1,000,000" or "10,000+" ("" when not counted)."""
        if self.value is None:
            return ""
        text = number_format(self.value, force_grouping=True)
        if self.estimated:
            return f"about {text}"
        return f"{text}+" if self.capped else text

    @property
    def is_one(self) -> bool:
        return self.value == 1 and self.exact is not None


@dataclass
class Pagination:
    page: int
    per_page: int
    result_count: Count  # the rows this list shows (filtered)
    full_count: Count  # the whole list (unfiltered)
    show_all: bool = False
    has_next: bool = False
    page_range: list[Any] = field(default_factory=list)
    num_pages: int | None = None

    @property
    def known(self) -> bool:
        """An exact count: every page number, the last included, can be shown."""
        return self.result_count.exact is not None

    @property
    def multi_page(self) -> bool:
        if self.known:
            return (self.num_pages or 1) > 1
        return self.page > 1 or self.has_next

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def rounded(estimate: float) -> int:
    """An estimate to two significant digits: 4,998,713 reads "about 5,000,000"."""
    value = int(estimate)
    digits = len(str(value))
    if digits <= 2:
        return value
    step = 10 ** (digits - 2)
    return round(value / step) * step


def _estimate_expression(model_admin: ModelAdmin, bind: Any) -> Any:
    """PostgreSQL's row estimate, scaled to the table's current size as the planner does."""
    name = bind.dialect.identifier_preparer.format_table(model_admin.table)
    pages = func.pg_relation_size(PG_CLASS.c.oid) / cast(func.current_setting("block_size"), Float)
    scaled = PG_CLASS.c.reltuples / func.nullif(PG_CLASS.c.relpages, 0) * pages
    estimate = func.coalesce(scaled, PG_CLASS.c.reltuples)
    return (
        select(estimate).where(PG_CLASS.c.oid == func.to_regclass(literal(name))).scalar_subquery()
    )


def _unscoped(base: Select[Any], model_admin: ModelAdmin) -> bool:
    """The list reads every row of its table (so the table's size is the list's)."""
    froms = base.get_final_froms()
    return base.whereclause is None and len(froms) == 1 and froms[0] is model_admin.table


def _capped(session: Session, keys: Any, model_admin: ModelAdmin) -> Count:
    cap = model_admin.count_cap
    found = session.execute(capped_count_query(keys, cap)).scalar_one()
    return Count(cap, capped=True) if found > cap else Count(found)


def _table(session: Session, base: Select[Any], model_admin: ModelAdmin) -> Count:
    """The unfiltered list: capped, with the planner's estimate past the cap (PostgreSQL)."""
    bind = session.get_bind()
    keys = keys_query(base, model_admin.model)
    if bind.dialect.name != "postgresql" or not _unscoped(base, model_admin):
        return _capped(session, keys, model_admin)
    cap = model_admin.count_cap
    counted = capped_count_query(keys, cap).scalar_subquery()
    found, estimate = session.execute(
        select(counted, _estimate_expression(model_admin, bind))
    ).one()
    if found <= cap:
        return Count(found)
    if estimate is None or estimate <= cap:  # never analyzed, or out of date
        return Count(cap, capped=True)
    return Count(rounded(estimate), estimated=True)


def _estimates(session: Session, model_admins: Sequence[ModelAdmin]) -> dict[str, float]:
    """PostgreSQL's row estimate of each table (by name), in one read of pg_class."""
    bind = session.get_bind()
    quote = bind.dialect.identifier_preparer
    oids = [func.to_regclass(literal(quote.format_table(admin.table))) for admin in model_admins]
    pages = func.pg_relation_size(PG_CLASS.c.oid) / cast(func.current_setting("block_size"), Float)
    scaled = cast(PG_CLASS.c.reltuples, Float) / func.nullif(PG_CLASS.c.relpages, 0) * pages
    statement = select(PG_CLASS.c.relname, func.coalesce(scaled, PG_CLASS.c.reltuples))
    rows = session.execute(statement.where(PG_CLASS.c.oid.in_(oids)))
    return {name: estimate for name, estimate in rows if estimate is not None and estimate >= 0}


# A table estimated past the index's cap is still counted this far: an estimate left high
# by a mass delete not yet vacuumed must not turn a few rows into "about 100,000".
ESTIMATE_CHECK = 100


def table_counts(session: Session, model_admins: Sequence[ModelAdmin], cap: int) -> list[Count]:
    """Row counts of the models' tables for the index pages, in at most two statements.

    On PostgreSQL a table estimated at `cap` rows or more shows its estimate (read from
    pg_class) once it holds more than ESTIMATE_CHECK rows; every other table is counted
    up to the cap. The counts are one statement of COUNTs.
    """
    if not model_admins:
        return []
    estimates = {}
    if session.get_bind().dialect.name == "postgresql":
        estimates = _estimates(session, model_admins)
    big = [estimates.get(admin.table.name, 0) >= cap for admin in model_admins]
    limits = [min(cap, ESTIMATE_CHECK) if estimated else cap for estimated in big]
    columns = [
        capped_count_query(keys_query(select(admin.table), admin.model), limit)
        .scalar_subquery()
        .label(f"n{index}")
        for index, (admin, limit) in enumerate(zip(model_admins, limits, strict=True))
    ]
    found = session.execute(select(*columns)).one()
    counts = []
    for admin, estimated, limit, counted in zip(model_admins, big, limits, found, strict=True):
        if counted <= limit:
            counts.append(Count(counted))
        elif estimated:
            counts.append(Count(rounded(estimates[admin.table.name]), estimated=True))
        else:
            counts.append(Count(cap, capped=True))
    return counts


def _exact(session: Session, keys: Any) -> Count:
    return Count(session.execute(count_query(keys)).scalar_one())


def count_unfiltered(session: Session, base: Select[Any], model_admin: ModelAdmin) -> Count:
    strategy = model_admin.count_strategy
    if strategy == "none":
        return Count(None)
    if strategy == "exact":
        return _exact(session, keys_query(base, model_admin.model))
    return _table(session, base, model_admin)


def count(
    session: Session,
    base: Select[Any],
    keys: Any,
    model_admin: ModelAdmin,
    params: ChangeListParams,
) -> tuple[Count, Count]:
    """(filtered count, unfiltered count) with at most one count statement per set.

    `keys` selects the keys of the filtered rows (query.keys_query).
    """
    if not params.is_filtered:
        total = count_unfiltered(session, base, model_admin)
        return total, total
    if model_admin.count_strategy == "exact":
        result = _exact(session, keys)
    else:
        result = _capped(session, keys, model_admin)
    if not model_admin.show_full_result_count:
        return result, Count(None)
    return result, count_unfiltered(session, base, model_admin)


def plan(
    model_admin: ModelAdmin, params: ChangeListParams, result: Count, full: Count
) -> Pagination:
    """Which rows to fetch; IncorrectLookupParameters for a page that does not exist."""
    per_page = model_admin.list_per_page
    pagination = Pagination(params.page, per_page, result, full)
    exact = result.exact
    if exact is None:
        return pagination
    paginator = Paginator(range(exact), per_page)
    if params.page > paginator.num_pages:
        raise IncorrectLookupParameters("no such page")
    pagination.num_pages = paginator.num_pages
    pagination.show_all = params.show_all and exact <= model_admin.list_max_show_all
    if not pagination.show_all and paginator.num_pages > 1:
        pagination.page_range = list(paginator.get_elided_page_range(params.page))
    return pagination


def fetch_size(pagination: Pagination) -> int | None:
    """Rows to fetch for the page: one more than shown when the count is not exact."""
    if pagination.show_all:
        return None
    return pagination.per_page + (0 if pagination.known else 1)


def trim(rows: list[Any], pagination: Pagination, *, more_after: bool = False) -> list[Any]:
    """Drop the look-ahead row and link the pages around this one when the last is unknown.

    `more_after`: rows are known to follow this page (it was reached backwards).
    """
    if pagination.known or pagination.show_all:
        return rows
    if not rows and pagination.page > 1:
        raise IncorrectLookupParameters("no such page")
    pagination.has_next = more_after or len(rows) > pagination.per_page
    pagination.page_range = open_page_range(pagination.page, pagination.has_next)
    return rows[: pagination.per_page]


def open_page_range(page: int, has_next: bool) -> list[int | str]:
    """1 2 … p-3 p-2 p-1 p p+1 …: the pages known to exist, and more to come."""
    numbers = sorted({1, 2, *range(max(1, page - PAGES_AROUND), page + 1)})
    numbers = [n for n in numbers if n <= page]
    if has_next:
        numbers.append(page + 1)
    result: list[int | str] = []
    for number in numbers:
        if result and isinstance(result[-1], int) and number > result[-1] + 1:
            result.append(ELLIPSIS)
        result.append(number)
    if has_next:
        result.append(ELLIPSIS)
    return result if len(numbers) > 1 else []
