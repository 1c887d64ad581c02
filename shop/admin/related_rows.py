"""A related model's rows as its own admin lists them, and where to search them.

Shared by the form's choosers, the changelist's relationship filters and the
autocomplete endpoint; it imports neither of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from sqlalchemy import select
from sqlalchemy.orm import MANYTOMANY, MANYTOONE, Mapper, RelationshipProperty, raiseload

from shop.admin.paths import PathError, resolve

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin
    from shop.admin.sites import AdminSite

CHOOSER_DIRECTIONS = (MANYTOONE, MANYTOMANY)


def chooser_relationship(mapper: Mapper[Any], name: str) -> RelationshipProperty[Any] | None:
    """The writable many-to-one or many-to-many relationship `name` of `mapper`, if any."""
    prop = mapper.relationships.get(name)
    if prop is None or prop.viewonly or prop.direction not in CHOOSER_DIRECTIONS:
        return None
    return prop


def related_rows_statement(site: AdminSite, target: type, request: HttpRequest | None) -> Any:
    """`target`'s rows as its admin lists them: its scope (with a request), its ordering.

    Ordering entries that are not the model's own columns (labels, paths) are skipped:
    a chooser needs a stable order, not the changelist's. The primary key breaks ties.
    """
    statement: Any = select(target)
    entries: Any = ()
    if site.is_registered(target):
        admin = site.get_model_admin(target)
        if request is not None:
            # The admin's scope without its labeled columns (counts, totals): a chooser
            # shows the rows, and a correlated count per row would be wasted work.
            statement = admin.get_query(request).with_only_columns(target)
            entries = admin.get_ordering(request)
        else:
            entries = admin.ordering or ()
    order: list[Any] = []
    for entry in entries:
        try:
            path = resolve(target, entry.removeprefix("-"))
        except PathError:
            continue
        if path.is_local and path.column is not None:
            order.append(path.expression.desc() if entry.startswith("-") else path.expression)
    order += list(target.__mapper__.primary_key)  # type: ignore[attr-defined]
    return statement.options(raiseload("*")).order_by(*order)


def autocomplete_url(source: ModelAdmin, field_name: str) -> str | None:
    """The endpoint for `field_name` of `source`, or None when the related model cannot be
    searched (not registered, or no search_fields): the field then stays a raw id input."""
    prop = chooser_relationship(source.mapper, field_name)
    target = prop.mapper.class_ if prop is not None else None
    return _url_for(source, field_name, target)


def filter_autocomplete_url(source: ModelAdmin, field_name: str, target: type) -> str | None:
    """The endpoint for a relationship filter of the changelist (`pet__owner`)."""
    return _url_for(source, field_name, target)


def _url_for(source: ModelAdmin, field_name: str, target: type | None) -> str | None:
    site = source.admin_site
    if target is None or not site.is_registered(target):
        return None
    if not site.get_model_admin(target).search_fields:
        return None
    query = urlencode(
        {"app_label": source.app_label, "model_name": source.model_name, "field_name": field_name}
    )
    return f"{reverse('admin:autocomplete', current_app=site.name)}?{query}"
