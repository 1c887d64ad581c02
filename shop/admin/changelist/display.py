"""The result table: sortable headers and escaped cells, as Django admin renders them.

Every value in a cell is escaped (conditional_escape, as format_html does). Empty values
show as "-" (Django's empty_value_display), booleans as ✓/✗ with a text alternative,
timestamps in UTC, and only http(s) strings become links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from sqlalchemy import inspect as sa_inspect

from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.filters import display_choice
from shop.admin.changelist.values import enum_values
from shop.admin.escaping import escaped

EMPTY_VALUE_DISPLAY = "-"
KEY_MARK = "__key__"  # stands for a row's key in a reversed URL: quoting leaves it alone
PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted in a path
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


ICONS = {True: boolean_icon(True), False: boolean_icon(False)}


def format_value(value: Any, display: DisplayField, *, as_link_text: bool = False) -> SafeString:
    """One cell's content, escaped; `as_link_text` when it goes inside the change link."""
    return SafeString(_content(value, display, as_link_text))


def _content(value: Any, display: DisplayField, as_link_text: bool) -> str:
    # Escaped strings rather than format_html: this runs for every cell of the page.
    if value is None or (value == "" and not display.boolean):
        return escaped(display.empty_value or EMPTY_VALUE_DISPLAY)
    if display.boolean or isinstance(value, bool):
        return ICONS[bool(value)]
    if isinstance(value, datetime):
        stamp = escaped(value.strftime("%Y-%m-%d %H:%M"))
        return f'<time datetime="{escaped(value.isoformat())}">{stamp} UTC</time>'
    if isinstance(value, date):
        day = escaped(value.isoformat())
        return f'<time datetime="{day}">{day}</time>'
    if isinstance(value, str):
        if display.path is not None and enum_values(display.path.expression.type):
            return escaped(display_choice(value))
        if not as_link_text and value.lower().startswith(SAFE_SCHEMES) and len(value) > 8:
            link = escaped(value)
            return f'<a href="{link}" rel="nofollow noopener noreferrer">{link}</a>'
    return escaped(value)


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


def change_urls(model_admin: Any, preserved_filters: str) -> Callable[[Any], str]:
    """The change page URL of each row of a page: reverse() of the model's `_change` URL
    with the row's key, then `?<preserved_filters>`. One reverse() serves the page: the
    URLs differ only in the key, quoted into the path as reverse() quotes it."""
    name, site = f"admin:{model_admin.url_prefix}_change", model_admin.admin_site.name
    query = f"?{preserved_filters}" if preserved_filters else ""
    try:
        url = reverse(name, args=(KEY_MARK,), current_app=site)
    except NoReverseMatch:  # a URL pattern that takes no such key: one reverse() per row
        url = ""
    head, found, tail = url.partition(KEY_MARK)
    if not found:
        return lambda obj: f"{reverse(name, args=(object_id(obj),), current_app=site)}{query}"
    return lambda obj: f"{head}{quote(object_id(obj), safe=PATH_SAFE)}{tail}{query}"


def result_row(
    fields: Sequence[DisplayField],
    links: set[str],
    row: Any,
    labels: dict[str, str],
    change_url: str,
) -> ResultRow:
    obj = row[0]
    url = escaped(change_url)
    cells = []
    first_link = True
    for display in fields:
        value = cell_value(display, obj, row, labels)
        css = escaped(f"field-{display.name}" + (" num" if display.numeric else ""))
        if display.name not in links:
            content = _content(value, display, False)
            cells.append(SafeString(f'<td class="{css}">{content}</td>'))
            continue
        link = f'<a href="{url}">{_content(value, display, True)}</a>'
        if first_link:
            cells.append(SafeString(f'<th scope="row" class="{css}">{link}</th>'))
        else:
            cells.append(SafeString(f'<td class="{css}">{link}</td>'))
        first_link = False
    return ResultRow(object_id(obj), cells)
