"""Finding the object named by a URL's id, through the ModelAdmin's own query."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from sqlalchemy import and_

from shop.admin.forms.fields import integer_limit
from shop.admin.options import ModelAdmin

INT_RE = re.compile(r"-?[0-9]{1,18}")  # fits a BIGINT on every database
_INVALID = object()


def parse_pk(model_admin: ModelAdmin, object_id: str) -> tuple[Any, ...] | None:
    """The primary key values in `object_id` ("12", or "1,2" for a composite key), or None."""
    columns = list(model_admin.mapper.primary_key)
    parts = object_id.split(",") if len(columns) > 1 else [object_id]
    if len(parts) != len(columns):
        return None
    values = [_coerce(column, part) for column, part in zip(columns, parts, strict=True)]
    return None if any(value is _INVALID for value in values) else tuple(values)


def _coerce(column: Any, text: str) -> Any:
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is int:
        if not INT_RE.fullmatch(text):
            return _INVALID
        # Past the column's range PostgreSQL fails the query ("integer out of range"):
        # no row has such a key, so the page answers as for any missing object.
        value = int(text)
        return value if abs(value) <= integer_limit(column.type) else _INVALID
    if "\x00" in text or len(text) > 255:
        return _INVALID  # PostgreSQL refuses NUL in text; no key is that long
    if python_type is str:
        return text
    try:
        return python_type(text)
    except (TypeError, ValueError, ArithmeticError):
        return _INVALID


def get_object(request: HttpRequest, model_admin: ModelAdmin, object_id: str) -> Any | None:
    """The object, through the ModelAdmin's (possibly user-scoped) query; None if absent.

    A malformed id (text for an integer key, an out-of-range number) is simply not found.
    """
    key = parse_pk(model_admin, object_id)
    if key is None:
        return None
    columns = list(model_admin.mapper.primary_key)
    condition = and_(*(c == v for c, v in zip(columns, key, strict=True)))
    # The object alone: the list's computed columns (counts, totals) are not read here.
    scoped = model_admin.get_query(request)
    statement = scoped.with_only_columns(model_admin.model, maintain_column_froms=True)
    statement = statement.where(condition)
    # unique(): a get_query() with joined eager loads yields one row per child.
    return request.db.execute(statement).unique().scalars().first()  # type: ignore[attr-defined]
