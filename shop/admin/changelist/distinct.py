"""The distinct values of a column for a filter's choices, without reading every row.

A plain DISTINCT reads the whole table to find its eight species. Where an index leads
with the column, PostgreSQL can instead skip from one value to the next (a "loose index
scan", written as a recursive CTE: each step reads the first value greater than the
last), so eight values cost nine index reads however many rows share them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session


def _leads_an_index(expression: Any) -> bool:
    table, name = getattr(expression, "table", None), getattr(expression, "name", None)
    if table is None or name is None:
        return False
    indexes = list(getattr(table, "indexes", ())) + list(getattr(table, "constraints", ()))
    for index in indexes:
        columns = list(getattr(index, "columns", ()))
        if columns and columns[0].name == name:  # mapped attributes are annotated copies
            return True
    return False


def distinct_values(session: Session, rows: Select[Any], expression: Any, limit: int) -> list[Any]:
    """Up to `limit` distinct non-null values of `expression` over `rows`, in order."""
    values = rows.with_only_columns(expression).where(expression.is_not(None))
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql" or not _leads_an_index(expression):
        statement = values.distinct().order_by(expression).limit(limit)
        return list(session.scalars(statement))
    first = values.order_by(expression).limit(1).scalar_subquery()
    seed = select(first.label("value")).cte("skip_scan", recursive=True)
    after = values.where(expression > seed.c.value).order_by(expression).limit(1)
    step = select(after.scalar_subquery().label("value")).where(seed.c.value.is_not(None))
    walk = seed.union_all(step)
    statement = select(walk.c.value).where(walk.c.value.is_not(None)).limit(limit)
    return list(session.scalars(statement))
