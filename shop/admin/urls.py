"""URLs of a model's admin pages, and the changelist filters carried between them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from sqlalchemy import inspect as sa_inspect

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

FILTERS_PARAM = "_changelist_filters"


def preserved_filters(request: HttpRequest, model_admin: ModelAdmin) -> str:
    """The changelist query string the user came from, re-encoded, or ""."""
    if not model_admin.preserve_filters:
        return ""
    raw = request.GET.get(FILTERS_PARAM, "")
    return QueryDict(raw).urlencode() if raw else ""


def add_preserved_filters(url: str, filters: str, *, to_changelist: bool = False) -> str:
    """`url` with the filters: as its own query for the changelist, else as one parameter."""
    if not filters:
        return url
    query = filters if to_changelist else urlencode({FILTERS_PARAM: filters})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def object_url(model_admin: ModelAdmin, obj: Any, page: str = "change") -> str:
    """The URL of one object's change (or delete, history) page."""
    key = ",".join(str(part) for part in sa_inspect(obj).identity or ())
    site = model_admin.admin_site
    return reverse(f"admin:{model_admin.url_prefix}_{page}", args=(key,), current_app=site.name)


def model_url(model_admin: ModelAdmin, page: str) -> str:
    """The URL of the changelist or the add page."""
    site = model_admin.admin_site
    return reverse(f"admin:{model_admin.url_prefix}_{page}", current_app=site.name)
