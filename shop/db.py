"""The process's one engine and one sessionmaker, built from settings.

Request code never calls `new_session()` itself: the middleware does, once per request.
Commands and scripts use `session_scope()`, the seeds' context-managed session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from project.dburl import classify_check_violations_as_integrity_errors

# Objects stay readable after commit: templates render them once the write is done.
SessionFactory: sessionmaker[Session] = sessionmaker(expire_on_commit=False)

_engine: Engine | None = None


def build_engine(url: URL | str, **options: Any) -> Engine:
    """Create an engine with this product's per-dialect settings."""
    engine = create_engine(
        url,
        pool_pre_ping=True,  # a connection dropped by the server is replaced, not used
        echo=getattr(settings, "SQLALCHEMY_ECHO", False),
        **options,
    )
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    if engine.dialect.driver == "pymysql":
        classify_check_violations_as_integrity_errors()
    return engine


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # JIT compiling pays off for reports scanning millions of rows, not for an admin's
        # pages: a list statement whose cost estimate crosses jit_above_cost would spend
        # 20-400 ms compiling to save a few. Set per connection, so no server change.
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=20000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def get_engine() -> Engine:
    """The engine for settings.SQLALCHEMY_URL, created on first use."""
    global _engine
    if _engine is None:
        use_engine(build_engine(settings.SQLALCHEMY_URL))
    assert _engine is not None
    return _engine


def use_engine(engine: Engine) -> None:
    """Bind the process's sessionmaker to `engine` (tests point it at their database)."""
    global _engine
    _engine = engine
    SessionFactory.configure(bind=engine)


def new_session() -> Session:
    """A fresh Session; in request code only the middleware calls this."""
    get_engine()
    return SessionFactory()


@contextmanager
def session_scope() -> Iterator[Session]:
    """Commit on success, roll back on any exception, always close (for commands)."""
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _dispose_after_fork() -> None:
    # A forked worker (gunicorn --preload) must not share the parent's sockets:
    # drop the inherited pool without closing the parent's connections.
    if _engine is not None:
        _engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_after_fork)


def describe_connection_error(exc: BaseException) -> str | None:
    """A one-line message for a database that cannot be reached, else None."""
    from django.db.utils import OperationalError as DjangoOperationalError

    if isinstance(exc, (OperationalError, DjangoOperationalError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        url = URL.render_as_string(settings.SQLALCHEMY_URL, hide_password=True)
        return f"database error: cannot use DATABASE_URL ({url}): {reason}"
    return None
