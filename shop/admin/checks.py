"""Configuration checks for ModelAdmins, run by `manage.py check` (Django's system checks).

A misspelled column or a bad filter path is reported at startup with Django admin's
check ids, instead of surfacing as an error on some request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.checks import CheckMessage
from django.core.checks import Error as DjangoError
from django.core.exceptions import ImproperlyConfigured

from shop.admin.actions.checks import check_actions
from shop.admin.changelist.config import check_changelist_options, resolve_filter_entry
from shop.admin.changelist.editable_checks import check_list_editable
from shop.admin.changelist.query import declared_labels
from shop.admin.inlines.checks import check_inlines
from shop.admin.paths import PathError, resolve
from shop.admin.related_rows import chooser_relationship

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin
    from shop.admin.sites import AdminSite

COUNT_STRATEGIES = ("exact", "estimate", "none")
SEARCH_PREFIXES = "^=@"


def check_site(site: AdminSite) -> list[CheckMessage]:
    """Every problem in every ModelAdmin registered with `site`."""
    return [error for admin in site.model_admins() for error in check_model_admin(admin)]


def check_model_admin(admin: ModelAdmin) -> list[CheckMessage]:
    checks = (
        _list_display,
        _list_display_links,
        _list_filter,
        _search_fields,
        _ordering,
        _sortable_by,
        _date_hierarchy,
        _form_fields,
        _autocomplete_fields,
        check_actions,
        check_list_editable,
        check_inlines,
        _numbers,
    )
    errors = [error for check in checks for error in check(admin)]
    if errors:
        return errors
    # The changelist's own resolvers are stricter (e.g. no list column across a
    # to-many relationship): what they refuse would otherwise fail on the page.
    problems = check_changelist_options(admin, declared_labels(admin))
    return [_error(admin, "E400", f"Changelist option: {problem}") for problem in problems]


def _error(admin: ModelAdmin, check_id: str, message: str) -> CheckMessage:
    return DjangoError(message, obj=type(admin), id=f"admin.{check_id}")


def _path_error(admin: ModelAdmin, path: str) -> str | None:
    try:
        resolve(admin.model, path)
    except PathError as exc:
        return str(exc)
    return None


def _is_display_name(admin: ModelAdmin, name: str) -> bool:
    if name == "__str__" or callable(getattr(admin, name, None)):
        return True
    # A labeled column of get_query() (Django's annotate()) is a column too.
    return _path_error(admin, name) is None or name in declared_labels(admin)


def _list_display(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, name in enumerate(admin.list_display):
        if not isinstance(name, str) or not _is_display_name(admin, name):
            yield _error(
                admin,
                "E108",
                f"The value of 'list_display[{index}]' refers to {name!r}, which is not a "
                f"column, SQL property, relationship path or method of "
                f"{admin.model.__name__} or {type(admin).__name__}.",
            )


def _list_display_links(admin: ModelAdmin) -> Iterator[CheckMessage]:
    links = admin.list_display_links or ()
    for index, name in enumerate(links):
        if name not in admin.list_display:
            yield _error(
                admin,
                "E111",
                f"The value of 'list_display_links[{index}]' refers to {name!r}, "
                "which is not defined in 'list_display'.",
            )


def _list_filter(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, item in enumerate(admin.list_filter):
        if not isinstance(item, str):
            continue  # a filter class: it validates its own parameters
        problem = _path_error(admin, item)
        if problem and not _is_relation_path(admin, item):
            yield _error(
                admin, "E116", f"The value of 'list_filter[{index}]' refers to {item!r}: {problem}."
            )


def _is_relation_path(admin: ModelAdmin, name: str) -> bool:
    """A filter on a relationship itself ("vet", "clubs"): the related rows are the choices."""
    try:
        resolve_filter_entry(admin.model, name)
    except ImproperlyConfigured:
        return False
    return True


def _search_fields(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, field in enumerate(admin.search_fields):
        problem = _path_error(admin, field.lstrip(SEARCH_PREFIXES))
        if problem:
            yield _error(
                admin, "E126", f"The value of 'search_fields[{index}]' is invalid: {problem}."
            )


def _ordering(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, field in enumerate(admin.ordering or ()):
        problem = _path_error(admin, field.removeprefix("-"))
        if problem:
            yield _error(admin, "E033", f"The value of 'ordering[{index}]' is invalid: {problem}.")


def _sortable_by(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, name in enumerate(admin.sortable_by or ()):
        if name not in admin.list_display:
            yield _error(
                admin,
                "E200",
                f"The value of 'sortable_by[{index}]' refers to {name!r}, "
                "which is not in 'list_display'.",
            )


def _date_hierarchy(admin: ModelAdmin) -> Iterator[CheckMessage]:
    if admin.date_hierarchy is None:
        return
    try:
        path = resolve(admin.model, admin.date_hierarchy)
    except PathError as exc:
        yield _error(admin, "E127", f"The value of 'date_hierarchy' is invalid: {exc}.")
        return
    if path.column is None or not _is_temporal(path.column.type):
        yield _error(
            admin, "E128", "The value of 'date_hierarchy' must be a date or datetime column."
        )
    elif path.crosses_to_many:
        yield _error(admin, "E127", "'date_hierarchy' cannot cross a to-many relationship.")


def _is_temporal(column_type: Any) -> bool:
    try:
        return issubclass(column_type.python_type, date)  # datetime is a date too
    except NotImplementedError:
        return False


def _form_names(admin: ModelAdmin) -> Iterable[tuple[str, Sequence[str]]]:
    yield "fields", _flatten(admin.fields or ())
    yield "exclude", list(admin.exclude)
    yield "readonly_fields", list(admin.readonly_fields)
    for index, (_title, options) in enumerate(admin.fieldsets or ()):
        yield f"fieldsets[{index}][1]['fields']", _flatten(options.get("fields", ()))


def _flatten(names: Iterable[Any]) -> list[str]:
    # Django lets a fields entry be a tuple: fields shown side by side on one line.
    flat: list[str] = []
    for name in names:
        flat.extend(name if isinstance(name, (tuple, list)) else [name])
    return flat


def _form_fields(admin: ModelAdmin) -> Iterator[CheckMessage]:
    mapper = admin.mapper
    known = set(mapper.column_attrs.keys()) | set(mapper.relationships.keys())
    known |= set(getattr(admin.form, "base_fields", ()))  # fields of ModelAdmin.form
    for option, names in _form_names(admin):
        for name in names:
            # As in Django: a method listed in readonly_fields may be placed in fieldsets.
            readonly = option == "readonly_fields" or name in admin.readonly_fields
            readonly_ok = readonly and callable(getattr(admin, name, None))
            if name not in known and not readonly_ok and _path_error(admin, name):
                yield _error(
                    admin,
                    "E035",
                    f"The value of '{option}' refers to {name!r}, which is not a field of "
                    f"{admin.model.__name__}.",
                )


def _autocomplete_fields(admin: ModelAdmin) -> Iterator[CheckMessage]:
    """Django's E036-E040: relationships only, to a registered model that can be searched."""
    names = admin.autocomplete_fields
    if not isinstance(names, (list, tuple)):
        yield _error(admin, "E036", "The value of 'autocomplete_fields' must be a list or tuple.")
        return
    for index, name in enumerate(names):
        option = f"autocomplete_fields[{index}]"
        if name not in admin.mapper.relationships:
            yield _error(
                admin, "E037", f"The value of '{option}' refers to {name!r}, which is not a "
                f"relationship of {admin.model.__name__}.",
            )  # fmt: skip
            continue
        prop = chooser_relationship(admin.mapper, name)
        if prop is None:
            yield _error(
                admin, "E038", f"The value of '{option}' must be a many-to-one or "
                "many-to-many relationship.",
            )  # fmt: skip
            continue
        yield from _autocomplete_target(admin, option, prop.mapper.class_)


def _autocomplete_target(admin: ModelAdmin, option: str, target: type) -> Iterator[CheckMessage]:
    site = admin.admin_site
    if not site.is_registered(target):
        yield _error(
            admin, "E039", f"An admin for model {target.__name__!r} has to be registered "
            f"to be referenced by {type(admin).__name__}.autocomplete_fields.",
        )  # fmt: skip
    elif not site.get_model_admin(target).search_fields:
        related = type(site.get_model_admin(target)).__name__
        yield _error(
            admin, "E040", f"{related} must define 'search_fields', because it's referenced "
            f"by {type(admin).__name__}.autocomplete_fields ({option}).",
        )  # fmt: skip


def _numbers(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for option in ("list_per_page", "list_max_show_all", "fk_select_limit", "count_cap"):
        value = getattr(admin, option)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            yield _error(admin, "E118", f"The value of '{option}' must be a positive integer.")
    if admin.count_strategy not in COUNT_STRATEGIES:
        yield _error(
            admin, "E300", f"The value of 'count_strategy' must be one of {COUNT_STRATEGIES}."
        )
