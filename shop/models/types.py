"""Column types that behave the same on SQLite, PostgreSQL and MariaDB.

Money is exact to the cent everywhere: NUMERIC(12, 2) on the servers, integer cents on
SQLite (whose NUMERIC would silently store a float). Timestamps are always aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")
_SCALING_OPERATORS = {operators.mul, operators.truediv, operators.floordiv}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_cents(value: Decimal | int) -> int:
    """Exact cents for a money value; floats and sub-cent amounts are refused."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money must be a Decimal or an int, not {type(value).__name__}")
    cents = Decimal(value) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"money has more precision than a cent: {value}")
    return int(cents)


class Money(TypeDecorator[Decimal]):
    """A non-negative or signed amount of money, exact to the cent."""

    impl = Numeric(12, 2)
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        cents = to_cents(value)
        return cents if dialect.name == "sqlite" else Decimal(cents).scaleb(-2)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(value) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        # `price * 3` scales by a plain number; only comparisons take money literals.
        if op in _SCALING_OPERATORS:
            return Integer() if isinstance(value, int) else Numeric()
        return self


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp (stored naive in UTC where the database has no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware datetimes, got {value!r}")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite aggregates (MAX/MIN) come back as text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
