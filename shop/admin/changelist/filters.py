"""The filter sidebar: one spec per list_filter entry, chosen by the column's type.

Booleans (Yes/No/Unknown), choices (the enum's values), dates (Django's Any date / Today /
Past 7 days / This month / This year / No date / Has date), relationships (a bounded list
of related rows, or a search by name through /admin/autocomplete/ past the limit) and
other columns (a bounded list of distinct values). A list that would be longer than
FILTER_CHOICE_LIMIT becomes a small input for the value instead: one query of at most
LIMIT + 1 rows, never a full-table dropdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.text import capfirst
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.admin.changelist.config import (
    RelationPath,
    humanize,
    is_boolean,
    is_temporal,
    resolve_filter_entry,
)
from shop.admin.changelist.distinct import distinct_values
from shop.admin.changelist.params import query_string
from shop.admin.changelist.simple_filter import SimpleListFilter
from shop.admin.changelist.values import enum_values, python_type
from shop.admin.forms.related import parse_key
from shop.admin.paths import SEPARATOR, ResolvedPath
from shop.admin.related_rows import filter_autocomplete_url, related_rows_statement

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

FILTER_CHOICE_LIMIT = 50
EMPTY_LABEL = "Empty"


@dataclass(frozen=True)
class Choice:
    display: str
    selected: bool
    query_string: str


@dataclass
class FilterSpec:
    """What the template shows for one filter (choices, or an input past the limit)."""

    title: str
    keys: tuple[str, ...]  # the query-string keys this filter sets
    choices: list[Choice] = field(default_factory=list)
    input_name: str | None = None  # set when the choices would be too many
    input_value: str = ""
    input_label: str = ""
    input_numeric: bool = False
    hidden: list[tuple[str, str]] = field(default_factory=list)  # other params, for the input
    input_autocomplete_url: str | None = None  # search by name instead of typing an id


@dataclass(frozen=True)
class FilterContext:
    request: HttpRequest
    session: Session
    model_admin: ModelAdmin
    kept: dict[str, list[str]]  # the current query-string parameters (no page)
    today: date


def _link(ctx: FilterContext, new: dict[str, Any], keys: tuple[str, ...]) -> str:
    return query_string(ctx.kept, new, remove=[k for k in keys if k not in new])


def _fixed_choices(
    ctx: FilterContext, keys: tuple[str, ...], options: list[tuple[str, dict[str, str]]]
) -> list[Choice]:
    """Choices that each set an exact group of params; selected when the URL has exactly that."""
    current = {key: ctx.kept[key][-1] for key in keys if key in ctx.kept}
    return [
        Choice(label, current == params, _link(ctx, dict(params), keys))
        for label, params in options
    ]


def _value_choices(
    ctx: FilterContext, key: str, isnull_key: str, shown: list[tuple[str, str]], empty: bool
) -> list[Choice]:
    """All / one choice per value (repeated keys may select several) / Empty."""
    keys = (key, isnull_key)
    selected = set(ctx.kept.get(key, []))
    no_filter = not selected and isnull_key not in ctx.kept
    choices = [Choice("All", no_filter, _link(ctx, {}, keys))]
    choices += [
        Choice(label, value in selected, _link(ctx, {key: value}, keys)) for value, label in shown
    ]
    if empty:
        is_empty = ctx.kept.get(isnull_key, [""])[-1] in ("True", "true", "1")
        choices.append(Choice(EMPTY_LABEL, is_empty, _link(ctx, {isnull_key: "True"}, keys)))
    return choices


def _nullable(path: ResolvedPath) -> bool:
    column = path.column
    return column is None or bool(column.nullable) or not path.is_local


def boolean_filter(ctx: FilterContext, name: str, path: ResolvedPath) -> FilterSpec:
    keys = (f"{name}__exact", f"{name}__isnull")
    options = [("All", {}), ("Yes", {keys[0]: "1"}), ("No", {keys[0]: "0"})]
    if _nullable(path):
        options.append(("Unknown", {keys[1]: "True"}))
    return FilterSpec(humanize(name), keys, _fixed_choices(ctx, keys, options))


def choices_filter(ctx: FilterContext, name: str, path: ResolvedPath) -> FilterSpec:
    keys = (f"{name}__exact", f"{name}__isnull")
    shown = [(value, display_choice(value)) for value in enum_values(path.expression.type) or ()]
    choices = _value_choices(ctx, keys[0], keys[1], shown, _nullable(path))
    return FilterSpec(humanize(name), keys, choices)


def display_choice(value: str) -> str:
    """`no_show` -> "No show": enum values read as words."""
    return capfirst(value.replace("_", " "))


def date_filter(ctx: FilterContext, name: str, path: ResolvedPath) -> FilterSpec:
    since, until, isnull = keys = (f"{name}__gte", f"{name}__lt", f"{name}__isnull")
    today = ctx.today
    tomorrow = today + timedelta(days=1)
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    next_year = date(today.year + 1, 1, 1) if today.year < 9999 else date.max
    options: list[tuple[str, dict[str, str]]] = [
        ("Any date", {}),
        ("Today", {since: str(today), until: str(tomorrow)}),
        ("Past 7 days", {since: str(today - timedelta(days=7)), until: str(tomorrow)}),
        ("This month", {since: str(today.replace(day=1)), until: str(next_month)}),
        ("This year", {since: str(today.replace(month=1, day=1)), until: str(next_year)}),
    ]
    if _nullable(path) and path.is_local:
        options += [("No date", {isnull: "True"}), ("Has date", {isnull: "False"})]
    return FilterSpec(humanize(name), keys, _fixed_choices(ctx, keys, options))


def _with_input(
    ctx: FilterContext, spec: FilterSpec, name: str, label: str, numeric: bool
) -> FilterSpec:
    spec.input_name, spec.input_label, spec.input_numeric = name, label, numeric
    spec.input_value = ctx.kept.get(name, [""])[-1]
    spec.hidden = [(k, v) for k, vals in sorted(ctx.kept.items()) if k != name for v in vals]
    return spec


def all_values_filter(ctx: FilterContext, name: str, path: ResolvedPath) -> FilterSpec:
    """Distinct values of a text or number column: one query, at most LIMIT + 1 rows."""
    keys = (f"{name}__exact", f"{name}__isnull")
    expression = path.expression
    statement: Any
    if path.is_local:
        statement = ctx.model_admin.get_query(ctx.request).with_only_columns(expression)
    else:
        statement = select(expression)  # the related table's own values
    found = distinct_values(ctx.session, statement, expression, FILTER_CHOICE_LIMIT + 1)
    spec = FilterSpec(humanize(name), keys)
    if len(found) > FILTER_CHOICE_LIMIT:
        spec.choices = _value_choices(ctx, keys[0], keys[1], [], empty=False)
        numeric = python_type(expression.type) in (int, Decimal)
        return _with_input(ctx, spec, keys[0], spec.title, numeric)
    shown = [(str(value), str(value)) for value in found]
    spec.choices = _value_choices(ctx, keys[0], keys[1], shown, _nullable(path))
    return spec


def _selected_rows(ctx: FilterContext, mapper: Any, key: str) -> list[Any]:
    """The rows the URL filters on (`owner__id__exact=3`), for their names past the limit."""
    keys = []
    for raw in ctx.kept.get(key, [])[:FILTER_CHOICE_LIMIT]:
        try:
            keys.append(parse_key(mapper, raw))
        except (TypeError, ValueError):
            continue  # the changelist itself reports the bad value with ?e=1
    if not keys:
        return []
    site = ctx.model_admin.admin_site
    statement = related_rows_statement(site, mapper.class_, ctx.request)
    return list(ctx.session.scalars(statement.where(mapper.primary_key[0].in_(keys))))


def related_filter(ctx: FilterContext, relation: RelationPath) -> FilterSpec:
    """The related rows as choices (`vet__id__exact=3`), or a search past the limit.

    Past FILTER_CHOICE_LIMIT rows the filter lists only the selected rows and offers an
    input for the id, which the autocomplete script turns into a search by name.
    """
    mapper = relation.last.mapper
    pk_name = mapper.get_property_by_column(mapper.primary_key[0]).key
    keys = (f"{relation.name}{SEPARATOR}{pk_name}__exact", f"{relation.name}__isnull")
    site = ctx.model_admin.admin_site
    statement = related_rows_statement(site, mapper.class_, ctx.request)
    rows = list(ctx.session.scalars(statement.limit(FILTER_CHOICE_LIMIT + 1)))
    spec = FilterSpec(humanize(relation.name), keys)
    empty = relation.last.uselist or any(c.nullable for c in relation.last.local_columns)
    identity = mapper.primary_key_from_instance
    if len(rows) > FILTER_CHOICE_LIMIT:
        chosen = [(str(identity(row)[0]), str(row)) for row in _selected_rows(ctx, mapper, keys[0])]
        spec.choices = _value_choices(ctx, keys[0], keys[1], chosen, empty)
        spec.input_autocomplete_url = filter_autocomplete_url(
            ctx.model_admin, relation.name, mapper.class_
        )
        return _with_input(ctx, spec, keys[0], f"{spec.title} {pk_name}", True)
    shown = [(str(identity(row)[0]), str(row)) for row in rows]
    spec.choices = _value_choices(ctx, keys[0], keys[1], shown, empty)
    return spec


def simple_filter_spec(ctx: FilterContext, bound: SimpleListFilter) -> FilterSpec:
    """All / each declared choice of a SimpleListFilter (repeated values select several)."""
    key = bound.parameter_name
    selected = set(ctx.kept.get(key, []))
    choices = [Choice("All", not selected, _link(ctx, {}, (key,)))]
    choices += [
        Choice(label, value in selected, _link(ctx, {key: value}, (key,)))
        for value, label in bound.choices
    ]
    return FilterSpec(capfirst(bound.title), (key,), choices)


def build_filter_spec(ctx: FilterContext, entry: str | SimpleListFilter) -> FilterSpec:
    if isinstance(entry, SimpleListFilter):
        return simple_filter_spec(ctx, entry)
    resolved = resolve_filter_entry(ctx.model_admin.model, entry)
    if isinstance(resolved, RelationPath):
        return related_filter(ctx, resolved)
    if is_boolean(resolved):
        return boolean_filter(ctx, entry, resolved)
    if enum_values(resolved.expression.type) is not None:
        return choices_filter(ctx, entry, resolved)
    if is_temporal(resolved):
        return date_filter(ctx, entry, resolved)
    return all_values_filter(ctx, entry, resolved)
