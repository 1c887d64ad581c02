"""The engine's registry and ModelAdmin vocabulary, without HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shop.admin import AdminSite, AlreadyRegistered, ModelAdmin, NotRegistered, register
from shop.admin.options import pluralize
from shop.models import Order, OrderItem, Product, User
from shop.registrations import site


class _Base(DeclarativeBase):
    """A throwaway registry: these classes only exercise naming, never touch a table."""


class Address(_Base):
    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(primary_key=True)


class Category(_Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("order item", "order items"),
        ("address", "addresses"),
        ("category", "categories"),
        ("day", "days"),
        ("box", "boxes"),
        ("match", "matches"),
    ],
)
def test_pluralize(singular: str, plural: str) -> None:
    assert pluralize(singular) == plural


def test_names_derive_from_the_class() -> None:
    test_site = AdminSite(name="test")
    test_site.register([OrderItem, Address, Category])
    item = test_site.get_model_admin(OrderItem)
    assert (item.verbose_name, item.verbose_name_plural) == ("order item", "order items")
    assert (item.model_name, item.object_name, item.app_label) == (
        "orderitem",
        "OrderItem",
        "commerce",
    )
    assert item.table.name == "order_items"
    assert test_site.get_model_admin(Address).verbose_name_plural == "addresses"
    assert test_site.get_model_admin(Category).verbose_name_plural == "categories"
    assert test_site.get_model_admin(Address).app_label == "test_admin_registry"


def test_a_subclass_may_name_the_model() -> None:
    class PersonAdmin(ModelAdmin):
        verbose_name = "person"
        verbose_name_plural = "people"

    class BuyerAdmin(ModelAdmin):
        verbose_name = "buyer"

    test_site = AdminSite(name="test")
    test_site.register(User, PersonAdmin, app_label="people")
    test_site.register(Order, BuyerAdmin)
    person = test_site.get_model_admin(User)
    assert (person.verbose_name_plural, person.app_label) == ("people", "people")
    assert test_site.get_model_admin(Order).verbose_name_plural == "buyers"
    assert test_site.app_labels() == ["people", "commerce"]


def test_the_register_decorator() -> None:
    test_site = AdminSite(name="test")

    @register(Product, Order, site=test_site)
    class ShopAdmin(ModelAdmin):
        pass

    assert isinstance(test_site.get_model_admin(Product), ShopAdmin)
    assert isinstance(test_site.get_model_admin(Order), ShopAdmin)
    assert test_site.get_model_admin(Product) is not test_site.get_model_admin(Order)


def test_registration_errors() -> None:
    test_site = AdminSite(name="test")
    test_site.register(Product)
    with pytest.raises(AlreadyRegistered):
        test_site.register(Product)
    with pytest.raises(ImproperlyConfigured, match="not a SQLAlchemy mapped class"):
        test_site.register(dict)
    with pytest.raises(ImproperlyConfigured, match="cannot be an admin app label"):
        test_site.register(Order, app_label="login")
    with pytest.raises(ImproperlyConfigured, match="cannot be an admin app label"):
        test_site.register(Order, app_label="Has Spaces")
    test_site.unregister(Product)
    assert not test_site.is_registered(Product)
    with pytest.raises(NotRegistered):
        test_site.unregister(Product)
    with pytest.raises(NotRegistered):
        test_site.get_model_admin(Product)


def test_the_project_site_groups_models_by_domain() -> None:
    labels = ["audit", "auth", "clinic", "commerce", "school", "social"]
    assert sorted(site.app_labels()) == labels  # auth: Django's staff accounts and groups
    assert [a.model_name for a in site.model_admins("social")] == [
        "user",
        "post",
        "comment",
        "profile",
    ]


def _request(user: object) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_permissions_follow_django_codenames(staff_user) -> None:
    content_type, _ = ContentType.objects.get_or_create(app_label="commerce", model="order")
    change, _ = Permission.objects.get_or_create(
        codename="change_order", content_type=content_type, defaults={"name": "Can change order"}
    )
    staff_user.user_permissions.add(change)
    request = _request(type(staff_user).objects.get(pk=staff_user.pk))  # fresh perm cache
    orders = site.get_model_admin(Order)
    assert orders.has_change_permission(request)
    assert orders.has_view_permission(request), "change implies view, as in Django admin"
    assert not orders.has_add_permission(request)
    assert not orders.has_delete_permission(request)
    assert orders.has_module_permission(request)
    assert not site.get_model_admin(User).has_module_permission(request)


def test_a_superuser_has_every_permission(superuser) -> None:
    request = _request(superuser)
    perms = site.get_model_admin(Product).get_model_perms(request)
    assert perms == {"add": True, "change": True, "delete": True, "view": True}


def test_an_anonymous_user_has_none() -> None:
    request = _request(AnonymousUser())
    assert not any(site.get_model_admin(Product).get_model_perms(request).values())
    assert not site.has_permission(request)
