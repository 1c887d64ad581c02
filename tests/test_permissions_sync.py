"""`migrate` creates view/add/change/delete permissions for every registered model."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client

from shop.admin import AdminSite, ModelAdmin
from shop.admin.permissions import permission_specs, sync_permissions
from shop.models import Post, Vet
from shop.registrations import site

ACTIONS = ("add", "change", "delete", "view")


def _permissions_of(app_label: str, model: str) -> dict[str, str]:
    rows = Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    return dict(rows.values_list("codename", "name"))


def test_migrate_created_the_permissions_of_every_registered_model() -> None:
    for admin in site.model_admins():
        assert ContentType.objects.filter(
            app_label=admin.app_label, model=admin.model_name
        ).exists()
        assert _permissions_of(admin.app_label, admin.model_name) == {
            f"{action}_{admin.model_name}": f"Can {action} {admin.verbose_name}"
            for action in ACTIONS
        }, admin


def test_permissions_are_named_as_django_names_them() -> None:
    assert _permissions_of("commerce", "orderitem")["view_orderitem"] == "Can view order item"
    assert _permissions_of("audit", "auditrecord")["delete_auditrecord"] == (
        "Can delete audit record"
    )
    # Django's own auth models keep Django's rows: the admin of the mapped tables adds none.
    assert _permissions_of("auth", "user")["change_user"] == "Can change user"


def test_sync_is_idempotent(django_assert_max_num_queries: Any) -> None:
    before = Permission.objects.count()
    with django_assert_max_num_queries(2):  # existing content types, existing permissions
        assert sync_permissions(site) == []
    assert Permission.objects.count() == before


def test_sync_creates_what_is_missing_in_bulk(django_assert_max_num_queries: Any) -> None:
    other = AdminSite(name="other")

    class KennelAdmin(ModelAdmin):
        verbose_name = "kennel"

    other.register(Vet, KennelAdmin, app_label="boarding")
    Permission.objects.filter(content_type__app_label="social", codename="view_post").delete()
    other.register(Post, app_label="social")
    with django_assert_max_num_queries(5):
        created = sync_permissions(other)
    assert sorted(spec.key for spec in created) == [
        "boarding.add_vet",
        "boarding.change_vet",
        "boarding.delete_vet",
        "boarding.view_vet",
        "social.view_post",
    ]
    assert _permissions_of("boarding", "vet")["view_vet"] == "Can view kennel"
    assert sync_permissions(other) == []


def test_the_post_migrate_handler_restores_deleted_permissions() -> None:
    Permission.objects.filter(content_type__app_label="clinic").delete()
    ContentType.objects.filter(app_label="clinic", model="pet").delete()
    ContentType.objects.clear_cache()
    call_command("migrate", verbosity=0, interactive=False)
    assert _permissions_of("clinic", "pet") == {
        f"{action}_pet": f"Can {action} pet" for action in ACTIONS
    }
    assert len(_permissions_of("clinic", "appointment")) == 4


def test_specs_follow_the_model_admin_codenames() -> None:
    specs = permission_specs([site.get_model_admin(Vet)])
    assert [spec.key for spec in specs] == [
        "clinic.add_vet",
        "clinic.change_vet",
        "clinic.delete_vet",
        "clinic.view_vet",
    ]


@pytest.fixture
def vet_viewer(client: Client, staff_user: Any) -> Client:
    """Staff whose only grant is the group "Vet desk" with clinic.view_vet."""
    group = Group.objects.create(name="Vet desk")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="clinic", codename="view_vet")
    )
    staff_user.groups.add(group)
    client.force_login(staff_user)
    return client


def test_a_group_grant_works_as_in_django(vet_viewer: Client, staff_user: Any) -> None:
    assert staff_user.has_perm("clinic.view_vet")
    assert not staff_user.has_perm("clinic.change_vet")
    assert vet_viewer.get("/admin/clinic/vet/").status_code == 200
    assert vet_viewer.get("/admin/clinic/vet/add/").status_code == 403
    assert vet_viewer.get("/admin/clinic/pet/").status_code == 403
