"""Search: terms AND-ed, fields OR-ed, `%`, `_` and `\\` taken literally.

As in Django: `^field` starts with, `=field` equals (case-insensitively), a plain name
contains; the text is split on whitespace with quoted phrases kept together. Unlike
Django, a term that cannot be a value of a non-text field (letters for `=id`) simply does
not match that field instead of failing, and fields across to-many relationships are
searched with EXISTS, so rows are never duplicated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from django.utils.text import smart_split, unescape_string_literal
from sqlalchemy import String, and_, cast, false, func, literal, or_, type_coerce

from shop.admin.changelist import conditions, values
from shop.admin.changelist.params import IncorrectLookupParameters
from shop.admin.paths import ResolvedPath

MAX_TERMS = 20
SearchField = tuple[str, ResolvedPath]  # (mode, path): mode is contains/startswith/exact


def split_terms(text: str) -> list[str]:
    """Django's smart_split, with quotes removed from quoted phrases; empty terms dropped."""
    terms = []
    for bit in smart_split(text):
        if len(bit) > 1 and bit[0] in "\"'" and bit[0] == bit[-1]:
            with contextlib.suppress(ValueError):
                bit = unescape_string_literal(bit)
        if bit.strip():
            terms.append(bit)
    if len(terms) > MAX_TERMS:
        raise IncorrectLookupParameters(f"more than {MAX_TERMS} search terms")
    return terms


def _is_text(expression: Any) -> bool:
    return values.python_type(expression.type) is str


def _match(expression: Any, mode: str, term: str) -> conditions.Condition | None:
    """`expression` matches `term`, or None when it never can (a word against a number)."""
    if _is_text(expression):
        # As plain text: an enum type would otherwise insist on one of its values.
        text = type_coerce(expression, String())
        if mode == "exact":
            # Both sides lowered by the database, so they agree on what "lower" means.
            return func.lower(text) == func.lower(literal(term, String()))
        if mode == "startswith":
            return text.istartswith(term, autoescape=True)
        return text.icontains(term, autoescape=True)
    kind = values.python_type(expression.type)
    if mode == "exact":
        try:
            return expression == values.coerce(expression.type, term)  # type: ignore[no-any-return]
        except values.BadValue:
            return None
    if kind is int:  # digits inside a number: Django's contains on a cast
        digits = cast(expression, String())
        method = digits.istartswith if mode == "startswith" else digits.icontains
        return method(term, autoescape=True)
    return None


def _field_condition(model: type, field: SearchField, term: str) -> conditions.Condition | None:
    mode, path = field
    if path.is_local:
        return _match(path.expression, mode, term)
    if _match(path.expression, mode, term) is None:
        return None
    return conditions.on_path(path, model, lambda expr: _match(expr, mode, term))  # type: ignore[arg-type,return-value]


def search_condition(
    model: type, fields: Sequence[SearchField], text: str
) -> conditions.Condition | None:
    """The WHERE condition for search `text`, or None when there is nothing to search."""
    terms = split_terms(text) if fields else []
    if not terms:
        return None
    per_term = []
    for term in terms:
        matches = [c for f in fields if (c := _field_condition(model, f, term)) is not None]
        per_term.append(or_(*matches) if matches else false())
    return and_(*per_term)
