from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        checks.register(check_admin_registrations, checks.Tags.admin)


def check_admin_registrations(app_configs: Any = None, **_kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check`: validate every ModelAdmin of the project's admin site."""
    from shop.admin.checks import check_site
    from shop.registrations import site

    return check_site(site)
