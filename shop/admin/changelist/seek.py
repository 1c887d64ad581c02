"""Seek pagination: the next and previous pages start from the key of the row last shown.

`OFFSET 1,000,000` makes the database walk a million rows to throw them away. The
"Next" link of a page carries the ordering values of its last row instead
(`?p=10001&_after=["2026-11-30T09:12:00+00:00",999901]`), and the next page is
`WHERE (created_at, id) < (...) ORDER BY created_at DESC, id DESC LIMIT 101`: an index
range that starts where the last page ended, as cheap on page 10,000 as on page 1.
"Previous" carries the first row's values (`_before`) and reads backwards.

Only orderings made of the model's own non-null columns can seek (an annotation or a
related column is no index key, and NULLs have no place in a comparison); the page
number stays a label. A page reached by number (a deep `?p=` link) joins the page's
rows to their keys read alone (a deferred join), so the walk to the offset is an
index-only scan of keys instead of whole rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, literal, or_, tuple_

from shop.admin.changelist import values
from shop.admin.changelist.ordering import OrderTerm
from shop.admin.changelist.params import IncorrectLookupParameters
from shop.admin.paths import PathError, resolve

# Below this offset a plain LIMIT/OFFSET is as cheap as a deferred join.
DEFER_AFTER = 1000


@dataclass(frozen=True)
class SeekColumn:
    name: str  # the mapped attribute
    expression: Any  # its column
    descending: bool


@dataclass(frozen=True)
class SeekKey:
    """The ordering of a list, when it is made of local non-null columns only."""

    columns: tuple[SeekColumn, ...]

    def order_by(self) -> list[Any]:
        return [c.expression.desc() if c.descending else c.expression.asc() for c in self.columns]

    def values_of(self, obj: Any) -> list[Any]:
        return [getattr(obj, column.name) for column in self.columns]

    def encode(self, obj: Any) -> str:
        """The row's ordering values as the `_after`/`_before` parameter (JSON)."""
        return json.dumps([_plain(value) for value in self.values_of(obj)], separators=(",", ":"))

    def decode(self, raw: str) -> list[Any]:
        """Typed values from a parameter; IncorrectLookupParameters when they do not fit."""
        try:
            items = json.loads(raw)
        except ValueError:
            raise IncorrectLookupParameters("bad page position") from None
        if not isinstance(items, list) or len(items) != len(self.columns):
            raise IncorrectLookupParameters("bad page position")
        typed = []
        for item, column in zip(items, self.columns, strict=True):
            if item is None or isinstance(item, list | dict | float):
                raise IncorrectLookupParameters("bad page position")
            text = ("1" if item else "0") if isinstance(item, bool) else str(item)
            try:
                typed.append(values.coerce(column.expression.type, text))
            except values.BadValue:
                raise IncorrectLookupParameters("bad page position") from None
        return typed


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def seek_key(model: type, terms: Sequence[OrderTerm]) -> SeekKey | None:
    """The seek key of `terms`, or None when the ordering cannot seek."""
    columns = []
    for term in terms:
        try:
            path = resolve(model, term.name)
        except PathError:
            return None  # a label of get_query(): computed, not stored
        column = path.column
        if not path.is_local or column is None or column.nullable:
            return None
        columns.append(SeekColumn(term.name, path.expression, term.descending))
    return SeekKey(tuple(columns)) if columns else None


def reversed_terms(terms: Sequence[OrderTerm]) -> list[OrderTerm]:
    return [OrderTerm(term.name, not term.descending) for term in terms]


def beyond(
    key: SeekKey,
    boundary: Sequence[Any],
    *,
    forward: bool,
    dialect: str,
    expressions: Sequence[Any] | None = None,
) -> Any:
    """The rows strictly after (`forward`) or before `boundary` in the key's order.

    `expressions`: where the ordering values are read (by default the key's columns).
    """
    # Past the boundary means "less" on a descending column, "greater" on an ascending one.
    later = [column.descending == forward for column in key.columns]  # True: "<"
    if expressions is None:
        expressions = [column.expression for column in key.columns]
    types = [column.expression.type for column in key.columns]
    if dialect == "postgresql" and len(set(later)) == 1:
        # A row comparison is one index range on PostgreSQL.
        typed = [literal(value, kind) for value, kind in zip(boundary, types, strict=True)]
        left, right = tuple_(*expressions), tuple_(*typed)
        return left < right if later[0] else left > right
    # Otherwise the lexicographic expansion, led by a bound on the first column so that
    # an index on it starts the scan at the boundary.
    branches = []
    for index, expression in enumerate(expressions):
        equal = [expressions[i] == boundary[i] for i in range(index)]
        step = expression < boundary[index] if later[index] else expression > boundary[index]
        branches.append(and_(*equal, step))
    first = expressions[0] <= boundary[0] if later[0] else expressions[0] >= boundary[0]
    return and_(first, or_(*branches))


def deferred(
    statement: Select[Any], filtered: Select[Any], key: SeekKey, limit: int, offset: int
) -> Select[Any]:
    """`statement` limited to one page, the offset walked over keys only (a deferred join)."""
    (pk,) = filtered.column_descriptions[0]["entity"].__mapper__.primary_key
    keys = (
        filtered.with_only_columns(pk.label("_key"))
        .order_by(*key.order_by())
        .limit(limit)
        .offset(offset)
        .subquery("page_keys")
    )
    return statement.join(keys, pk == keys.c._key)
