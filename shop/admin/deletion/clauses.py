"""SQL conditions for "this row goes with the root" and "this row blocks the delete".

Built from nested IN subqueries, never from materialized id lists: the database walks the
graph, so a root with a million descendants costs the same few statements as one with
three. A table reached by several paths (a comment by the user on the user's own post)
gets one condition OR-ing the paths, so each row is counted once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table, and_, false, not_, or_, select, tuple_
from sqlalchemy import inspect as sa_inspect

from shop.admin.deletion.graph import MAX_DEPTH, Edge, Graph

# Subquery budget per preview: a schema with many paths to one table is cut short (and the
# preview says so) rather than sending the database an exponentially large statement.
MAX_TERMS = 200


class ClauseBuilder:
    """Conditions over a Graph, rooted at one loaded object."""

    def __init__(self, graph: Graph, obj: Any) -> None:
        self.graph = graph
        self.obj = obj
        self.state = sa_inspect(obj)
        self.budget = MAX_TERMS
        self.truncated = graph.truncated

    def deleted(self, table: Table, source: FromClause | None = None) -> ColumnElement[bool]:
        """Rows of `table` (read from `source`, an alias or the table) removed with the root."""
        return self._member(table, table if source is None else source, MAX_DEPTH)

    def blocked(self, table: Table) -> ColumnElement[bool]:
        """Rows of `table` whose foreign key forbids the delete (unless deleted themselves)."""
        edges = [edge for edge in self.graph.blocking if edge.child is table]
        condition = or_(*(self._via(edge, table, MAX_DEPTH) for edge in edges))
        if table in self.graph.incoming:
            condition = and_(condition, not_(self.deleted(table)))
        return condition

    def _member(self, table: Table, source: FromClause, depth: int) -> ColumnElement[bool]:
        terms = []
        if table is self.graph.root:
            terms.append(self._is_root(source))
        for edge in self.graph.incoming[table]:
            if depth <= 0 or self.budget <= 0:
                self.truncated = True
                continue
            self.budget -= 1
            terms.append(self._via(edge, source, depth))
        return or_(*terms) if terms else false()

    def _via(self, edge: Edge, source: FromClause, depth: int) -> ColumnElement[bool]:
        """Rows of `source` whose key `edge` points at a parent row that is deleted."""
        children = [source.c[child.key] for child, _parent in edge.pairs]
        if edge.parent is self.graph.root and not self.graph.incoming[edge.parent]:
            # The parent is the root alone: compare with its values, no subquery needed.
            values = [self._value(parent) for _child, parent in edge.pairs]
            if any(value is None for value in values):
                return false()
            return and_(*(child == value for child, value in zip(children, values, strict=True)))
        parent = edge.parent.alias()
        inner = select(*(parent.c[p.key] for _c, p in edge.pairs)).where(
            self._member(edge.parent, parent, depth - 1)
        )
        if len(children) == 1:
            return children[0].in_(inner)
        return tuple_(*children).in_(inner)

    def _is_root(self, source: FromClause) -> ColumnElement[bool]:
        columns = self.graph.root.primary_key.columns
        return and_(*(source.c[column.key] == self._value(column) for column in columns))

    def _value(self, column: Any) -> Any:
        """The root object's value for one column of its table."""
        prop = self.state.mapper.get_property_by_column(column)
        return self.state.attrs[prop.key].value
