"""Conditions across relationships as key sets: `user_id IN (SELECT id FROM users WHERE ...)`.

A condition on related rows can be an EXISTS correlated to each listed row or a membership
in the set of keys of the matching rows. Both mean the same; the key set is what lets a
search over several relationships stay fast: PostgreSQL evaluates an OR of EXISTS row by
row over the whole list, whereas `id IN (keys of branch 1 UNION ALL keys of branch 2)`
lets each branch use its own indexes (a trigram index on users.email, the index on
orders.user_id) and meets the listed table once.

Every subquery is uncorrelated (`correlate(None)`), so a relationship back to the same
table (a user's followers) needs no alias. A relationship whose join is not a plain
equality of one column pair (a composite key, an extra condition) falls back to EXISTS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.sql.elements import BinaryExpression

from shop.admin.changelist import conditions

Make = Callable[[Any], conditions.Condition]
Relationships = Sequence[RelationshipProperty[Any]]


def _plain(join: Any) -> bool:
    return isinstance(join, BinaryExpression) and join.operator.__name__ == "eq"


def supported(relationships: Relationships) -> bool:
    """Every step joins on one column pair with nothing else in its ON clause."""
    for rel in relationships:
        if rel.secondary is not None:
            if not (_plain(rel.primaryjoin) and _plain(rel.secondaryjoin)):
                return False
        elif not _plain(rel.primaryjoin) or len(rel.local_remote_pairs or ()) != 1:
            return False
    return True


def _step(rel: RelationshipProperty[Any], rest: Relationships, make: Make) -> tuple[Any, Any]:
    """(column of this side, SELECT of the values it must take) for one relationship step."""
    target = rel.mapper.class_
    if rel.secondary is not None:
        (parent_column, secondary_local) = rel.synchronize_pairs[0]
        (target_column, secondary_remote) = (rel.secondary_synchronize_pairs or ())[0]
        inner = key_select(target, rest, make, target_column)
        values = select(secondary_local).where(secondary_remote.in_(inner)).correlate(None)
        return parent_column, values
    ((local, remote),) = rel.local_remote_pairs  # type: ignore[misc]
    return local, key_select(target, rest, make, remote)


def key_select(model: type, relationships: Relationships, make: Make, column: Any) -> Select[Any]:
    """SELECT `column` of the `model` rows related through `relationships` to a matching row."""
    if not relationships:
        return select(column).where(make(model)).correlate(None)
    local, values = _step(relationships[0], relationships[1:], make)
    if local is column:  # a one-to-many step: the child's own foreign key is the answer
        return values
    return select(column).where(local.in_(values)).correlate(None)


def condition(model: type, relationships: Relationships, make: Make) -> conditions.Condition:
    """The `model` rows related through `relationships` to a row where `make(entity)` holds."""
    if not supported(relationships):
        return conditions.through(model, relationships, make)
    local, values = _step(relationships[0], relationships[1:], make)
    return local.in_(values)  # type: ignore[no-any-return]
