"""WHERE conditions from resolved paths and a fixed table of lookups.

A condition on a path across relationships is an EXISTS (relationship `.has()` for
many-to-one, `.any()` for to-many), never a join: the list keeps one row per object and
the count stays right. SQLAlchemy never correlates the EXISTS's own table to the outer
query; a step that comes back to a class already in the path gets an alias, so
self-referential relationships (a user's followers) work too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_
from sqlalchemy.orm import RelationshipProperty, aliased

from shop.admin.paths import ResolvedPath

# The only operators a query string can reach: Django's lookup names.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
LOOKUPS = frozenset({*COMPARISONS, "in", "isnull"})
RANGE_LOOKUPS = frozenset({"gt", "gte", "lt", "lte"})

Condition = ColumnElement[bool]


def through(
    model: type,
    relationships: Sequence[RelationshipProperty[Any]],
    make: Callable[[Any], Condition],
) -> Condition:
    """`make(entity)` on the entity at the end of `relationships`, wrapped in EXISTS."""
    entities: list[Any] = [model]
    for rel in relationships:
        target = rel.mapper.class_
        # An alias only where a class repeats (self-referential): aliased() is not free.
        seen = any(getattr(entity, "__mapper__", None) is rel.mapper for entity in entities)
        entities.append(aliased(target) if seen else target)
    condition = make(entities[-1])
    for index in range(len(relationships) - 1, -1, -1):
        rel = relationships[index]
        # rel.key comes from the mapper, never from the request.
        attribute = getattr(entities[index], rel.key)
        if entities[index + 1] is not rel.mapper.class_:
            attribute = attribute.of_type(entities[index + 1])
        condition = attribute.any(condition) if rel.uselist else attribute.has(condition)
    return condition


def on_path(path: ResolvedPath, model: type, make: Callable[[Any], Condition]) -> Condition:
    """`make(expression)` on the column/hybrid at the end of `path`."""
    if path.is_local:
        return make(path.expression)
    # path.attribute was resolved against the mapper: a declared name.
    return through(model, path.relationships, lambda entity: make(getattr(entity, path.attribute)))


def lookup_condition(expression: Any, lookup: str, values: Sequence[Any]) -> Condition:
    """One query-string key: its repeated values are OR-ed (Django 5's rule)."""
    if lookup == "isnull":
        parts = [expression.is_(None) if value else expression.is_not(None) for value in values]
        return or_(*parts)
    if lookup == "in" or (lookup == "exact" and len(values) > 1):
        flat = [item for value in values for item in (value if lookup == "in" else [value])]
        return expression.in_(flat) if flat else false()
    compare = COMPARISONS[lookup]
    return or_(*(compare(expression, value) for value in values))


def relation_isnull(
    model: type, relationships: Sequence[RelationshipProperty[Any]], values: Sequence[bool]
) -> Condition:
    """`<relationship>__isnull=True`: no related row (no FK value, or no child at all)."""
    *leading, last = relationships

    def empty(entity: Any, is_null: bool) -> Condition:
        attribute = getattr(entity, last.key)
        if last.uselist:
            exists = attribute.any()
            return not_(exists) if is_null else exists
        # A many-to-one compared with None renders as "<fk column> IS [NOT] NULL".
        return operator.eq(attribute, None) if is_null else operator.ne(attribute, None)

    def condition(is_null: bool) -> Condition:
        return through(model, leading, lambda entity: empty(entity, is_null))

    return or_(*(condition(value) for value in values))


def all_of(conditions: Sequence[Condition]) -> Condition | None:
    return and_(*conditions) if conditions else None
