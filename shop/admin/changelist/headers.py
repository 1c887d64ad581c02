"""Column headers: Django's sortable headers with priority, direction and the three links.

Clicking a header makes it the primary sort (toggling its direction when it already is
sorted); "remove" drops it from the ordering; "toggle" flips it in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.text import capfirst

from shop.admin.changelist.config import DisplayField
from shop.admin.changelist.params import ORDER_VAR

QueryString = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Header:
    text: str
    name: str
    sortable: bool
    sorted: bool = False
    ascending: bool = False
    priority: int = 0
    url_primary: str = ""
    url_remove: str = ""
    url_toggle: str = ""
    numeric: bool = False


def _param(kind: str, position: int) -> str:
    return ("-" if kind == "desc" else "") + str(position)


def sortable_header(
    index: int, field: DisplayField, columns: dict[int, str], query_string: QueryString
) -> Header:
    """`columns`: the sorted list_display indexes -> "asc"/"desc", in priority order."""
    order_type = columns.get(index, "")
    new_type = "desc" if order_type == "asc" else "asc"
    primary: list[str] = []
    remove: list[str] = []
    toggle: list[str] = []
    for position, kind in columns.items():
        if position == index:
            primary.insert(0, _param(new_type, position))
            toggle.append(_param(new_type, position))
        else:
            primary.append(_param(kind, position))
            toggle.append(_param(kind, position))
            remove.append(_param(kind, position))
    if index not in columns:
        primary.insert(0, _param(new_type, index))
    return Header(
        capfirst(field.label),
        field.name,
        True,
        sorted=index in columns,
        ascending=order_type == "asc",
        priority=list(columns).index(index) + 1 if index in columns else 0,
        url_primary=query_string({ORDER_VAR: ".".join(primary)}),
        url_remove=query_string({ORDER_VAR: ".".join(remove)}),
        url_toggle=query_string({ORDER_VAR: ".".join(toggle)}),
        numeric=field.numeric,
    )


def build(
    fields: Sequence[DisplayField],
    sortable: Sequence[bool],
    columns: dict[int, str],
    query_string: QueryString,
) -> list[Header]:
    return [
        sortable_header(index, field, columns, query_string)
        if sortable[index]
        else Header(capfirst(field.label), field.name, False, numeric=field.numeric)
        for index, field in enumerate(fields)
    ]
