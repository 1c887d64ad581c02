"""The list's per-row aggregates, read in one lookup per row for a whole export.

A changelist computes counts and sums per row with correlated scalar subqueries (the
labeled columns of get_query(), hybrid properties such as Order.total), each one more
lookup per row: for the 1M orders, item_count and total are two million. On PostgreSQL
an export moves the aggregate subqueries that read the same rows (same FROM, same WHERE)
into one LATERAL subquery joined to the row:

    (SELECT count(*) FROM order_items WHERE order_id = orders.id) AS item_count,
    (SELECT sum(...) FROM order_items WHERE order_id = orders.id) AS total
 -> LEFT JOIN LATERAL (SELECT count(*) AS v0, sum(...) AS v1 FROM order_items
                       WHERE order_id = orders.id) AS l ON true ... l.v0, l.v1

An aggregate without GROUP BY gives exactly one row for every outer row, as the scalar
subquery gives one value, so each value is the one the list shows; the rows stream in the
list's order as they are computed, and a filtered export looks up only the rows it reads.
A subquery of any other shape (grouped, limited, a window, a bare column) stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, true
from sqlalchemy.sql import visitors
from sqlalchemy.sql.annotation import _deep_deannotate
from sqlalchemy.sql.elements import ColumnClause, Label, Over
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import FromClause, Join, ScalarSelect, SelectBase

# SQL aggregate functions the three databases share (or name alike).
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "total", "group_concat"})
# Clauses after which a subquery no longer gives exactly one row (private to Select, stable
# across SQLAlchemy 2.x; a subquery that sets one of them is left alone).
_SHAPING = (
    "_group_by_clauses",
    "_having_criteria",
    "_order_by_clauses",
    "_limit_clause",
    "_offset_clause",
    "_fetch_clause",
    "_distinct",
    "_distinct_on",
)
# Where LATERAL exists (MariaDB and SQLite have none; they keep the subqueries).
LATERAL_DIALECTS = frozenset({"postgresql"})


@dataclass(frozen=True)
class Aggregate:
    """One correlated aggregate subquery of the statement's columns."""

    subquery: ScalarSelect[Any]
    value: Any  # its one column
    froms: tuple[FromClause, ...]  # its own FROM entries (the outer ones correlate)

    @property
    def select(self) -> Select[Any]:
        return self.subquery.element  # type: ignore[return-value]

    def reads_rows_of(self, other: Aggregate) -> bool:
        """Same FROM and WHERE: one subquery can compute both values."""
        return (
            len(self.froms) == len(other.froms)
            and all(map(same_clause, self.froms, other.froms))
            and same_clause(self.select.whereclause, other.select.whereclause)
        )


def same_clause(left: Any, right: Any) -> bool:
    """The same SQL with the same values (SQLAlchemy's cache key and bound values).

    The ORM's annotations (which mapper a column came through) do not change the SQL.
    """
    if left is right:
        return True
    if left is None or right is None:
        return False
    keys = [_deep_deannotate(side)._generate_cache_key() for side in (left, right)]
    if keys[0] is None or keys[1] is None or keys[0] != keys[1]:
        return False
    values = [[bound.effective_value for bound in key.bindparams] for key in keys]
    return values[0] == values[1]


def tables_of(from_: FromClause) -> set[FromClause]:
    """The tables (and aliases) a FROM entry reads, through its joins."""
    if isinstance(from_, Join):
        return tables_of(from_.left) | tables_of(from_.right)
    return {from_}


def _aggregated(clause: Any, own: set[FromClause], *, within: bool = False) -> bool | None:
    """True if `clause` aggregates its own rows (each of their columns inside an
    aggregate), False if it has no aggregate, None if it cannot be one row (a bare own
    column, a window function, a nested query, a table of neither side)."""
    if isinstance(clause, (SelectBase, ScalarSelect, Over)):
        return None
    if isinstance(clause, ColumnClause) and clause.table is not None:
        if clause.table in own:
            return False if within else None
        return False  # an outer row's column: one value per lookup, like a constant
    found = False
    if isinstance(clause, FunctionElement) and clause.name.lower() in AGGREGATES:
        found, within = True, True
    for child in clause.get_children():
        result = _aggregated(child, own, within=within)
        if result is None:
            return None
        found = found or result
    return found


def _is_set(option: Any) -> bool:
    if isinstance(option, tuple):
        return bool(option)
    return option is not None and option is not False


def _correlated_away(subquery: Select[Any], from_: FromClause) -> bool:
    """Does the subquery take `from_` from the outer row (rather than read it itself)?"""
    if subquery._correlate:
        return from_ in subquery._correlate
    if subquery._correlate_except is not None:
        return from_ not in subquery._correlate_except
    return bool(subquery._auto_correlate)


def analyze(subquery: ScalarSelect[Any], outer: set[FromClause]) -> Aggregate | None:
    """`subquery` as an Aggregate if it gives one aggregate row per outer row, else None."""
    inner = subquery.element
    if not isinstance(inner, Select) or len(inner.selected_columns) != 1:
        return None
    if any(_is_set(getattr(inner, name, None)) for name in _SHAPING):
        return None
    froms = inner.get_final_froms()
    own = [from_ for from_ in froms if from_ not in outer]
    correlated = [from_ for from_ in froms if from_ in outer]
    if not own or any(tables_of(from_) & outer for from_ in own):
        return None
    # Uncorrelated, it runs once already; its outer FROMs must be the outer row's.
    if not correlated or not all(_correlated_away(inner, from_) for from_ in correlated):
        return None
    value = next(iter(inner.selected_columns))
    own_tables = set().union(*(tables_of(from_) for from_ in own))
    columns = [el for el in visitors.iterate(value) if isinstance(el, ColumnClause)]
    if any(c.table is not None and c.table not in own_tables | outer for c in columns):
        return None
    if _aggregated(value, own_tables) is not True:
        return None
    return Aggregate(subquery, value, tuple(own))


def _subquery_of(column: Any) -> ScalarSelect[Any] | None:
    element = column.element if isinstance(column, Label) else column
    return element if isinstance(element, ScalarSelect) else None


def find_aggregates(statement: Select[Any]) -> list[Aggregate]:
    """The correlated aggregate subqueries among the statement's columns."""
    outer = set().union(*(tables_of(from_) for from_ in statement.get_final_froms()))
    found = []
    for column in statement.selected_columns:
        subquery = _subquery_of(column)
        aggregate = analyze(subquery, outer) if subquery is not None else None
        if aggregate is not None:
            found.append(aggregate)
    return found


def _groups(aggregates: list[Aggregate]) -> list[list[Aggregate]]:
    groups: list[list[Aggregate]] = []
    for aggregate in aggregates:
        group = next((g for g in groups if g[0].reads_rows_of(aggregate)), None)
        if group is None:
            groups.append([aggregate])
        else:
            group.append(aggregate)
    return groups


def lateral_aggregates(statement: Select[Any], model: type) -> Select[Any]:
    """`statement` (of `model`'s rows) with its correlated aggregates read from LATERAL joins."""
    replacements: list[tuple[ScalarSelect[Any], Any]] = []
    laterals = []
    for group in _groups(find_aggregates(statement)):
        values = [aggregate.value.label(f"v{n}") for n, aggregate in enumerate(group)]
        lateral = group[0].select.with_only_columns(*values).lateral()
        laterals.append(lateral)
        replacements += [(a.subquery, lateral.c[f"v{n}"]) for n, a in enumerate(group)]
    if not laterals:
        return statement
    statement = _replace(statement, replacements)
    for lateral in laterals:
        statement = statement.outerjoin_from(model, lateral, true())
    return statement


def _replace(statement: Select[Any], replacements: list[tuple[ScalarSelect[Any], Any]]) -> Any:
    """Every occurrence of a subquery (columns, ORDER BY, WHERE) by its joined value."""

    def replace(element: Any) -> Any:
        if isinstance(element, (FromClause, ColumnClause)):
            return element  # kept as they are: the joins and columns refer to these objects
        if isinstance(element, ScalarSelect):
            for subquery, joined in replacements:
                if same_clause(element, subquery):
                    return joined
        return None

    return visitors.replacement_traverse(statement, {}, replace)  # type: ignore[call-overload]
