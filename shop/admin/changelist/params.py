"""The changelist's query string, Django admin's parameters, parsed and validated.

`q` search, `o` ordering (`o=2.-1`: list_display indexes, `-` descending), `p` page
(1-based), `all`, `e` (the error flag), date hierarchy `<field>__year/__month/__day`, and
filters as `<path>__<lookup>=value` with repeated keys OR-ed. Anything else - an unknown
parameter, field, relationship or lookup, a value of the wrong type, a bad index - raises
IncorrectLookupParameters, which the view answers like Django: a redirect to `?e=1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.utils.http import urlencode

from shop.admin.changelist import conditions, values
from shop.admin.changelist.config import resolve_relation
from shop.admin.paths import SEPARATOR, PathError, ResolvedPath, resolve

if TYPE_CHECKING:
    from shop.admin.changelist.simple_filter import SimpleListFilter

ALL_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR, ERROR_FLAG = "all", "o", "p", "q", "e"
# Where a page starts (seek pagination): the ordering values of the row before it.
AFTER_VAR, BEFORE_VAR = "_after", "_before"
CURSOR_VARS = frozenset({AFTER_VAR, BEFORE_VAR})
IS_POPUP_VAR, TO_FIELD_VAR, IS_FACETS_VAR = "_popup", "_to_field", "_facets"
IGNORED_VARS = frozenset({IS_POPUP_VAR, IS_FACETS_VAR})  # no popups or facets here
# The changelist's own parameters: no filter may take one of these names.
RESERVED_VARS = frozenset(
    {
        ALL_VAR,
        ORDER_VAR,
        PAGE_VAR,
        SEARCH_VAR,
        ERROR_FLAG,
        TO_FIELD_VAR,
        *IGNORED_VARS,
        *CURSOR_VARS,
    }
)
DATE_PARTS = ("year", "month", "day")
MAX_PAGE = 10**9
MAX_SEARCH_LENGTH = 500
MAX_VALUES = 100  # per key, and per `__in` list
ORDER_PART_RE = re.compile(r"(-?)([0-9]{1,4})")
NUMBER_RE = re.compile(r"[0-9]{1,10}")


class IncorrectLookupParameters(Exception):
    """A query-string parameter that does not name a declared field, lookup or value."""


class DisallowedToField(SuspiciousOperation):
    """`_to_field` names something other than the primary key (Django answers 400)."""


@dataclass(frozen=True)
class ParamSpec:
    """What the query string may refer to, from the resolved ModelAdmin options."""

    model: type
    sortable: tuple[bool, ...]  # per list_display index
    relation_chains: frozenset[tuple[str, ...]]  # relationship paths filters may walk
    date_hierarchy: str | None
    pk_name: str
    # list_filter classes (SimpleListFilter) by parameter_name, bound to the request.
    simple_filters: Mapping[str, SimpleListFilter] = field(default_factory=dict)


@dataclass(frozen=True)
class FilterLookup:
    key: str
    lookup: str
    raw: tuple[str, ...]
    condition: conditions.Condition


@dataclass
class ChangeListParams:
    search: str = ""
    order: list[tuple[int, bool]] | None = None  # None = no `o` (default ordering)
    page: int = 1
    show_all: bool = False
    error_flag: bool = False
    lookups: list[FilterLookup] = field(default_factory=list)
    date: tuple[int, ...] = ()  # (), (year,), (year, month) or (year, month, day)
    cursor: tuple[str, str] | None = None  # (AFTER_VAR or BEFORE_VAR, its raw value)
    kept: dict[str, list[str]] = field(default_factory=dict)  # what links carry on

    @property
    def is_filtered(self) -> bool:
        return bool(self.search or self.lookups or self.date)


def query_string(
    params: Mapping[str, list[str]],
    new: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
) -> str:
    """Django's ChangeList.get_query_string: `new` values set (None deletes), prefixes removed."""
    result = {key: list(vals) for key, vals in params.items()}
    for prefix in remove:
        for key in [k for k in result if k.startswith(prefix)]:
            del result[key]
    for key, value in (new or {}).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return "?" + urlencode(sorted(result.items()), doseq=True)


def parse(query: QueryDict, spec: ParamSpec, *, ignore_filters: bool = False) -> ChangeListParams:
    """Validate every parameter of `query`; IncorrectLookupParameters on the first bad one."""
    params = ChangeListParams(error_flag=ERROR_FLAG in query)
    _check_to_field(query, spec)
    if ignore_filters:
        return params
    date_keys = {f"{spec.date_hierarchy}{SEPARATOR}{part}" for part in DATE_PARTS}
    for key, raws in query.lists():
        if key in IGNORED_VARS or key in (ERROR_FLAG, TO_FIELD_VAR):
            continue
        _check_raw(key, raws)
        if key in CURSOR_VARS:
            params.cursor = (key, raws[-1])  # typed once the ordering is known
            continue
        if key != PAGE_VAR:
            params.kept[key] = list(raws)
        if key not in date_keys:
            _parse_one(params, spec, key, raws)
    if spec.date_hierarchy:
        params.date = _parse_date(query, spec.date_hierarchy)
    return params


def _check_raw(key: str, raws: list[str]) -> None:
    if len(raws) > MAX_VALUES:
        raise IncorrectLookupParameters(f"too many values for {key!r}")
    try:
        values.check_text(key)
        for raw in raws:
            values.check_text(raw)
    except values.BadValue as exc:
        raise IncorrectLookupParameters(str(exc)) from None


def _check_to_field(query: QueryDict, spec: ParamSpec) -> None:
    to_field = query.get(TO_FIELD_VAR)
    if to_field is not None and to_field != spec.pk_name:
        raise DisallowedToField(f"The field {to_field[:100]!r} cannot be referenced.")


def _parse_one(params: ChangeListParams, spec: ParamSpec, key: str, raws: list[str]) -> None:
    last = raws[-1]
    if key == SEARCH_VAR:
        if len(last) > MAX_SEARCH_LENGTH:
            raise IncorrectLookupParameters("search text too long")
        params.search = last
    elif key == ORDER_VAR:
        params.order = parse_order(last, spec.sortable)
    elif key == PAGE_VAR:
        params.page = parse_page(last)
    elif key == ALL_VAR:
        params.show_all = True
    else:
        params.lookups.append(parse_filter(spec, key, raws))


def parse_order(raw: str, sortable: tuple[bool, ...]) -> list[tuple[int, bool]]:
    """`2.-1` -> [(2, False), (1, True)]; an empty `o=` means no explicit ordering."""
    order: list[tuple[int, bool]] = []
    if raw == "":
        return order
    for part in raw.split("."):
        match = ORDER_PART_RE.fullmatch(part)
        index = int(match.group(2)) if match else -1
        if not 0 <= index < len(sortable) or not sortable[index]:
            raise IncorrectLookupParameters(f"bad ordering {part[:20]!r}")
        if all(index != seen for seen, _ in order):
            order.append((index, bool(match and match.group(1))))
    return order


def parse_page(raw: str) -> int:
    if not NUMBER_RE.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise IncorrectLookupParameters("bad page number")
    return int(raw)


def _split_key(key: str) -> tuple[str, str]:
    name, separator, lookup = key.rpartition(SEPARATOR)
    if separator and lookup in conditions.LOOKUPS:
        return name, lookup
    return key, "exact"


def _allowed(spec: ParamSpec, chain: tuple[str, ...]) -> bool:
    """Local fields always; relationship paths only as far as a list_filter walks."""
    return not chain or any(allowed[: len(chain)] == chain for allowed in spec.relation_chains)


def parse_filter(spec: ParamSpec, key: str, raws: list[str]) -> FilterLookup:
    if key in spec.simple_filters:
        return _simple_filter(spec.simple_filters[key], key, raws)
    name, lookup = _split_key(key)
    try:
        path = resolve(spec.model, name)
    except PathError:
        if lookup != "isnull":
            raise IncorrectLookupParameters(f"unknown field {key[:100]!r}") from None
        return _relation_isnull(spec, key, name, raws)
    if not _allowed(spec, tuple(rel.key for rel in path.relationships)):
        raise IncorrectLookupParameters(f"filtering on {name!r} is not allowed")
    typed = _coerce_all(path, lookup, raws)
    condition = conditions.on_path(
        path, spec.model, lambda expr: conditions.lookup_condition(expr, lookup, typed)
    )
    return FilterLookup(key, lookup, tuple(raws), condition)


def _simple_filter(bound: SimpleListFilter, key: str, raws: list[str]) -> FilterLookup:
    """A SimpleListFilter's parameter: only its declared values reach its where()."""
    declared = {value for value, _label in bound.choices}
    if any(raw not in declared for raw in raws):
        raise IncorrectLookupParameters(f"{key!r} has no such choice")
    return FilterLookup(key, "exact", tuple(raws), bound.condition(raws))


def _relation_isnull(spec: ParamSpec, key: str, name: str, raws: list[str]) -> FilterLookup:
    try:
        relation = resolve_relation(spec.model, name)
    except PathError:
        raise IncorrectLookupParameters(f"unknown field {key[:100]!r}") from None
    if not _allowed(spec, tuple(rel.key for rel in relation.relationships)):
        raise IncorrectLookupParameters(f"filtering on {name!r} is not allowed")
    flags = [_bad_value(values.parse_bool, raw) for raw in raws]
    condition = conditions.relation_isnull(spec.model, relation.relationships, flags)
    return FilterLookup(key, "isnull", tuple(raws), condition)


def _bad_value(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except values.BadValue as exc:
        raise IncorrectLookupParameters(str(exc)) from None


def _coerce_all(path: ResolvedPath, lookup: str, raws: list[str]) -> list[Any]:
    sa_type = path.expression.type
    if lookup in conditions.RANGE_LOOKUPS and values.python_type(sa_type) is bool:
        raise IncorrectLookupParameters("booleans have no order")
    if lookup == "isnull":
        return [_bad_value(values.parse_bool, raw) for raw in raws]
    if lookup == "in":
        lists = [raw.split(",") for raw in raws]
        if any(len(items) > MAX_VALUES for items in lists):
            raise IncorrectLookupParameters("too many values in an __in list")
        return [[_bad_value(values.coerce, sa_type, item) for item in items] for items in lists]
    return [_bad_value(values.coerce, sa_type, raw) for raw in raws]


def _parse_date(query: QueryDict, name: str) -> tuple[int, ...]:
    """(year[, month[, day]]) from `<name>__year` etc.; each part needs the one before."""
    parts: list[int] = []
    for part, upper in zip(DATE_PARTS, (9999, 12, 31), strict=True):
        raw = query.get(f"{name}{SEPARATOR}{part}")
        if raw is None:
            break
        if not NUMBER_RE.fullmatch(raw.strip()) or not 1 <= int(raw) <= upper:
            raise IncorrectLookupParameters(f"bad {part} {raw[:20]!r}")
        parts.append(int(raw))
    later = DATE_PARTS[len(parts) + 1 :] if len(parts) < len(DATE_PARTS) else ()
    if any(f"{name}{SEPARATOR}{part}" in query for part in later):
        raise IncorrectLookupParameters("a date part without the one before it")
    if len(parts) == len(DATE_PARTS):
        try:
            date(*parts)
        except ValueError:
            raise IncorrectLookupParameters("no such day") from None
    return tuple(parts)
