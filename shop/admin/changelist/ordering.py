"""Ordering: `o=2.-1` over list_display indexes, else the ModelAdmin's ordering, then the pk.

As in Django: without `o` the default ordering applies (get_ordering(), else -pk); with
`o` only the columns it names. Either way the primary key is appended unless the ordering
already includes it or a unique non-null column, so equal values never reorder between
pages. Unlike Django's fixed `-pk`, the key follows the direction of the last term: then
one index on (ordering columns, key), read forwards or backwards, serves the page, its
neighbours (seek pagination) and a deep page.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from shop.admin.changelist.config import DisplayField, validate_ordering_entry

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


@dataclass(frozen=True)
class OrderTerm:
    name: str  # a field path of the model, or a label of get_query()
    descending: bool


def default_terms(
    model_admin: ModelAdmin, request: HttpRequest, extra: Collection[str]
) -> list[OrderTerm]:
    names = model_admin.get_ordering(request)
    return [
        OrderTerm(validate_ordering_entry(model_admin, name, extra), name.startswith("-"))
        for name in names
    ]


def requested_terms(
    fields: Sequence[DisplayField], order: Sequence[tuple[int, bool]]
) -> list[OrderTerm]:
    """The terms of a parsed `o=` (its indexes were checked to be sortable)."""
    terms = []
    for index, descending in order:
        name = fields[index].order_name
        assert name is not None  # parse_order only lets sortable indexes through
        terms.append(OrderTerm(name, descending))
    return terms


def _unique_names(model: type) -> set[str]:
    """Attributes whose value alone identifies a row: the pk, unique non-null columns."""
    mapper = model.__mapper__  # type: ignore[attr-defined]
    names = set()
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        is_pk = len(mapper.primary_key) == 1 and column is mapper.primary_key[0]
        if is_pk or (getattr(column, "unique", False) and not column.nullable):
            names.add(prop.key)
    return names


def with_tiebreak(model: type, terms: list[OrderTerm]) -> list[OrderTerm]:
    """`terms` plus the primary key, unless they already order rows totally."""
    if any(term.name in _unique_names(model) for term in terms):
        return terms
    mapper = model.__mapper__  # type: ignore[attr-defined]
    pk_names = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    descending = terms[-1].descending if terms else True  # no ordering at all: -pk
    return terms + [OrderTerm(name, descending) for name in pk_names]


def sorted_columns(
    fields: Sequence[DisplayField],
    order: Sequence[tuple[int, bool]] | None,
    default: Sequence[OrderTerm],
) -> dict[int, str]:
    """list_display index -> "asc"/"desc", in priority order (what the headers show)."""
    if order is not None:
        return {index: "desc" if descending else "asc" for index, descending in order}
    columns: dict[int, str] = {}
    for term in default:
        for index, display in enumerate(fields):
            if display.order_name == term.name and index not in columns:
                columns[index] = "desc" if term.descending else "asc"
                break
    return columns
