"""Export formats: one list_display row as a CSV record or a JSON Lines object.

Values are data, not the changelist's HTML: stored choice values (`no_show`, not
"No show"), exact decimals, timestamps in ISO 8601 UTC, booleans as true/false. CSV has
no types, so None is an empty cell; JSON Lines keeps null, numbers and booleans native
and writes decimals as strings so that no reader turns money into a float.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from typing import Any, Protocol

from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst

from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.display import cell_value

CSV, JSONL = "csv", "jsonl"
# OWASP "CSV Injection": a cell starting with one of these is a formula to a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS = {
    CSV: Format("csv", "text/csv; charset=utf-8"),
    JSONL: Format("jsonl", "application/jsonl; charset=utf-8"),
}


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC; a naive value is taken as UTC (as every stored timestamp is)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def plain_value(value: Any, display: DisplayField) -> Any:
    """A cell as a JSON-ready value: None, bool, int, float or str."""
    if value is None:
        return None
    if display.boolean or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, SafeData):
        # A display method's HTML: the text a reader of the page sees.
        return unescape(strip_tags(str(value)))
    return str(value)


def neutralize_formula(text: str) -> str:
    """A leading apostrophe makes spreadsheets show the text instead of evaluating it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralize_formula(value)
    return str(value)  # a number we formatted: "-3" is a number, not a formula


def row_values(fields: Sequence[DisplayField], row: Any, labels: dict[str, str]) -> list[Any]:
    """The plain values of one result row, in list_display order (no query: all loaded)."""
    obj = row[0]
    return [plain_value(cell_value(field, obj, row, labels), field) for field in fields]


def headers(fields: Sequence[DisplayField]) -> list[str]:
    """The changelist's column labels."""
    return [capfirst(field.label) for field in fields]


class Writer(Protocol):
    def header(self) -> str: ...

    def rows(self, rows: Iterable[Sequence[Any]]) -> str: ...


class CsvWriter:
    """Renders rows as CSV text; `csv` quotes separators, quotes and line breaks."""

    def __init__(self, fields: Sequence[DisplayField]) -> None:
        self._labels = [neutralize_formula(text) for text in headers(fields)]
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def header(self) -> str:
        self._writer.writerow(self._labels)
        return self._take()

    def rows(self, rows: Iterable[Sequence[Any]]) -> str:
        self._writer.writerows([csv_cell(value) for value in values] for values in rows)
        return self._take()

    def _take(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


class JsonLinesWriter:
    """One JSON object per line, keyed by the list_display names (stable and unique)."""

    def __init__(self, fields: Sequence[DisplayField]) -> None:
        self._names = [field.name for field in fields]

    def header(self) -> str:
        return ""

    def rows(self, rows: Iterable[Sequence[Any]]) -> str:
        return "".join(
            json.dumps(dict(zip(self._names, values, strict=True)), ensure_ascii=False) + "\n"
            for values in rows
        )


def writer_for(name: str, fields: Sequence[DisplayField]) -> Writer:
    return CsvWriter(fields) if name == CSV else JsonLinesWriter(fields)
