"""SQL helpers the reports share, rendered for each database."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class utc_date(FunctionElement[date]):  # lower case: used like the func.* SQL functions
    """The UTC calendar day of a timestamp column, on SQLite, PostgreSQL and MariaDB.

    SQLite and MariaDB store the UTC wall time (see shop.models.types.UTCDateTime), so
    DATE() is the UTC day. PostgreSQL stores a timestamptz: it is converted to UTC first,
    so the server's session time zone cannot move an order to another day. The zone is a
    literal, not a parameter, so the same expression in SELECT and GROUP BY stays equal.
    """

    type = Date()
    inherit_cache = True
    name = "utc_date"


@compiles(utc_date)
def _utc_date_default(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"DATE({compiler.process(element.clauses, **kw)})"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"
