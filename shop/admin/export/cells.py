"""One value of an export row as CSV cell or JSON text, chosen by the value's own type.

A million rows of six columns are six million cells, so the common types a database
returns (str, int, Decimal, datetime, date, None, bool, float) each have a direct
encoder, picked by `type(value)`. Everything else (a display method's HTML, a subclass)
goes through `formats.csv_text` or json.dumps of `formats.plain_value`, which define the
formats: the fast encoders give exactly their text, and the tests hold them to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from shop.admin.changelist.config import DisplayField
from shop.admin.export.formats import csv_text, neutralize_formula, plain_value

Encoder = Callable[[Any], Any]
TRUE, FALSE = "true", "false"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # what the timestamp types read back: nothing to convert
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bool_text(value: bool) -> str:
    return TRUE if value else FALSE


# CSV: csv.writer writes None as an empty cell and numbers with str(), as csv_cell does.
def _csv_same(value: Any) -> Any:
    return value


def _csv_decimal(value: Decimal) -> Any:
    return value if value.is_finite() else neutralize_formula(str(value))  # "-Infinity"


def _csv_datetime(value: datetime) -> str:
    return _utc(value).isoformat()


def _csv_date(value: date) -> str:
    return value.isoformat()


CSV_BY_TYPE: dict[type, Encoder] = {
    str: neutralize_formula,
    int: _csv_same,
    Decimal: _csv_decimal,
    float: _csv_same,
    type(None): _csv_same,
    bool: _bool_text,
    datetime: _csv_datetime,
    date: _csv_date,
}


def _json_float(value: float) -> str:
    return json.dumps(value)  # NaN and infinities as json.dumps writes them


def _json_quoted(value: Any) -> str:
    return f'"{value}"'  # str(Decimal) and ISO dates have nothing to escape


def _json_datetime(value: datetime) -> str:
    return f'"{_utc(value).isoformat()}"'


def _json_date(value: date) -> str:
    return f'"{value.isoformat()}"'


def _json_null(_value: None) -> str:
    return "null"


JSON_BY_TYPE: dict[type, Encoder] = {
    str: encode_basestring,
    int: int.__repr__,
    Decimal: _json_quoted,
    float: _json_float,
    type(None): _json_null,
    bool: _bool_text,
    datetime: _json_datetime,
    date: _json_date,
}


def csv_encoder(display: DisplayField) -> Encoder:
    """Raw value -> what csv.writer writes as the cell formats.csv_text gives."""
    if display.boolean:
        return lambda value: "" if value is None else _bool_text(bool(value))

    def encode(value: Any) -> Any:
        fast = CSV_BY_TYPE.get(type(value))
        return fast(value) if fast is not None else csv_text(value, display)

    return encode


def json_encoder(display: DisplayField) -> Encoder:
    """Raw value -> the JSON text json.dumps writes for plain_value(...)."""
    if display.boolean:
        return lambda value: "null" if value is None else _bool_text(bool(value))

    def encode(value: Any) -> str:
        fast = JSON_BY_TYPE.get(type(value))
        if fast is not None:
            return fast(value)  # type: ignore[no-any-return]
        return json.dumps(plain_value(value, display), ensure_ascii=False)

    return encode
