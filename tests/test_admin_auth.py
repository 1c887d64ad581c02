"""Staff sign-in: who gets in, where they land, logout, password change, CSRF, caching."""

from __future__ import annotations

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"
STAFF_ERROR = (
    "Please enter the correct username and password for a staff account. "
    "Note that both fields may be case-sensitive."
)


@pytest.fixture
def member(django_user_model):
    """An active account that is not staff."""
    return django_user_model.objects.create_user(username="member", password=PASSWORD)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _login(client, username: str, password: str, next_url: str | None = None):
    data = {"username": username, "password": password}
    url = "/admin/login/"
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data)


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/social/", "/admin/password_change/", "/admin/nope/"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_an_active_user_who_is_not_staff_is_sent_to_the_login_page(client, member) -> None:
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"You are authenticated as member, but are not authorized" in page.content


def test_the_login_page_renders_a_form_with_a_csrf_token(client) -> None:
    response = client.get("/admin/login/?next=/admin/social/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert '<input type="hidden" name="next" value="/admin/social/">' in body
    assert "Skip to main content" in body


def test_a_wrong_password_shows_the_staff_error(client, staff_user) -> None:
    response = _login(client, "staff", "wrong password")
    assert response.status_code == 200
    assert STAFF_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_user_who_is_not_staff_gets_the_same_error(client, member) -> None:
    response = _login(client, "member", PASSWORD)
    assert response.status_code == 200
    assert STAFF_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_inactive_staff_user_cannot_log_in(client, staff_user) -> None:
    staff_user.is_active = False
    staff_user.save()
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 200
    assert STAFF_ERROR in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_right_password_lands_on_next(client, staff_user) -> None:
    response = _login(client, "staff", PASSWORD, next_url="/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/"
    assert client.get("/admin/").status_code == 200


def test_the_right_password_without_next_lands_on_the_index(client, staff_user) -> None:
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    "evil",
    ["https://evil.example/", "//evil.example/", "http:/\\evil.example", "javascript:alert(1)"],
)
def test_an_off_site_next_is_not_followed(client, staff_user, evil: str) -> None:
    response = _login(client, "staff", PASSWORD, next_url=evil)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    page = client.get("/admin/login/", {"next": evil}, follow=False)
    # Logged in as staff: the login page sends us to the index, not to `next`.
    assert page["Location"] == "/admin/"


def test_an_off_site_next_is_not_put_into_the_form(client) -> None:
    body = client.get("/admin/login/", {"next": "https://evil.example/"}).content.decode()
    # The form posts back to its own URL (query string and all, as in Django admin), but
    # the `next` it submits is emptied: LoginView only keeps a safe one.
    assert '<input type="hidden" name="next" value="">' in body
    assert 'href="https://evil.example/' not in body


def test_next_is_escaped_in_the_login_page(client) -> None:
    payload = '/admin/"><script>alert(1)</script>'
    body = client.get("/admin/login/", {"next": payload}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_staff_user_visiting_the_login_page_goes_to_the_index(staff_client) -> None:
    response = staff_client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_logout_refuses_get(staff_client) -> None:
    response = staff_client.get("/admin/logout/")
    assert response.status_code == 405
    assert staff_client.get("/admin/").status_code == 200, "a GET must not log out"


def test_logout_by_post_shows_the_logged_out_page(staff_client) -> None:
    response = staff_client.post("/admin/logout/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Logged out</h1>" in body
    assert 'href="/admin/login/"' in body
    assert "Log out" not in body, "no user tools once signed out"
    assert staff_client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_logout_when_not_signed_in_goes_to_the_index(client) -> None:
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_every_page_has_the_logout_button_and_password_link(staff_client) -> None:
    body = staff_client.get("/admin/").content.decode()
    assert 'action="/admin/logout/"' in body
    assert 'href="/admin/password_change/"' in body


def test_password_change_needs_the_old_password(staff_client) -> None:
    new = "a brand new passphrase 42"
    response = staff_client.post(
        "/admin/password_change/",
        {"old_password": "not it", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


def test_password_change_then_the_new_password_logs_in(staff_client, staff_user) -> None:
    new = "a brand new passphrase 42"
    page = staff_client.get("/admin/password_change/")
    assert page.status_code == 200
    assert b'name="old_password"' in page.content
    response = staff_client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"
    done = staff_client.get(response["Location"])
    assert done.status_code == 200
    assert b"Your password was changed." in done.content
    assert staff_client.get("/admin/").status_code == 200, "still signed in after the change"

    fresh = Client()
    assert _login(fresh, "staff", PASSWORD).status_code == 200  # the old one no longer works
    assert _login(fresh, "staff", new)["Location"] == "/admin/"


def test_login_post_without_csrf_token_is_refused(staff_user) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/admin/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 403


def test_logout_post_without_csrf_token_is_refused(staff_user) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_user)
    assert strict.post("/admin/logout/").status_code == 403
    assert strict.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/social/", "/admin/password_change/"])
def test_admin_pages_are_never_cached(admin_client, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_is_never_cached(client) -> None:
    assert "no-store" in client.get("/admin/login/")["Cache-Control"]
