"""ModelAdmin configuration is validated by `manage.py check`, with Django's check ids."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from shop.admin import AdminSite, ModelAdmin
from shop.admin.checks import check_site
from shop.models import Order, Product
from shop.registrations import site


def _ids(admin_class: type[ModelAdmin], model: type = Order) -> list[str]:
    test_site = AdminSite(name="checks")
    test_site.register(model, admin_class)
    return [error.id for error in check_site(test_site)]


def test_the_project_site_has_no_configuration_error() -> None:
    assert check_site(site) == []
    call_command("check")


def test_a_correct_configuration_passes() -> None:
    class Good(ModelAdmin):
        list_display = ("id", "user__username", "status", "total", "created_at")
        list_display_links = ("id",)
        list_filter = ("status", "created_at", "user__role")
        search_fields = ("^user__username", "=user__email", "items__product__sku")
        ordering = ("-created_at",)
        sortable_by = ("id", "total")
        date_hierarchy = "created_at"
        fields = ("user", "status")
        readonly_fields = ("created_at",)

    assert _ids(Good) == []


@pytest.mark.parametrize(
    ("option", "value", "check_id"),
    [
        ("list_display", ("id", "nope"), "admin.E108"),
        ("list_display", ("user__password",), "admin.E108"),
        ("list_display_links", ("status",), "admin.E111"),
        ("list_filter", ("user__nope",), "admin.E116"),
        ("search_fields", ("^missing",), "admin.E126"),
        ("ordering", ("-nope",), "admin.E033"),
        ("sortable_by", ("status",), "admin.E200"),
        ("date_hierarchy", "status", "admin.E128"),
        ("date_hierarchy", "nope", "admin.E127"),
        ("fields", ("user", "colour"), "admin.E035"),
        ("readonly_fields", ("colour",), "admin.E035"),
        ("list_per_page", 0, "admin.E118"),
        ("count_strategy", "guess", "admin.E300"),
        ("list_display", ("id", "items__quantity"), "admin.E400"),
        ("ordering", ("items__quantity",), "admin.E400"),
    ],
)
def test_a_misconfigured_option_is_reported_with_its_check_id(
    option: str, value: object, check_id: str
) -> None:
    admin_class = type("Bad", (ModelAdmin,), {option: value})
    assert check_id in _ids(admin_class)


def test_manage_py_check_fails_on_a_bad_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    class Bad(ModelAdmin):
        list_display = ("sku", "colour")

    bad_site = AdminSite(name="bad")
    bad_site.register(Product, Bad)
    monkeypatch.setattr("shop.registrations.site", bad_site)
    with pytest.raises(SystemCheckError, match=r"admin\.E108"):
        call_command("check")


@pytest.mark.parametrize(
    ("fields", "register_user", "user_search", "check_id"),
    [
        ("user", True, ("username",), "admin.E036"),  # a string, not a tuple
        (("nope",), True, ("username",), "admin.E037"),
        (("status",), True, ("username",), "admin.E037"),  # a column, not a relationship
        (("items",), True, ("username",), "admin.E038"),  # one-to-many: not a chooser
        (("user",), False, (), "admin.E039"),  # the related model has no admin
        (("user",), True, (), "admin.E040"),  # ... or no search to run
    ],
)
def test_autocomplete_fields_are_checked(
    fields: object, register_user: bool, user_search: tuple[str, ...], check_id: str
) -> None:
    from shop.models import User

    test_site = AdminSite(name="checks")
    test_site.register(Order, type("Orders", (ModelAdmin,), {"autocomplete_fields": fields}))
    if register_user:
        test_site.register(User, type("Users", (ModelAdmin,), {"search_fields": user_search}))
    assert [error.id for error in check_site(test_site)] == [check_id]


def test_searchable_autocomplete_targets_pass() -> None:
    from shop.models import User

    test_site = AdminSite(name="checks")
    test_site.register(Order, type("Orders", (ModelAdmin,), {"autocomplete_fields": ("user",)}))
    test_site.register(User, type("Users", (ModelAdmin,), {"search_fields": ("^username",)}))
    assert check_site(test_site) == []
