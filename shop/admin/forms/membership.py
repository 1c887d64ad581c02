"""SQL over a many-to-many relationship's association table, for one parent row.

The form (shop.admin.forms.m2m) shows the first MEMBERS_SHOWN members and posts back a
difference; this module reads those members and applies that difference with a DELETE
and an INSERT of the missing pairs, never loading the whole collection.
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
        site = model_admin.admin_site
        statement = related_rows_statement(site, self.target.class_, None)
        statement = statement.join(self.table, self.target_key == self.remote).where(
            self._of_parent()
        )
        rows = list(session.scalars(statement.limit(MEMBERS_SHOWN)))
        if len(rows) < MEMBERS_SHOWN:
            return rows, len(rows)
        count = select(func.count()).select_from(self.table).where(self._of_parent())
        return rows, int(session.scalar(count) or 0)

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
