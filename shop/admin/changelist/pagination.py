"""Counting and paging: never two COUNTs of one set, and no COUNT of a huge table at all
when the ModelAdmin says so.

- "exact": COUNT(*) over the filtered keys (no ORDER BY, no display joins). The total of
  the unfiltered list is counted only when filters are active and show_full_result_count.
- "estimate": an unfiltered list on PostgreSQL uses the planner's estimate
  (pg_class.reltuples) once it is above estimate_count_above; elsewhere, for small
  tables, never-analyzed tables or a scoped get_query(), it counts exactly.
- "none": the unfiltered table is never counted; the page fetches one row more than it
  shows to know whether there is a next page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from sqlalchemy import Select, column, func, select, table
from sqlalchemy.orm import Session

from shop.admin.changelist.params import IncorrectLookupParameters
from shop.admin.changelist.query import count_query
from shop.admin.options import ModelAdmin

if TYPE_CHECKING:
    from shop.admin.changelist.params import ChangeListParams

PG_CLASS = table("pg_class", column("oid"), column("reltuples"), schema="pg_catalog")


@dataclass(frozen=True)
class Count:
    value: int | None  # None: not counted
    estimated: bool = False


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
        """An exact count: page numbers can be shown."""
        return self.result_count.value is not None and not self.result_count.estimated

    @property
    def multi_page(self) -> bool:
        if self.known:
            return (self.num_pages or 1) > 1
        return self.page > 1 or self.has_next


def _exact(session: Session, statement: Select[Any], model: type) -> Count:
    return Count(session.execute(count_query(statement, model)).scalar_one())


def _estimate(session: Session, model_admin: ModelAdmin) -> int | None:
    """The planner's row estimate, or None where there is none to trust."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    if type(model_admin).get_query is not ModelAdmin.get_query:
        return None  # a scoped list: the table's size says nothing about it
    name = bind.dialect.identifier_preparer.format_table(model_admin.table)
    statement = select(PG_CLASS.c.reltuples).where(PG_CLASS.c.oid == func.to_regclass(name))
    estimate = session.execute(statement).scalar()
    if estimate is None or estimate < 0:  # -1: never analyzed
        return None
    return int(estimate)


def count_unfiltered(
    session: Session, base: Select[Any], model_admin: ModelAdmin, strategy: str
) -> Count:
    if strategy == "none":
        return Count(None)
    if strategy == "estimate":
        estimate = _estimate(session, model_admin)
        if estimate is not None and estimate >= model_admin.estimate_count_above:
            return Count(estimate, estimated=True)
    return _exact(session, base, model_admin.model)


def count(
    session: Session,
    base: Select[Any],
    filtered: Select[Any],
    model_admin: ModelAdmin,
    params: ChangeListParams,
) -> tuple[Count, Count]:
    """(filtered count, unfiltered count) with at most one COUNT per set."""
    strategy = model_admin.count_strategy
    if not params.is_filtered:
        total = count_unfiltered(session, base, model_admin, strategy)
        return total, total
    result = _exact(session, filtered, model_admin.model)
    if not model_admin.show_full_result_count:
        return result, Count(None)
    return result, count_unfiltered(session, base, model_admin, strategy)


def plan(
    model_admin: ModelAdmin, params: ChangeListParams, result: Count, full: Count
) -> Pagination:
    """Which rows to fetch; IncorrectLookupParameters for a page that does not exist."""
    per_page = model_admin.list_per_page
    pagination = Pagination(params.page, per_page, result, full)
    if not pagination.known:
        return pagination
    assert result.value is not None
    paginator = Paginator(range(result.value), per_page)
    if params.page > paginator.num_pages:
        raise IncorrectLookupParameters("no such page")
    pagination.num_pages = paginator.num_pages
    pagination.show_all = params.show_all and result.value <= model_admin.list_max_show_all
    if not pagination.show_all and paginator.num_pages > 1:
        pagination.page_range = list(paginator.get_elided_page_range(params.page))
    return pagination


def limit_page(statement: Select[Any], pagination: Pagination) -> Select[Any]:
    """LIMIT/OFFSET of the page; one extra row when the count is unknown."""
    if pagination.show_all:
        return statement
    extra = 0 if pagination.known else 1
    offset = (pagination.page - 1) * pagination.per_page
    return statement.limit(pagination.per_page + extra).offset(offset)


def trim(rows: list[Any], pagination: Pagination) -> list[Any]:
    """Drop the look-ahead row; an empty page past the first does not exist."""
    if pagination.known or pagination.show_all:
        return rows
    if not rows and pagination.page > 1:
        raise IncorrectLookupParameters("no such page")
    pagination.has_next = len(rows) > pagination.per_page
    return rows[: pagination.per_page]
