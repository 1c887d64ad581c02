"""Export formats and what a value is in them (shop.admin.export.writers writes rows).

Values are data, not the changelist's HTML: stored choice values (`no_show`, not
"No show"), exact decimals, timestamps in ISO 8601 UTC, booleans as true/false. CSV has
no types, so None is an empty cell; JSON Lines keeps null, numbers and booleans native
and writes decimals as strings so that no reader turns money into a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from typing import Any

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


def csv_text(value: Any, display: DisplayField) -> str:
    """A value's CSV cell: its plain value, where a number (a decimal too) is no formula."""
    if isinstance(value, Decimal) and value.is_finite() and not display.boolean:
        return str(value)
    return csv_cell(plain_value(value, display))


def cell_values(fields: Sequence[DisplayField], row: Any, labels: dict[str, str]) -> list[Any]:
    """The list_display values of one entity row, as the list reads them (no query)."""
    obj = row[0]
    return [cell_value(field, obj, row, labels) for field in fields]


def headers(fields: Sequence[DisplayField]) -> list[str]:
    """The changelist's column labels."""
    return [capfirst(field.label) for field in fields]
