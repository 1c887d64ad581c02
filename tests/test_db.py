"""The process's engine: per-dialect settings and a safe pool after fork."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine, text

from shop import db as shop_db


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(sa_engine: Engine) -> None:
    if sa_engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas apply to SQLite only")
    with sa_engine.connect() as connection:
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA busy_timeout")) >= 5000


def test_the_pool_checks_connections_before_use(sa_engine: Engine) -> None:
    assert sa_engine.pool._pre_ping  # type: ignore[attr-defined]


def test_the_sessionmaker_keeps_objects_readable_after_commit() -> None:
    assert shop_db.SessionFactory.kw["expire_on_commit"] is False


@pytest.mark.committed
def test_a_forked_child_gets_a_fresh_pool(sa_engine: Engine) -> None:
    with sa_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert sa_engine.pool.checkedin() >= 1
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the inherited pool must be empty, the engine usable
        try:
            fresh = sa_engine.pool.checkedin() == 0
            with sa_engine.connect() as connection:
                works = connection.execute(text("SELECT 1")).scalar() == 1
            os.write(write_end, b"ok" if fresh and works else b"bad")
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    assert os.read(read_end, 8) == b"ok"
    # The parent's pooled connection survives the child's dispose(close=False).
    with sa_engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
