"""Per-model admin options: Django admin's vocabulary for a SQLAlchemy mapping."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.text import camel_case_to_spaces
from sqlalchemy import Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite

ACTIONS = ("add", "change", "delete", "view")


def pluralize(noun: str) -> str:
    """English plural of a verbose name: "category" -> "categories", "address" -> "addresses"."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def default_app_label(model: type) -> str:
    """The domain a mapping belongs to: the last part of its module (shop.models.social)."""
    return model.__module__.rsplit(".", 1)[-1]


def mapper_of(model: type) -> Mapper[Any]:
    """The SQLAlchemy mapper of `model`; anything unmapped is a configuration error."""
    mapper: Any = sa_inspect(model, raiseerr=False)
    if not isinstance(mapper, Mapper):
        raise ImproperlyConfigured(f"{model!r} is not a SQLAlchemy mapped class")
    return mapper


class ModelAdmin:
    """How one mapped class appears in the admin. Subclass and override the attributes."""

    verbose_name: str | None = None
    verbose_name_plural: str | None = None

    def __init__(self, model: type, admin_site: AdminSite, *, app_label: str | None = None):
        self.model = model
        self.admin_site = admin_site
        self.mapper = mapper_of(model)
        self.app_label = app_label or default_app_label(model)
        self.object_name = model.__name__
        self.model_name = model.__name__.lower()
        # Instance attributes, so a subclass that sets only verbose_name gets its plural.
        self.verbose_name = self.verbose_name or camel_case_to_spaces(model.__name__)
        self.verbose_name_plural = self.verbose_name_plural or pluralize(self.verbose_name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.app_label}.{self.model_name}>"

    @property
    def table(self) -> Table:
        """The table that holds this model's rows (what the index counts)."""
        return self.mapper.local_table  # type: ignore[return-value]

    # Permissions: Django's codenames ("social.view_user"), checked by Django's auth
    # backends, so superusers pass and staff get exactly what their groups grant.

    def get_permission_codename(self, action: str) -> str:
        return f"{action}_{self.model_name}"

    def _has_perm(self, request: HttpRequest, action: str) -> bool:
        codename = self.get_permission_codename(action)
        return request.user.has_perm(f"{self.app_label}.{codename}")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # As in Django admin: whoever may change a record may also look at it.
        return self._has_perm(request, "view") or self._has_perm(request, "change")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._has_perm(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_perm(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_perm(request, "delete")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_module_perms(self.app_label)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        """Which of add/change/delete/view the user has (templates show links from this)."""
        return {
            "add": self.has_add_permission(request),
            "change": self.has_change_permission(request),
            "delete": self.has_delete_permission(request),
            "view": self.has_view_permission(request),
        }
