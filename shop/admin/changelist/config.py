"""Resolving and validating the changelist options of a ModelAdmin.

Every name in list_display, list_filter, search_fields, ordering and date_hierarchy is
resolved here against the mapper (through shop.admin.paths) or the ModelAdmin, once, and
a misconfigured entry raises ChangeListConfigError with a message naming the option.
The same functions serve the system checks (`check_changelist_options`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import capfirst
from sqlalchemy.orm import RelationshipProperty

from shop.admin.options_base import mapper_of
from shop.admin.paths import SEPARATOR, PathError, ResolvedPath, resolve

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

SEARCH_PREFIXES = {"^": "startswith", "=": "exact", "@": "contains"}


class ChangeListConfigError(ImproperlyConfigured):
    """A changelist option names something the model or its ModelAdmin does not have."""


def humanize(name: str) -> str:
    """`user__username` -> "User username", `is_active` -> "Is active"."""
    return capfirst(name.replace(SEPARATOR, " ").replace("_", " ").strip())


@dataclass(frozen=True)
class DisplayField:
    """One list_display entry, resolved."""

    name: str
    label: str
    kind: str  # "str" (__str__), "path" (column/hybrid, maybe across many-to-one),
    # "annotation" (a labeled column of get_query) or "method" (of the ModelAdmin)
    path: ResolvedPath | None = None
    method: Callable[[Any], Any] | None = None
    order_name: str | None = None  # what `o=` sorts on; None = not sortable
    boolean: bool = False
    empty_value: str | None = None
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class RelationPath:
    """A path that ends on a relationship (`vet`, `pet__owner`), for related filters."""

    name: str
    relationships: tuple[RelationshipProperty[Any], ...]

    @property
    def last(self) -> RelationshipProperty[Any]:
        return self.relationships[-1]


def _python_type(sa_type: Any) -> type | None:
    try:
        return sa_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def is_numeric_type(sa_type: Any) -> bool:
    kind = _python_type(sa_type)
    return kind is not None and kind is not bool and issubclass(kind, (int, float, Decimal))


def is_boolean(path: ResolvedPath) -> bool:
    return _python_type(path.expression.type) is bool


def is_temporal(path: ResolvedPath) -> bool:
    kind = _python_type(path.expression.type)
    return kind is not None and issubclass(kind, date)


def resolve_relation(model: type, name: str) -> RelationPath:
    """Resolve a path whose every part is a relationship; PathError otherwise."""
    mapper = mapper_of(model)
    relationships: list[RelationshipProperty[Any]] = []
    for part in name.split(SEPARATOR):
        prop = mapper.relationships.get(part)
        if prop is None:
            raise PathError(f"{mapper.class_.__name__} has no relationship {part!r} (in {name!r})")
        relationships.append(prop)
        mapper = prop.mapper
    return RelationPath(name, tuple(relationships))


def _display_path(model_admin: ModelAdmin, name: str) -> DisplayField | None:
    try:
        path = resolve(model_admin.model, name)
    except PathError:
        return None
    if path.crosses_to_many:
        raise ChangeListConfigError(
            f"{type(model_admin).__name__}.list_display: {name!r} crosses a to-many "
            "relationship; a list cell shows one value per row"
        )
    return DisplayField(
        name,
        humanize(name),
        "path",
        path=path,
        order_name=name,
        boolean=is_boolean(path),
        numeric=is_numeric_type(path.expression.type),
    )


def _display_method(model_admin: ModelAdmin, name: str, extra: Collection[str]) -> DisplayField:
    method = getattr(type(model_admin), name, None) if not name.startswith("_") else None
    if not callable(method):
        raise ChangeListConfigError(
            f"{type(model_admin).__name__}.list_display: {name!r} is not a column, a "
            f"many-to-one path, a hybrid property or a labeled column of get_query() of "
            f"{model_admin.model.__name__}, nor a method of {type(model_admin).__name__}"
        )
    order = getattr(method, "admin_order_field", None)
    if order is not None:
        validate_ordering_entry(model_admin, order, extra)
    return DisplayField(
        name,
        str(getattr(method, "short_description", humanize(name))),
        "method",
        method=getattr(model_admin, name),
        order_name=order.removeprefix("-") if order else None,
        boolean=bool(getattr(method, "boolean", False)),
        empty_value=getattr(method, "empty_value_display", None),
    )


def resolve_display_field(
    model_admin: ModelAdmin, name: str, extra: Collection[str] = ()
) -> DisplayField:
    """Resolve one list_display entry; `extra` are the labeled columns of get_query()."""
    if not isinstance(name, str):
        raise ChangeListConfigError(
            f"{type(model_admin).__name__}.list_display entries are names, not {name!r}"
        )
    if name == "__str__":
        return DisplayField(name, capfirst(str(model_admin.verbose_name)), "str")
    field = _display_path(model_admin, name)
    if field is not None:
        return field
    if name in extra:
        expression = extra[name] if isinstance(extra, Mapping) else None
        numeric = expression is not None and is_numeric_type(expression.type)
        return DisplayField(name, humanize(name), "annotation", order_name=name, numeric=numeric)
    return _display_method(model_admin, name, extra)


def resolve_search_field(model: type, spec: str) -> tuple[str, ResolvedPath]:
    """`^name` -> ("startswith", path); `=email` -> ("exact", ...); `name` -> ("contains", ...)."""
    if not isinstance(spec, str) or not spec:
        raise ChangeListConfigError(f"search_fields entries are non-empty names, not {spec!r}")
    mode = SEARCH_PREFIXES.get(spec[0])
    try:
        path = resolve(model, spec[1:] if mode else spec)
    except PathError as exc:
        raise ChangeListConfigError(f"search_fields: {exc}") from None
    return mode or "contains", path


def resolve_filter_entry(model: type, entry: Any) -> ResolvedPath | RelationPath:
    """A list_filter entry: a column/hybrid path, or a path ending on a relationship."""
    if not isinstance(entry, str):
        raise ChangeListConfigError(f"list_filter entries are field paths, not {entry!r}")
    try:
        return resolve(model, entry)
    except PathError as column_error:
        try:
            relation = resolve_relation(model, entry)
        except PathError:
            raise ChangeListConfigError(f"list_filter: {column_error}") from None
    target_pk = relation.last.mapper.primary_key
    if len(target_pk) != 1:
        raise ChangeListConfigError(
            f"list_filter: {entry!r} leads to a model with a composite primary key"
        )
    return relation


def validate_ordering_entry(model_admin: ModelAdmin, name: str, extra: Collection[str] = ()) -> str:
    """An ordering entry (`-created_at`, `user__username`, a get_query label); returns the name."""
    if not isinstance(name, str) or not name.removeprefix("-"):
        raise ChangeListConfigError(f"ordering entries are field names, not {name!r}")
    bare = name.removeprefix("-")
    if bare in extra:
        return bare
    try:
        path = resolve(model_admin.model, bare)
    except PathError as exc:
        raise ChangeListConfigError(f"ordering: {exc}") from None
    if path.crosses_to_many:
        raise ChangeListConfigError(f"ordering: {bare!r} crosses a to-many relationship")
    return bare


def resolve_date_hierarchy(model: type, name: str) -> ResolvedPath:
    """date_hierarchy: a date or datetime column of the model or across many-to-one."""
    try:
        path = resolve(model, name)
    except PathError as exc:
        raise ChangeListConfigError(f"date_hierarchy: {exc}") from None
    if path.column is None or not is_temporal(path) or path.crosses_to_many:
        raise ChangeListConfigError(
            f"date_hierarchy: {name!r} must be a date or datetime column "
            "(not across a to-many relationship)"
        )
    return path


def check_changelist_options(model_admin: ModelAdmin, extra: Collection[str] = ()) -> list[str]:
    """Every changelist misconfiguration of `model_admin`, as messages (for system checks).

    `extra` are the labels of columns that get_query() adds (Django's annotations).
    """
    problems: list[str] = []

    def attempt(function: Callable[..., Any], *args: Any) -> None:
        try:
            function(*args)
        except ChangeListConfigError as exc:
            problems.append(str(exc))

    # Imported here: simple_filter reads the reserved names from params, which imports us.
    from shop.admin.changelist.simple_filter import filter_class_problems

    model = model_admin.model
    for name in model_admin.list_display:
        attempt(resolve_display_field, model_admin, name, extra)
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            attempt(resolve_filter_entry, model, entry)
        else:
            problems.extend(filter_class_problems(entry))
    for spec in model_admin.search_fields:
        attempt(resolve_search_field, model, spec)
    for name in model_admin.ordering or ():
        attempt(validate_ordering_entry, model_admin, name, extra)
    if model_admin.date_hierarchy:
        attempt(resolve_date_hierarchy, model, model_admin.date_hierarchy)
    return problems
