"""`@register(Model, site=site)`: Django admin's decorator for ModelAdmin classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from shop.admin.options import ModelAdmin

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite

AdminClass = TypeVar("AdminClass", bound=type[ModelAdmin])


def register(
    *models: type, site: AdminSite, app_label: str | None = None
) -> Callable[[AdminClass], AdminClass]:
    """Register `models` with `site` using the decorated ModelAdmin subclass.

    Unlike Django there is no default site: the engine does not own one, the domain does.
    """
    if not models:
        raise ValueError("register() needs at least one model")

    def wrapper(admin_class: AdminClass) -> AdminClass:
        if not issubclass(admin_class, ModelAdmin):
            raise ValueError("the decorated class must subclass ModelAdmin")
        site.register(models, admin_class, app_label=app_label)
        return admin_class

    return wrapper
