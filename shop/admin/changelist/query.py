"""The SELECT of one changelist page, built from model_admin.get_query(request).

The entity brings its own columns; every list_display path across a many-to-one is an
extra labeled column through an outer join (one alias per relationship chain), and every
hybrid property is a labeled SQL expression, so nothing is loaded per row. raiseload("*")
makes any lazy load the template might attempt fail loudly instead of querying per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from sqlalchemy import CompoundSelect, Select, and_, case, func, select, union
from sqlalchemy.orm import RelationshipProperty, aliased, raiseload

from shop.admin.changelist.config import ChangeListConfigError, DisplayField
from shop.admin.changelist.ordering import OrderTerm
from shop.admin.paths import ResolvedPath, resolve

LABEL_PREFIX = "_cl"

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def query_labels(statement: Select[Any], model: type) -> dict[str, Any]:
    """Labeled columns get_query() selects after the entity (Django's annotate())."""
    descriptions = statement.column_descriptions
    if not descriptions or descriptions[0].get("entity") is not model:
        raise ChangeListConfigError(
            f"get_query() must select {model.__name__} first, then labeled columns only"
        )
    return {d["name"]: d["expr"] for d in descriptions[1:] if d.get("name")}


def declared_labels(model_admin: ModelAdmin) -> set[str]:
    """The labels get_query() adds, for checks that run without a request (best effort)."""
    try:
        return set(query_labels(model_admin.get_query(HttpRequest()), model_admin.model))
    except Exception:  # a get_query() that needs a real request: nothing to declare
        return set()


class Joins:
    """Outer joins along many-to-one relationships, one alias per relationship chain."""

    def __init__(self, model: type) -> None:
        self.model = model
        self._aliases: dict[tuple[str, ...], tuple[Any, Any, RelationshipProperty[Any]]] = {}

    def expression(self, path: ResolvedPath) -> Any:
        if path.is_local:
            return path.expression
        entity: Any = self.model
        chain: tuple[str, ...] = ()
        for rel in path.relationships:
            chain += (rel.key,)
            if chain not in self._aliases:
                self._aliases[chain] = (aliased(rel.mapper.class_), entity, rel)
            entity = self._aliases[chain][0]
        # A declared attribute name (resolved against the mapper), on the alias.
        return getattr(entity, path.attribute)

    def apply(self, statement: Select[Any]) -> Select[Any]:
        # Insertion order puts every parent alias before its children.
        for alias, parent, rel in self._aliases.values():
            statement = statement.outerjoin(alias, getattr(parent, rel.key).of_type(alias))
        return statement


@dataclass(frozen=True)
class PageQuery:
    statement: Select[Any]
    labels: dict[str, str]  # list_display name -> result column holding its value


def page_query(
    filtered: Select[Any],
    model: type,
    fields: Sequence[DisplayField],
    terms: Sequence[OrderTerm],
    extra: dict[str, Any],
) -> PageQuery:
    """`filtered` with the display columns, ORDER BY `terms`, and raiseload("*")."""
    joins = Joins(model)
    labels: dict[str, str] = {name: name for name in extra}
    columns: dict[str, Any] = {}
    for display in fields:
        path = display.path
        if path is not None and (not path.is_local or path.column is None):
            label = f"{LABEL_PREFIX}{len(columns)}"
            columns[display.name] = joins.expression(path).label(label)
            labels[display.name] = label
    order_by = []
    for term in terms:
        expression = extra.get(term.name)
        if expression is None:
            expression = columns.get(term.name)
        if expression is None:
            expression = joins.expression(resolve(model, term.name))
        order_by.append(expression.desc() if term.descending else expression.asc())
    statement = filtered.add_columns(*columns.values())
    statement = joins.apply(statement).order_by(*order_by).options(raiseload("*"))
    return PageQuery(statement, labels)


@dataclass(frozen=True)
class Branches:
    """A filtered list as a union: the rows of `narrowed` that satisfy any of `conditions`.

    A search term that matches in several tables (a customer's name, a product's SKU) is
    read branch by branch, each through its own index, instead of as one OR.
    """

    narrowed: Select[Any]
    conditions: tuple[Any, ...]

    def parts(self, *columns: Any, each_at_most: int | None = None) -> list[Select[Any]]:
        """One SELECT of `columns` per branch, each reading at most `each_at_most` rows."""
        return [
            self.narrowed.with_only_columns(*columns)
            .where(condition)
            .order_by(None)
            .limit(each_at_most)
            for condition in self.conditions
        ]

    def select(self, *columns: Any, each_at_most: int | None = None) -> CompoundSelect:
        """UNION of `columns` over the branches (a row matching two branches comes once).

        `each_at_most`: read at most this many rows of each branch (for a capped count:
        past the cap in one branch, the union is past it too).
        """
        return union(*self.parts(*columns, each_at_most=each_at_most))


@dataclass(frozen=True)
class BranchKeys:
    """The keys of a search's branches (see Branches), counted branch by branch."""

    branches: Branches
    keys: tuple[Any, ...]

    def union(self, each_at_most: int | None = None) -> CompoundSelect:
        return self.branches.select(*self.keys, each_at_most=each_at_most)

    def capped_count(self, cap: int) -> Select[Any]:
        """The union's count only when no branch alone passes the cap (else cap + 1).

        Each branch is counted as far as cap + 1, streaming; the union, which must gather
        its rows to drop a row two branches share, runs only when every branch is small.
        """
        parts = [
            select(func.count()).select_from(part.subquery()).scalar_subquery()
            for part in self.branches.parts(*self.keys, each_at_most=cap + 1)
        ]
        whole = select(func.count()).select_from(self.union(cap + 1).subquery())
        small = and_(*(part <= cap for part in parts))
        return select(case((small, whole.scalar_subquery()), else_=cap + 1))


def keys_query(filtered: Select[Any], model: type, branches: Branches | None = None) -> Any:
    """The keys of the filtered rows: no ORDER BY, no display columns, no joins."""
    keys = model.__mapper__.primary_key  # type: ignore[attr-defined]
    if branches is not None:
        return BranchKeys(branches, tuple(keys))
    return filtered.with_only_columns(*keys).order_by(None)


def count_query(keys: Any) -> Select[Any]:
    """COUNT(*) of the rows whose keys `keys` selects (see keys_query)."""
    if isinstance(keys, BranchKeys):
        keys = keys.union()
    return select(func.count()).select_from(keys.subquery())


def capped_count_query(keys: Any, cap: int) -> Select[Any]:
    """COUNT(*) of at most `cap` + 1 of those rows: the scan stops there."""
    if isinstance(keys, BranchKeys):
        return keys.capped_count(cap)
    return select(func.count()).select_from(keys.limit(cap + 1).subquery())
