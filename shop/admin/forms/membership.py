"""SQL over a many-to-many relationship's association table, for one parent row.

The form (shop.admin.forms.m2m) shows the first MEMBERS_SHOWN members and posts back a
difference; this module reads those members and applies that difference with a DELETE
and an INSERT of the missing pairs, never loading the whole collection. The members
shown and their count are one query, read once per request: a page that shows them
twice (a chooser and a read-only list beside it) asks the database once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, and_, delete, func, insert, select
from sqlalchemy.orm import Mapper, RelationshipProperty, Session

from shop.admin.related_rows import related_rows_statement

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

MEMBERS_SHOWN = 50
SHOWN_KEY = "admin_members_shown"  # Session.info: the members each page read, by parent


@dataclass(frozen=True)
class MembershipChange:
    """What the user changed: members to add and members to remove (primary keys)."""

    added: frozenset[Any] = frozenset()
    removed: frozenset[Any] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def is_plain_many_to_many(prop: RelationshipProperty[Any]) -> bool:
    """An editable relationship through an association table with no columns of its own."""
    return (
        prop.secondary is not None
        and not prop.viewonly
        and len(prop.secondary_synchronize_pairs or ()) == 1
        and len(prop.mapper.primary_key) == 1
    )


class Membership:
    """SQL over one relationship's association table, for one parent object."""

    def __init__(self, prop: RelationshipProperty[Any], parent: Any) -> None:
        self.prop = prop
        self.parent = parent
        self.target: Mapper[Any] = prop.mapper
        self.table: Any = prop.secondary
        parent_mapper = prop.parent
        self.local = [
            (column, getattr(parent, parent_mapper.get_property_by_column(source).key))
            for source, column in prop.synchronize_pairs
        ]
        pairs = prop.secondary_synchronize_pairs or ()
        target_column, remote_column = pairs[0]
        self.target_key: Column[Any] = target_column  # type: ignore[assignment]
        self.remote: Column[Any] = remote_column  # type: ignore[assignment]

    def _of_parent(self) -> Any:
        return and_(*(column == value for column, value in self.local))

    def shown(self, session: Session, model_admin: ModelAdmin) -> tuple[list[Any], int]:
        """The first MEMBERS_SHOWN members in the related admin's order, and the total."""
        read: dict[Any, Any] = session.info.setdefault(SHOWN_KEY, {})
        key = self._key(model_admin)
        found = read.get(key)
        # Read again in a new transaction (after a rollback, the rows may have changed).
        if found is None or found[0] is not session.get_transaction():
            rows, total = self._read(session, model_admin)
            found = read[key] = (session.get_transaction(), rows, total)
        return list(found[1]), found[2]

    def _read(self, session: Session, model_admin: ModelAdmin) -> tuple[list[Any], int]:
        # The members are sorted in full for the LIMIT anyway: counting them costs nothing.
        total = func.count().over().label("members_total")
        statement = (
            related_rows_statement(model_admin.admin_site, self.target.class_, None)
            .add_columns(total)
            .join(self.table, self.target_key == self.remote)
            .where(self._of_parent())
            .limit(MEMBERS_SHOWN)
        )
        result = session.execute(statement).all()
        return [row[0] for row in result], int(result[0][-1]) if result else 0

    def _key(self, model_admin: ModelAdmin) -> tuple[Any, ...]:
        return (model_admin.admin_site.name, self.prop, *(value for _c, value in self.local))

    def apply(self, session: Session, change: MembershipChange) -> None:
        """Delete the removed pairs; insert the added ones that are not there yet."""
        of_parent = self._of_parent()
        if change.removed:
            session.execute(delete(self.table).where(of_parent, self.remote.in_(change.removed)))
        if change.added:
            present = set(
                session.scalars(select(self.remote).where(of_parent, self.remote.in_(change.added)))
            )
            values: dict[str, Any] = {str(column.key): value for column, value in self.local}
            rows = [{**values, self.remote.key: key} for key in change.added - present]
            if rows:
                session.execute(insert(self.table), rows)
        if self.parent in session:
            # A collection loaded earlier in this session no longer matches the table.
            session.expire(self.parent, [self.prop.key])
        read = session.info.get(SHOWN_KEY, {})
        for key in [key for key in read if key[1] is self.prop]:
            del read[key]  # nor do the members read before
