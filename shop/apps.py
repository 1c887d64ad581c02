from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from shop.admin.permissions import post_migrate_handler

        checks.register(check_admin_registrations, checks.Tags.admin)
        # `migrate` creates the view/add/change/delete permissions of every registered
        # model, as Django does for its own models (sent once per migrate for this app).
        post_migrate.connect(
            post_migrate_handler(_admin_site),
            sender=self,
            weak=False,  # the receiver is a closure: nothing else keeps it alive
            dispatch_uid="shop.sync_permissions",
        )


def _admin_site() -> Any:
    from shop.registrations import site

    return site


def check_admin_registrations(app_configs: Any = None, **_kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check`: validate every ModelAdmin of the project's admin site."""
    from shop.admin.checks import check_site

    return check_site(_admin_site())
