"""The result table: sortable headers and escaped cells, as Django admin renders them.

Every cell goes through format_html, so values are escaped. Empty values show as "-"
(Django's empty_value_display), booleans as ✓/✗ with a text alternative, timestamps in
UTC, and only http(s) strings become links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from sqlalchemy import inspect as sa_inspect

from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.filters import display_choice
from shop.admin.changelist.values import enum_values

EMPTY_VALUE_DISPLAY = "-"
SAFE_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class ResultRow:
    pk: str
    cells: list[SafeString]


def boolean_icon(value: bool | None) -> SafeString:
    label, icon, kind = {True: ("Yes", "✓", "yes"), False: ("No", "✗", "no")}.get(
        value,  # type: ignore[arg-type]
        ("Unknown", "?", "unknown"),
    )
    return format_html(
        '<span class="boolean {}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        kind,
        label,
        icon,
        label,
    )


def format_value(value: Any, display: DisplayField, *, as_link_text: bool = False) -> SafeString:
    """One cell's content, escaped; `as_link_text` when it goes inside the change link."""
    if value is None or (value == "" and not display.boolean):
        return format_html("{}", display.empty_value or EMPTY_VALUE_DISPLAY)
    if display.boolean or isinstance(value, bool):
        return boolean_icon(None if value is None else bool(value))
    if isinstance(value, datetime):
        return format_html(
            '<time datetime="{}">{} UTC</time>',
            value.isoformat(),
            value.strftime("%Y-%m-%d %H:%M"),
        )
    if isinstance(value, date):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), value.isoformat())
    if isinstance(value, str):
        if display.path is not None and enum_values(display.path.expression.type):
            return format_html("{}", display_choice(value))
        if not as_link_text and value.lower().startswith(SAFE_SCHEMES) and len(value) > 8:
            return format_html(
                '<a href="{}" rel="nofollow noopener noreferrer">{}</a>', value, value
            )
    return format_html("{}", value)


def cell_value(display: DisplayField, obj: Any, row: Any, labels: dict[str, str]) -> Any:
    """The value of one list_display entry for one result row (no query: all loaded)."""
    if display.kind == "str":
        return str(obj)
    if display.kind == "method":
        assert display.method is not None
        return display.method(obj)
    label = labels.get(display.name)
    if label is not None:
        return row._mapping[label]
    assert display.path is not None
    # A local column, loaded with the entity; the name was resolved against the mapper.
    return getattr(obj, display.path.attribute)


def object_id(obj: Any) -> str:
    identity = sa_inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


def result_row(
    fields: Sequence[DisplayField],
    links: set[str],
    row: Any,
    labels: dict[str, str],
    change_url: str,
) -> ResultRow:
    obj = row[0]
    cells = []
    first_link = True
    for display in fields:
        value = cell_value(display, obj, row, labels)
        css = f"field-{display.name}" + (" num" if display.numeric else "")
        if display.name in links:
            content = format_value(value, display, as_link_text=True)
            template = (
                '<th scope="row" class="{}"><a href="{}">{}</a></th>'
                if first_link
                else '<td class="{}"><a href="{}">{}</a></td>'
            )
            cells.append(format_html(template, css, change_url, content))
            first_link = False
        else:
            cells.append(format_html('<td class="{}">{}</td>', css, format_value(value, display)))
    return ResultRow(object_id(obj), cells)
