"""Django admin's decorators: `@register(Model, site=site)` and `@action(...)`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from shop.admin.options import ModelAdmin

if TYPE_CHECKING:
    from shop.admin.sites import AdminSite

AdminClass = TypeVar("AdminClass", bound=type[ModelAdmin])
ActionFunction = TypeVar("ActionFunction", bound=Callable[..., Any])


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


def action(
    function: ActionFunction | None = None,
    *,
    permissions: Sequence[str] | None = None,
    description: str | None = None,
    form: type | None = None,
) -> Any:
    """Django's `@admin.action`: set `allowed_permissions` and `short_description`.

    `permissions=["change"]` offers the action only to users for whom the ModelAdmin's
    `has_change_permission(request)` is true (any one listed permission suffices, as in
    Django). `form` is a Django form class of parameters: the action then first shows an
    intermediate page with that form, and is called as `function(modeladmin, request,
    selection, form)` once the form is valid.
    """

    def decorator(func: ActionFunction) -> ActionFunction:
        if permissions is not None:
            func.allowed_permissions = tuple(permissions)  # type: ignore[attr-defined]
        if description is not None:
            func.short_description = description  # type: ignore[attr-defined]
        if form is not None:
            func.form_class = form  # type: ignore[attr-defined]
        return func

    if function is None:
        return decorator
    return decorator(function)
