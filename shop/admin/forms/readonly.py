"""Read-only fields: what they may name, their labels, and their values as escaped HTML.

A read-only name may be a column, a to-one relationship, a hybrid or plain property of
the model, or a method of the ModelAdmin (called with the object), as in Django admin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from sqlalchemy import Enum
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import RelationshipProperty

from shop.admin.forms.fields import humanize
from shop.admin.forms.membership import Membership, is_plain_many_to_many

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

EMPTY_VALUE = "-"
KEY_SLOT = "__key__"  # stands for an object's key in a change URL reversed once
_http_url = URLValidator(schemes=["http", "https"])


def check_readonly_name(model_admin: ModelAdmin, name: str) -> None:
    """Raise ImproperlyConfigured unless `name` can be shown read-only."""
    if _admin_method(model_admin, name) is not None:
        return
    mapper = model_admin.mapper
    if name in mapper.column_attrs:
        return
    rel = mapper.relationships.get(name)
    if rel is not None and (not rel.uselist or is_plain_many_to_many(rel)):
        return
    descriptor = mapper.all_orm_descriptors.get(name)
    attribute = getattr(model_admin.model, name, None) if not name.startswith("_") else None
    if isinstance(descriptor, hybrid_property) or isinstance(attribute, property):
        return
    raise ImproperlyConfigured(
        f"readonly field {name!r} of {type(model_admin).__name__} is not a column, to-one "
        f"relationship or property of {model_admin.model.__name__}, nor a method of the admin."
    )


def _admin_method(model_admin: ModelAdmin, name: str) -> Any:
    method = getattr(model_admin, name, None) if not name.startswith("_") else None
    return method if callable(method) and not isinstance(method, type) else None


def readonly_label(model_admin: ModelAdmin, name: str) -> str:
    method = _admin_method(model_admin, name)
    description = getattr(method, "short_description", None) if method else None
    if description:
        return str(description)
    column = model_admin.mapper.column_attrs.get(name)
    if column is not None and column.columns[0].info.get("verbose_name"):
        return humanize(column.columns[0].info["verbose_name"])
    return humanize(name)


def readonly_contents(request: HttpRequest, model_admin: ModelAdmin, obj: Any, name: str) -> str:
    """The value of `name` on `obj`, escaped; only http(s) values and rows become links."""
    if obj is None:
        return EMPTY_VALUE
    method = _admin_method(model_admin, name)
    if method is not None:
        return conditional_escape(display_value(method(obj)))
    prop = model_admin.mapper.relationships.get(name)
    if prop is not None and is_plain_many_to_many(prop):
        return members_contents(request, model_admin, obj, prop)
    column = model_admin.mapper.column_attrs.get(name)
    value = getattr(obj, name)
    if column is not None and isinstance(column.columns[0].type, Enum) and value is not None:
        return conditional_escape(humanize(value))
    if name in model_admin.mapper.relationships and value is not None:
        return related_link(request, model_admin, value)
    return conditional_escape(display_value(value))


def members_contents(
    request: HttpRequest, model_admin: ModelAdmin, obj: Any, prop: RelationshipProperty[Any]
) -> str:
    """The first members of a many-to-many relationship, linked, and how many more."""
    session = request.db  # type: ignore[attr-defined]
    rows, total = Membership(prop, obj).shown(session, model_admin)
    if not rows:
        return EMPTY_VALUE
    links = format_html_join(
        ", ", "{}", ((related_link(request, model_admin, row),) for row in rows)
    )
    more = total - len(rows)
    return format_html("{} and {} more", links, more) if more > 0 else links


def display_value(value: Any) -> Any:
    """Text for a value: "-" for empty, Yes/No, exact money, UTC times, safe links only."""
    if isinstance(value, SafeString):
        return value
    if value is None or value == "":
        return EMPTY_VALUE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=max(-value.as_tuple().exponent, 0))  # type: ignore[operator]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        try:
            _http_url(value)
        except ValidationError:
            return value
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', value, value)
    return str(value)


def related_link(request: HttpRequest, model_admin: ModelAdmin, related: Any) -> str:
    """The related row's name, linked to its change page when the user may view it."""
    site = model_admin.admin_site
    model = type(related)
    if not site.is_registered(model):
        return conditional_escape(str(related))
    admin = site.get_model_admin(model)
    identity = sa_inspect(related).identity
    if not identity or not admin.has_view_permission(request, related):
        return conditional_escape(str(related))
    try:
        url = change_url(admin, related)
    except NoReverseMatch:
        return conditional_escape(str(related))
    return format_html('<a href="{}">{}</a>', url, related)


def change_url(model_admin: ModelAdmin, obj: Any) -> str:
    """The URL of `obj`'s change page; rows of a page share one reverse() per model."""
    identity = sa_inspect(obj).identity or ()
    key = ",".join(str(part) for part in identity)
    name = f"admin:{model_admin.url_prefix}_change"
    current_app = model_admin.admin_site.name
    if not identity or not all(type(part) is int for part in identity):
        return reverse(name, args=(key,), current_app=current_app)  # quoted its own way
    pattern = _change_pattern(name, current_app, get_script_prefix(), get_urlconf())
    return pattern.replace(KEY_SLOT, key)


@lru_cache(maxsize=512)
def _change_pattern(name: str, current_app: str, script_prefix: str, urlconf: Any) -> str:
    # The script prefix and the urlconf are part of the key: reverse() depends on them.
    return reverse(name, args=(KEY_SLOT,), current_app=current_app)
