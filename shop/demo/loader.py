"""Loading the demo rows: explicit ids, executemany batches, all inside the caller's transaction.

Ids are assigned by the builders (the database is empty, so 1..n per table is free), which
lets every table go in as a few executemany batches: no per-row flush, no RETURNING.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Table, delete, func, insert, inspect, select
from sqlalchemy.orm import Session

from shop.demo import audit, clinic, commerce, school, social
from shop.demo.context import DEFAULT_SEED, DemoContext, Row, Step
from shop.models import Base

# Large enough to amortise round trips, small enough to bound one statement's memory.
BATCH_SIZE = 5_000
# Dependency order: every table comes after the tables it refers to.
STEPS: tuple[Step, ...] = social.STEPS + commerce.STEPS + clinic.STEPS + school.STEPS + audit.STEPS

OnTable = Callable[[str, int], None]


def domain_tables() -> list[Table]:
    """The SQLAlchemy tables only: Django's auth_* and django_* tables are never touched."""
    return list(Base.metadata.sorted_tables)


def missing_tables(session: Session) -> list[str]:
    """Domain tables absent from the database (the schema has not been migrated)."""
    inspector = inspect(session.connection())
    return [table.name for table in domain_tables() if not inspector.has_table(table.name)]


def filled_tables(session: Session) -> list[str]:
    """Domain tables holding at least one row (cheap: one LIMIT 1 probe per table)."""
    return [
        table.name
        for table in domain_tables()
        if session.execute(select(*table.primary_key.columns).limit(1)).first() is not None
    ]


def empty_domain_tables(session: Session) -> None:
    """Delete every domain row, children before parents."""
    for table in reversed(domain_tables()):
        session.execute(delete(table))


def _insert(session: Session, step: Step, rows: list[Row]) -> None:
    statement = insert(step.target)
    if not isinstance(step.target, Table):
        # Without this the ORM drops None values and splits batches by key set.
        statement = statement.execution_options(render_nulls=True)
    for start in range(0, len(rows), BATCH_SIZE):
        session.execute(statement, rows[start : start + BATCH_SIZE])


def advance_sequences(session: Session) -> None:
    """Move PostgreSQL sequences past the explicit ids, so later ORM inserts get fresh ones.

    SQLite and MariaDB derive the next autoincrement value from max(id) by themselves.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer
    for table in domain_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(quote.format_table(table), column.name)
        highest = func.max(column)
        # setval(seq, 1, false) on an empty table: the next id is 1 again.
        restart = func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None))
        session.execute(select(restart).select_from(table))


def seed(
    session: Session,
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    on_table: OnTable | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Fill every domain table; returns the number of rows per table.

    The caller owns the transaction (the command uses `session_scope()`): all or nothing.
    """
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    ctx = DemoContext.create(scale=scale, seed=seed, today=today)
    counts: dict[str, int] = {}
    for step in STEPS:
        rows = step.build(ctx)
        _insert(session, step, rows)
        counts[step.table.name] = len(rows)
        if on_table is not None:
            on_table(step.table.name, len(rows))
    advance_sequences(session)
    return counts
