"""Search: terms AND-ed, fields OR-ed, `%`, `_` and `\\` taken literally.

As in Django: `^field` starts with, `=field` equals (case-insensitively), a plain name
contains; the text is split on whitespace with quoted phrases kept together. Unlike
Django, a term that cannot be a value of a non-text field (letters for `=id`) simply does
not match that field instead of failing, and related fields are searched as a set of keys
(`user_id IN (SELECT id FROM users WHERE ...)`, see keysets), so rows are never
duplicated. The fields of one related table share one subquery; on PostgreSQL a term
that can match in several tables is the union of their keys, so each table's own index
(a trigram index for "contains") answers its part.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.text import smart_split, unescape_string_literal
from sqlalchemy import String, and_, cast, false, func, literal, or_, type_coerce, union_all

from shop.admin.changelist import conditions, keysets, values
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


def _literal_pattern(term: str) -> str:
    """`term` as a LIKE pattern that matches itself only (escape character "/")."""
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _match(
    expression: Any, mode: str, term: str, dialect: str = "default"
) -> conditions.Condition | None:
    """`expression` matches `term`, or None when it never can (a word against a number)."""
    if _is_text(expression):
        # As plain text: an enum type would otherwise insist on one of its values.
        text = type_coerce(expression, String())
        if mode == "exact" and dialect == "postgresql":
            # ILIKE without wildcards: the same case-insensitive equality, which a
            # trigram index can answer where lower(column) would need its own index.
            return text.ilike(_literal_pattern(term), escape="/")
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


def _group(fields: Sequence[SearchField]) -> dict[tuple[Any, ...], list[SearchField]]:
    """Search fields by the relationships they walk: one condition per related table."""
    groups: dict[tuple[Any, ...], list[SearchField]] = {}
    for field in fields:
        groups.setdefault(field[1].relationships, []).append(field)
    return groups


def _matcher(fields: list[SearchField], term: str, dialect: str) -> keysets.Make | None:
    """`make(entity)`: the group's fields OR-ed on `entity`; None when none can match."""
    if all(_match(path.expression, mode, term) is None for mode, path in fields):
        return None

    def make(entity: Any) -> conditions.Condition:
        # path.attribute was resolved against the mapper: a declared name.
        matches = [
            _match(getattr(entity, path.attribute), mode, term, dialect) for mode, path in fields
        ]
        return or_(*(match for match in matches if match is not None))

    return make


def _term_parts(
    model: type, groups: dict[tuple[Any, ...], list[SearchField]], term: str, dialect: str
) -> list[conditions.Condition]:
    """One term's alternatives on `model`: one condition per table a field lives in."""
    parts = []
    for chain, fields in groups.items():
        make = _matcher(fields, term, dialect)
        if make is not None:
            parts.append(make(model) if not chain else keysets.condition(model, chain, make))
    return parts


def _union_keys(
    model: type, groups: dict[tuple[Any, ...], list[SearchField]], term: str, dialect: str
) -> conditions.Condition | None:
    """`pk IN (keys of branch 1 UNION ALL keys of branch 2 ...)`, where keysets allow."""
    pk = model.__mapper__.primary_key  # type: ignore[attr-defined]
    makes = [
        (chain, make)
        for chain, fields in groups.items()
        if (make := _matcher(fields, term, dialect))
    ]
    if len(pk) != 1 or not all(keysets.supported(chain) for chain, _make in makes):
        return None
    keys = [keysets.key_select(model, chain, make, pk[0]) for chain, make in makes]
    return pk[0].in_(union_all(*keys))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Search:
    """A search, as one condition and, where one term spans tables, as its alternatives."""

    condition: conditions.Condition | None  # every term: what the list's rows satisfy
    # PostgreSQL: the alternatives of the first term that spans several tables, and the
    # other terms; the rows are those of any branch that also satisfy `rest`.
    branches: tuple[conditions.Condition, ...] = ()
    rest: tuple[conditions.Condition, ...] = ()


def search(model: type, fields: Sequence[SearchField], text: str, dialect: str) -> Search:
    """The search `text` over `fields` of `model`; Search(None) when there is nothing to do."""
    terms = split_terms(text) if fields else []
    if not terms:
        return Search(None)
    groups = _group(fields)
    combined: list[conditions.Condition] = []
    rest: list[conditions.Condition] = []
    branches: tuple[conditions.Condition, ...] = ()
    for term in terms:
        parts = _term_parts(model, groups, term, dialect)
        condition = or_(*parts) if parts else false()
        if len(parts) > 1 and dialect == "postgresql":
            # An OR over several tables is checked row by row over the whole list; the
            # union of each table's matching keys lets every branch use its own index.
            union = _union_keys(model, groups, term, dialect)
            if union is not None:
                condition = union
                if not branches:
                    branches = tuple(parts)
                    combined.append(condition)
                    continue
        combined.append(condition)
        rest.append(condition)
    return Search(and_(*combined), branches, tuple(rest) if branches else ())


def search_condition(
    model: type, fields: Sequence[SearchField], text: str, dialect: str = "default"
) -> conditions.Condition | None:
    """The WHERE condition for search `text`, or None when there is nothing to search."""
    return search(model, fields, text, dialect).condition
