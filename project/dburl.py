"""Turn the one DATABASE_URL into Django's DATABASES entry and a SQLAlchemy URL.

Both ORMs talk to the same database by default, so the URL is parsed once here and
every mistake is reported as a one-line error that names the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# scheme in DATABASE_URL -> (SQLAlchemy driver, family)
_SCHEMES: dict[str, tuple[str, str]] = {
    "sqlite": ("sqlite+pysqlite", "sqlite"),
    "postgres": ("postgresql+psycopg", "postgresql"),
    "postgresql": ("postgresql+psycopg", "postgresql"),
    "pgsql": ("postgresql+psycopg", "postgresql"),
    "mysql": ("mysql+pymysql", "mysql"),
    "mariadb": ("mysql+pymysql", "mysql"),
}


def _fail(variable: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{variable}: {message}")


def parse(raw: str, variable: str = "DATABASE_URL") -> URL:
    """Parse and validate a database URL, naming `variable` in any error."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise _fail(
            variable, f"cannot parse {raw!r} (expected e.g. sqlite:///db.sqlite3)"
        ) from None
    scheme = url.drivername.split("+", 1)[0]
    if scheme not in _SCHEMES:
        known = ", ".join(sorted(_SCHEMES))
        raise _fail(variable, f"unsupported scheme {scheme!r} in {raw!r} (use one of: {known})")
    driver, family = _SCHEMES[scheme]
    if family != "sqlite" and not url.database:
        raise _fail(variable, f"{raw!r} names no database (add /<name> after the host)")
    if family == "sqlite" and not url.database:
        raise _fail(variable, f"{raw!r} names no SQLite file (use sqlite:///path/to/file.sqlite3)")
    url = url.set(drivername=driver)
    if family == "mysql":
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def family(url: URL) -> str:
    """'sqlite', 'postgresql' or 'mysql' (MariaDB speaks the mysql dialect)."""
    return url.get_backend_name().replace("mariadb", "mysql")


def django_database(url: URL) -> dict[str, Any]:
    """Django's DATABASES['default'] for the same database SQLAlchemy uses."""
    kind = family(url)
    if kind == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(url.database or "")),
            # WAL lets readers go on while SQLAlchemy writes; wait instead of failing on a lock.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
        }
    if kind == "mysql":
        _install_pymysql()
    config = environ.Env.db_url_config(_django_scheme(url))
    if kind == "mysql":
        config["OPTIONS"] = {"charset": "utf8mb4"}
    return config


def _django_scheme(url: URL) -> str:
    scheme = "postgres" if family(url) == "postgresql" else "mysql"
    plain = url.set(drivername=scheme).difference_update_query(["charset"])
    return plain.render_as_string(hide_password=False)


def _install_pymysql() -> None:
    # Django's MySQL backend imports MySQLdb; PyMySQL provides the same API in pure Python.
    import pymysql

    pymysql.install_as_MySQLdb()
    classify_check_violations_as_integrity_errors()


def classify_check_violations_as_integrity_errors() -> None:
    """Make MariaDB's CHECK failures IntegrityErrors, as on PostgreSQL and SQLite.

    PyMySQL reports error 4025 (a CHECK constraint failed) as an OperationalError,
    which would read as a lost connection instead of refused data.
    """
    import pymysql.err

    for code in (4025, 3819):  # MariaDB's and MySQL's "check constraint violated"
        pymysql.err.error_map[code] = pymysql.err.IntegrityError
