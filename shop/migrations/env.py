"""Alembic environment: runs on the connection handed in, or on the app's engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from shop.migrations import context_options


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from shop.db import get_engine

    with get_engine().connect() as own_connection:
        _run(own_connection)
        own_connection.commit()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **context_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
