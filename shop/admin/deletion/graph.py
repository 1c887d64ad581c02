"""Which tables a delete reaches, and how: read from the foreign keys and ORM relationships.

This part runs no query: it turns table metadata into a graph, once per root table.

For every foreign key that references a table being deleted, the effect on the referencing
rows is decided as follows (first rule that applies):

1. An ORM relationship on the referenced side acts itself at flush, before the database
   sees the DELETE: a many-to-many relationship without `passive_deletes` deletes its
   association rows; a one-to-many with `delete` cascade and without `passive_deletes`
   loads and deletes the children; a one-to-many without `delete` cascade and without
   `passive_deletes` sets the children's foreign key to NULL (which blocks the delete when
   that column is NOT NULL). `passive_deletes=True` / `"all"` leaves the rows to the
   database (the ORM only handles children already loaded, which changes nothing here).
2. Otherwise the database's ON DELETE rule: CASCADE deletes the referencing rows, SET NULL
   / SET DEFAULT keeps them, RESTRICT / NO ACTION / none blocks the delete.

The ORM rules are applied to every deleted table alike, although strictly the ORM only
acts on rows it deletes itself (the root, or children it cascades to); rows removed by the
database's own cascade follow rule 2 alone. In this project's schema every child foreign
key declares its ON DELETE, so both readings agree and the foreign-key walk is
authoritative. Whatever this graph misses, the database still enforces: a blocker it did
not predict surfaces as an IntegrityError at flush, which the delete view reports.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, ForeignKeyConstraint, MetaData, Table
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty

DELETE, BLOCK, KEEP, NULLIFY = "delete", "block", "keep", "nullify"
# How far the walk follows cascades; beyond, the preview says it may be incomplete.
MAX_DEPTH = 6


@dataclass(frozen=True)
class Edge:
    """A foreign key from `child` rows to `parent` rows, and what a parent delete does."""

    constraint: ForeignKeyConstraint
    action: str

    @property
    def child(self) -> Table:
        return self.constraint.table

    @property
    def parent(self) -> Table:
        return self.constraint.referred_table

    @property
    def pairs(self) -> list[tuple[Column[Any], Column[Any]]]:
        """(child column, referenced parent column) for each column of the key."""
        return [(element.parent, element.column) for element in self.constraint.elements]


@dataclass
class Graph:
    """Tables a delete of one `root` row reaches; `incoming` lists the cascades into each."""

    root: Table
    incoming: dict[Table, list[Edge]] = field(default_factory=dict)
    blocking: list[Edge] = field(default_factory=list)
    truncated: bool = False

    @property
    def deleted_tables(self) -> list[Table]:
        """The root's table first, then the others in the order the walk reached them."""
        return list(self.incoming)

    @property
    def blocked_tables(self) -> list[Table]:
        return list(dict.fromkeys(edge.child for edge in self.blocking))


def mapper_for_table(registry: Any, table: Table) -> Mapper[Any] | None:
    """The mapper whose own table is `table` (the base one under single-table inheritance)."""
    candidates = [m for m in registry.mappers if m.local_table is table]
    for mapper in candidates:
        if mapper.inherits is None or mapper.inherits.local_table is not table:
            return mapper
    return candidates[0] if candidates else None


@lru_cache(maxsize=512)
def build_graph(root: Table, registry: Any) -> Graph:
    """Walk the foreign keys that reference `root`, breadth first, up to MAX_DEPTH."""
    referencing = _referencing(root.metadata)
    orm = _orm_actions(registry)
    graph = Graph(root=root, incoming={root: []})
    depth = {root: 0}
    queue = deque([root])
    while queue:
        table = queue.popleft()
        for constraint in referencing.get(table, ()):
            edge = Edge(constraint, _edge_action(constraint, orm))
            if edge.action == BLOCK:
                graph.blocking.append(edge)
            elif edge.action == DELETE:
                child = edge.child
                if child not in graph.incoming:
                    if depth[table] >= MAX_DEPTH:
                        graph.truncated = True
                        continue
                    graph.incoming[child] = []
                    depth[child] = depth[table] + 1
                    queue.append(child)
                graph.incoming[child].append(edge)
    return graph


@lru_cache(maxsize=32)
def _referencing(metadata: MetaData) -> dict[Table, list[ForeignKeyConstraint]]:
    """Referenced table -> the foreign keys pointing at it, in a stable order."""
    index: dict[Table, list[ForeignKeyConstraint]] = {}
    for table in metadata.sorted_tables:
        constraints = sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys))
        for constraint in constraints:
            index.setdefault(constraint.referred_table, []).append(constraint)
    return index


def _edge_action(constraint: ForeignKeyConstraint, orm: dict[ForeignKeyConstraint, str]) -> str:
    action = orm.get(constraint)
    if action == DELETE:
        return DELETE
    if action == NULLIFY:
        return KEEP if all(column.nullable for column in constraint.columns) else BLOCK
    ondelete = (constraint.ondelete or "").upper()
    if ondelete == "CASCADE":
        return DELETE
    if ondelete in ("SET NULL", "SET DEFAULT"):
        return KEEP
    return BLOCK


@lru_cache(maxsize=32)
def _orm_actions(registry: Any) -> dict[ForeignKeyConstraint, str]:
    """Foreign key -> what an ORM relationship does to its rows at flush (see the docstring)."""
    actions: dict[ForeignKeyConstraint, str] = {}
    for mapper in list(registry.mappers):
        for relationship in mapper.relationships:
            action = _orm_action(relationship)
            constraint = _constraint_of(relationship) if action else None
            # Two relationships over one key: deleting wins over nulling.
            if constraint is not None and actions.get(constraint) != DELETE:
                actions[constraint] = action  # type: ignore[assignment]
    return actions


def _orm_action(relationship: RelationshipProperty[Any]) -> str | None:
    if relationship.viewonly or relationship.passive_deletes:
        return None
    if relationship.direction is RelationshipDirection.MANYTOMANY:
        return DELETE
    if relationship.direction is RelationshipDirection.ONETOMANY:
        return DELETE if relationship.cascade.delete else NULLIFY
    return None


def _constraint_of(relationship: RelationshipProperty[Any]) -> ForeignKeyConstraint | None:
    """The foreign key the relationship's parent-side join follows (child or secondary)."""
    parent_table = relationship.parent.local_table
    columns = {child for _parent, child in relationship.synchronize_pairs}
    if not columns:
        return None
    child_table = next(iter(columns)).table
    for constraint in getattr(child_table, "foreign_key_constraints", ()):
        if constraint.referred_table is parent_table and set(constraint.columns) == columns:
            return constraint
    return None
