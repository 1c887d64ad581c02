"""Django permissions for the models registered on an admin site.

Every ModelAdmin is checked against Django's own codenames (`"social.view_user"`), so
each needs a `ContentType(app_label, model)` and its four `Permission` rows, named as
Django names them ("Can view user"). `sync_permissions` creates the missing ones; the
shop app runs it after every `migrate` (a post_migrate handler, as Django does for its
own models), so groups and per-user grants work as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, router

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin
    from shop.admin.sites import AdminSite

# Django's default_permissions, in its order.
DEFAULT_ACTIONS = ("add", "change", "delete", "view")


@dataclass(frozen=True)
class PermissionSpec:
    """One permission a registered model needs: where it lives and what it is called."""

    app_label: str
    model: str
    codename: str
    name: str

    @property
    def key(self) -> str:
        """The string `user.has_perm()` takes: "social.view_user"."""
        return f"{self.app_label}.{self.codename}"


def permission_specs(model_admins: Iterable[ModelAdmin]) -> list[PermissionSpec]:
    """The view/add/change/delete permissions of `model_admins`, in Django's wording."""
    return [
        PermissionSpec(
            app_label=admin.app_label,
            model=admin.model_name,
            codename=admin.get_permission_codename(action),
            name=f"Can {action} {admin.verbose_name}"[:255],
        )
        for admin in model_admins
        for action in DEFAULT_ACTIONS
    ]


def sync_permissions(
    site: AdminSite, *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps
) -> list[PermissionSpec]:
    """Create the content types and permissions the site's models lack; return the new ones.

    Idempotent, and two bulk INSERTs at most: existing rows are read once and kept as
    they are (a renamed permission keeps its name, as with Django's own models).
    """
    try:
        content_type_model = apps.get_model("contenttypes", "ContentType")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:  # contenttypes or auth not installed: nothing to attach perms to
        return []
    if not router.allow_migrate_model(using, permission_model):
        return []
    specs = permission_specs(site.model_admins())
    content_types = _content_types(
        content_type_model, using, {(s.app_label, s.model) for s in specs}
    )
    existing = set(
        permission_model.objects.using(using)
        .filter(content_type__in=list(content_types.values()))
        .values_list("content_type_id", "codename")
    )
    missing = [
        spec
        for spec in specs
        if (content_types[spec.app_label, spec.model].pk, spec.codename) not in existing
    ]
    permission_model.objects.using(using).bulk_create(
        permission_model(
            content_type=content_types[spec.app_label, spec.model],
            codename=spec.codename,
            name=spec.name,
        )
        for spec in missing
    )
    return missing


def _content_types(
    model: Any, using: str, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """(app_label, model) -> ContentType, creating the missing ones in one bulk INSERT."""
    labels = {app_label for app_label, _model in keys}
    manager = model.objects.db_manager(using)
    found = {(ct.app_label, ct.model): ct for ct in manager.filter(app_label__in=labels)}
    new = [model(app_label=a, model=m) for a, m in sorted(keys) if (a, m) not in found]
    if new:
        manager.bulk_create(new)
        # Not every database returns the new ids from a bulk INSERT: read them back.
        found = {(ct.app_label, ct.model): ct for ct in manager.filter(app_label__in=labels)}
        manager.clear_cache()
    return {key: found[key] for key in keys}


def post_migrate_handler(site_loader: Any) -> Any:
    """A post_migrate receiver that syncs the site's permissions (`site_loader()` gives it)."""

    def receiver(
        *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, verbosity: int = 1, **_: Any
    ) -> None:
        created = sync_permissions(site_loader(), using=using, apps=apps)
        if verbosity >= 2:
            for spec in created:
                print(f"Adding permission '{spec.app_label} | {spec.model} | {spec.name}'")

    return receiver
