"""Which of a parent's children an inline shows: one page of them, and how many there are.

Up to the inline's `max_shown` children the page shows them all. A parent with more
shows one page of `max_shown` rows at a time, in the inline's order (its `ordering`,
then the primary key, so every row is on exactly one page), chosen by the query
parameter `<prefix>-page` of the change page (`?items-page=3`, 1-based like the
changelist's `p`). A page number that is not a number, or below 1, is the first page;
past the last one, the last page. The rows and their count come back in one query: the
count is capped at COUNT_CAP (it reads at most that many index entries, never all of a
huge child set), and past the cap the last pages are reached through the child list.

A POST reads back only the rows it names by id among the parent's children, so a save
never touches a row that was not on the page the user saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import func, literal, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from shop.admin.forms.related import parse_key
from shop.admin.inlines.relation import eager_loads, ordering_of

if TYPE_CHECKING:
    from shop.admin.inlines.options import InlineModelAdmin

PAGE_SUFFIX = "page"  # the page parameter is `<prefix>-page`: items-page=3
COUNT_CAP = 10_000  # children counted at most; past it the count shows as "more than"
DIGITS_RE = re.compile(r"[0-9]+")
MAX_DIGITS = 9
ID_FIELD = "id"


@dataclass(frozen=True)
class InlinePage:
    """The page of children shown: its number, its size and the (capped) count of all."""

    number: int  # 1-based
    per_page: int
    count: int  # children counted, at most COUNT_CAP
    capped: bool  # there are more than COUNT_CAP

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.count / self.per_page))

    @property
    def first_index(self) -> int:
        """The position of the page's first row among all children (1-based)."""
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.count)


def page_param(prefix: str) -> str:
    """The change page's query parameter that names the inline's page (`items-page`)."""
    return f"{prefix}-{PAGE_SUFFIX}"


def requested_page(request: HttpRequest, prefix: str) -> int:
    """The page asked for; anything that is not a page number asks for the first."""
    raw = request.GET.get(page_param(prefix), "")
    if not DIGITS_RE.fullmatch(raw):
        return 1
    # Any longer number is past the last page anyway (and int() refuses the longest).
    return max(1, int(raw)) if len(raw) <= MAX_DIGITS else 10**MAX_DIGITS


def last_reachable_page(per_page: int) -> int:
    return max(1, ceil(COUNT_CAP / per_page))


def load_page(
    session: Session,
    request: HttpRequest,
    inline: InlineModelAdmin,
    parent: Any,
    *,
    shown: list[str],
    per_page: int,
) -> tuple[list[Any], InlinePage | None]:
    """The rows of the requested page and the page (None when every child fits on one)."""
    if parent is None or sa_inspect(parent).key is None:
        return [], None
    number = min(requested_page(request, inline.prefix), last_reachable_page(per_page))
    rows, count = _page_rows(session, request, inline, parent, shown, number, per_page)
    if count is None:  # past the last page: no row carried the count
        count = count_children(session, request, inline, parent, cap=COUNT_CAP + 1)
        number = max(1, ceil(min(count, COUNT_CAP) / per_page))
        rows, _count = _page_rows(session, request, inline, parent, shown, number, per_page)
    if count <= per_page:
        return rows, None
    return rows, InlinePage(number, per_page, min(count, COUNT_CAP), count > COUNT_CAP)


def _page_rows(
    session: Session,
    request: HttpRequest,
    inline: InlineModelAdmin,
    parent: Any,
    shown: list[str],
    number: int,
    per_page: int,
) -> tuple[list[Any], int | None]:
    """One page of children and the capped count of all of them, in one query.

    The count is an uncorrelated scalar subquery: the database computes it once, over at
    most COUNT_CAP + 1 index entries. None when the page holds no row to carry it.
    """
    total = _count_of(_capped_rows(request, inline, parent, COUNT_CAP + 1)).scalar_subquery()
    statement = (
        _of_parent(request, inline, parent)
        .add_columns(total.label("inline_child_count"))
        .order_by(*ordering_of(inline, request))
        .offset((number - 1) * per_page)
        .limit(per_page)
        .options(*eager_loads(inline, shown))
    )
    result = session.execute(statement).unique().all()
    if not result:
        return [], None if number > 1 else 0
    return [row[0] for row in result], int(result[0][-1])


def load_posted(
    session: Session,
    request: HttpRequest,
    inline: InlineModelAdmin,
    parent: Any,
    data: Any,
    *,
    shown: list[str],
    most: int,
) -> list[Any]:
    """The parent's children that a POST names as its existing rows (at most `most`)."""
    if parent is None or sa_inspect(parent).key is None:
        return []
    keys = posted_keys(inline, data, most)
    if not keys:
        return []
    key_column = inline.mapper.primary_key[0]
    statement = (
        _of_parent(request, inline, parent)
        .where(key_column.in_(keys))
        .options(*eager_loads(inline, shown))
    )
    return list(session.execute(statement).unique().scalars().all())


def posted_keys(inline: InlineModelAdmin, data: Any, most: int) -> list[Any]:
    """The ids of the existing rows a POST holds; ids that cannot be keys are left out
    (the formset reports their rows as unknown)."""
    prefix = inline.prefix
    raw = str(data.get(f"{prefix}-INITIAL_FORMS", ""))
    initial = min(int(raw), most) if DIGITS_RE.fullmatch(raw) and len(raw) <= MAX_DIGITS else 0
    keys = []
    for index in range(initial):
        try:
            keys.append(parse_key(inline.mapper, data.get(f"{prefix}-{index}-{ID_FIELD}")))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(keys))


def page_after_post(
    session: Session, request: HttpRequest, inline: InlineModelAdmin, parent: Any, per_page: int
) -> InlinePage | None:
    """The page a re-shown POST came from, for its page links (one capped count)."""
    if parent is None or sa_inspect(parent).key is None:
        return None
    count = count_children(session, request, inline, parent, cap=COUNT_CAP + 1)
    if count <= per_page:
        return None
    capped = min(count, COUNT_CAP)
    number = min(requested_page(request, inline.prefix), ceil(capped / per_page))
    return InlinePage(number, per_page, capped, count > COUNT_CAP)


def count_children(
    session: Session, request: HttpRequest, inline: InlineModelAdmin, parent: Any, *, cap: int
) -> int:
    """How many children of `parent` the user's query scope holds, counting at most `cap`."""
    if parent is None or sa_inspect(parent).key is None:
        return 0
    statement = _count_of(_capped_rows(request, inline, parent, cap))
    return int(session.execute(statement).scalar_one())


def _of_parent(request: HttpRequest, inline: InlineModelAdmin, parent: Any) -> Any:
    return inline.get_query(request).where(*inline.relation.condition(inline.model, parent))


def _capped_rows(request: HttpRequest, inline: InlineModelAdmin, parent: Any, cap: int) -> Any:
    # A constant per row, not the row: an index on the parent's key answers it alone.
    scoped = _of_parent(request, inline, parent).order_by(None)
    return scoped.with_only_columns(literal(1), maintain_column_froms=True).limit(cap)


def _count_of(rows: Any) -> Any:
    return select(func.count()).select_from(rows.subquery())
