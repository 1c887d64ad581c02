"""Query-string values turned into typed Python values for one column, or refused.

Every value is checked against the column's type before it reaches SQL, with the bounds
the three databases share: a value that one of them would reject at execution (a NUL
byte, an integer beyond 64 bits, a sub-cent amount, year 0) is refused here instead.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Enum, SmallInteger

MAX_VALUE_LENGTH = 1000
INTEGER_RE = re.compile(r"[+-]?\d{1,19}")
TRUE_VALUES = frozenset({"1", "True", "true", "t", "yes", "on"})
FALSE_VALUES = frozenset({"0", "False", "false", "f", "no", "off"})
DEFAULT_PRECISION = 15


class BadValue(ValueError):
    """A query-string value that cannot be compared with the column."""


def check_text(raw: str) -> str:
    """Refuse what no database takes as text: NUL bytes, overly long values."""
    if "\x00" in raw:
        raise BadValue("NUL bytes are not allowed")
    if len(raw) > MAX_VALUE_LENGTH:
        raise BadValue("value too long")
    return raw


def python_type(sa_type: Any) -> type | None:
    try:
        return sa_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def enum_values(sa_type: Any) -> tuple[str, ...] | None:
    """The allowed values of an enum-like column type, else None."""
    if isinstance(sa_type, Enum):
        return tuple(sa_type.enums)
    impl = getattr(sa_type, "impl", None)
    if isinstance(impl, Enum):
        return tuple(impl.enums)
    return None


def parse_bool(raw: str) -> bool:
    value = raw.strip()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise BadValue(f"not a boolean: {raw!r}")


def _integer_bits(sa_type: Any) -> int:
    """64 for BIGINT, 16 for SMALLINT, else 32: PostgreSQL casts parameters to the type."""
    for candidate in (sa_type, getattr(sa_type, "impl", None)):
        if isinstance(candidate, BigInteger):
            return 64
        if isinstance(candidate, SmallInteger):
            return 16
    return 32


def parse_int(raw: str, sa_type: Any = None) -> int:
    value = raw.strip()
    if not INTEGER_RE.fullmatch(value):
        raise BadValue(f"not a whole number: {raw!r}")
    number = int(value)
    limit = 2 ** (_integer_bits(sa_type) - 1)
    if not -limit <= number < limit:
        raise BadValue("number out of range")
    return number


def _numeric_bounds(sa_type: Any) -> tuple[int, int]:
    """(precision, scale) of a Numeric type, looking through TypeDecorators."""
    for candidate in (sa_type, getattr(sa_type, "impl", None)):
        precision = getattr(candidate, "precision", None)
        scale = getattr(candidate, "scale", None)
        if precision is not None and scale is not None:
            return int(precision), int(scale)
    return DEFAULT_PRECISION, 6


def parse_decimal(raw: str, sa_type: Any) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise BadValue(f"not a number: {raw!r}") from None
    precision, scale = _numeric_bounds(sa_type)
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        raise BadValue("not a finite number")
    if abs(value) >= Decimal(10) ** (precision - scale):
        raise BadValue("number out of range")
    if exponent >= -scale:
        return value
    step = Decimal(1).scaleb(-scale)
    if value != value.quantize(step):
        raise BadValue(f"more than {scale} decimal places")
    return value.quantize(step)


def parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadValue(f"not a date: {raw!r}") from None


def parse_datetime(raw: str) -> datetime:
    """An ISO date or date-time; naive values are UTC (as every stored timestamp is)."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"not a date/time: {raw!r}") from None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise BadValue("date/time out of range") from None


def coerce(sa_type: Any, raw: str) -> Any:
    """The typed value of `raw` for a column of `sa_type`; BadValue if it is not one."""
    check_text(raw)
    choices = enum_values(sa_type)
    if choices is not None:
        if raw not in choices:
            raise BadValue(f"not one of the choices: {raw!r}")
        return raw
    kind = python_type(sa_type)
    if kind is bool:
        return parse_bool(raw)
    if kind is int:
        return parse_int(raw, sa_type)
    if kind is Decimal:
        return parse_decimal(raw, sa_type)
    if kind is datetime:
        return parse_datetime(raw)
    if kind is date:
        return parse_date(raw)
    if kind is str:
        return raw
    raise BadValue("this column cannot be filtered")
