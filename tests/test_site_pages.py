"""Site-level pages (dashboards, reports): registration rules, the index link, access."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from shop.admin import AdminSite, AlreadyRegistered, ModelAdmin
from shop.admin.pages import SitePage
from shop.models import Vet
from tests.auth_helpers import django_staff

calls: list[str] = []


def report(request: HttpRequest) -> HttpResponse:
    calls.append(request.method or "")
    return HttpResponse("<p>the report</p>")


def may_see_vets(request: HttpRequest) -> bool:
    return request.user.has_perm("clinic.view_vet")


def page(**values: Any) -> SitePage:
    fields = {
        "route": "clinic/report/",
        "name": "clinic_report",
        "title": "Vet report <b>",
        "view": report,
        "has_permission": may_see_vets,
        "description": "Appointments per vet",
    }
    return SitePage(**{**fields, **values})


# A site with one page, mounted by the tests marked urls(__name__).
pages_site = AdminSite(name="admin")
pages_site.register(Vet, ModelAdmin)
pages_site.register_page(page())
urlpatterns = [path("admin/", pages_site.urls)]


@pytest.fixture(autouse=True)
def _forget_calls() -> None:
    calls.clear()


@pytest.mark.parametrize(
    "values",
    [
        {"route": "clinic/report"},  # no trailing slash
        {"route": "/clinic/report/"},
        {"route": "Clinic/Report/"},
        {"route": "clinic/../x/"},
        {"name": "clinic-report"},
        {"name": ""},
    ],
)
def test_a_malformed_route_or_name_is_refused(values: dict) -> None:
    with pytest.raises(ImproperlyConfigured):
        page(**values)


def test_a_page_cannot_shadow_a_site_wide_url_or_another_page() -> None:
    site = AdminSite()
    with pytest.raises(ImproperlyConfigured):
        site.register_page(page(route="login/x/"))
    site.register_page(page())
    with pytest.raises(AlreadyRegistered):
        site.register_page(page(name="other"))
    with pytest.raises(AlreadyRegistered):
        site.register_page(page(route="clinic/other/"))


@pytest.mark.urls(__name__)
def test_the_index_links_to_the_pages_a_user_may_open(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_staff(django_user_model, "vetdesk", "clinic.view_vet"))
    index = client.get("/admin/").content.decode()
    assert '<a href="/admin/clinic/report/">Vet report &lt;b&gt;</a>' in index
    assert "Appointments per vet" in index
    response = client.get("/admin/clinic/report/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert calls == ["GET"]


@pytest.mark.urls(__name__)
def test_staff_the_page_does_not_let_in_get_403_and_no_link(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_staff(django_user_model, "nobody"))
    assert "/admin/clinic/report/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/clinic/report/").status_code == 403
    assert calls == []


@pytest.mark.urls(__name__)
def test_anonymous_visitors_go_to_the_login_page_and_posts_need_csrf(
    django_user_model: Any,
) -> None:
    anonymous = Client()
    response = anonymous.get("/admin/clinic/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_staff(django_user_model, "vetdesk", "clinic.view_vet"))
    assert strict.post("/admin/clinic/report/").status_code == 403
    assert calls == []
