"""Columns a changelist computes in SQL: Django's annotate(Count(...)) for get_query().

A count is a labeled correlated subquery, so the list stays one query per page whatever
its rows, the column sorts like any other (`?o=`), and the models stay untouched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import Label


def count_of(rows: Any, *where: Any, label: str) -> Label[int]:
    """How many rows of `rows` (a mapped class or a Table) match `where` for each listed row.

    `where` ties them to the listed row, e.g. `count_of(Pet, Pet.owner_id == Owner.id,
    label="pet_count")` in `select(Owner, ...)`.
    """
    return (
        select(func.count())
        .select_from(rows)
        .where(*where)
        .correlate_except(rows)
        .scalar_subquery()
        .label(label)
    )
