"""Staff accounts and groups managed from the admin: /admin/auth/user/ and /admin/auth/group/.

The pages edit Django's own tables through the request's SQLAlchemy session, so each
change and its audit record commit together; Django reads the result (its hashes, its
permission rows) as if Django admin had written it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from shop.models import auth
from shop.registrations.accounts.forms import password_hash
from shop.registrations.accounts.password import stay_signed_in
from tests.auth_helpers import account, django_staff, form_controls, group, keys_of, permission
from tests.change_form_helpers import audit_of, messages_of

USERS = "/admin/auth/user/"
GROUPS = "/admin/auth/group/"
GOOD_PASSWORD = "Tangerine-kite-47"


def _reload(session: Session, obj: Any) -> Any:
    key = sa_inspect(obj).identity
    session.expire_all()
    return session.get(type(obj), key)


def _find(session: Session, username: str) -> auth.User | None:
    session.expire_all()
    return session.scalar(select(auth.User).where(auth.User.username == username))


def _add_data(session: Session, **changes: Any) -> dict[str, Any]:
    data = {"username": "newcomer", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update({"is_active": "on", "is_staff": "on", "_save": "1"})
    return {**data, **changes}


def _change_data(user: auth.User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"username": user.username, "email": user.email, "_save": "1"}
    data.update(first_name=user.first_name, last_name=user.last_name)
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data["groups"] = [str(g.id) for g in user.groups]
    data["user_permissions"] = [str(p.id) for p in user.user_permissions]
    return {**data, **changes}


# Adding an account


def test_adding_an_account_stores_djangos_hash_groups_and_permissions(
    admin_client: Client, session: Session
) -> None:
    desk = group(session, "Front desk", "clinic.view_pet")
    vet_view = permission(session, "clinic.view_vet")
    data = _add_data(session, groups=[str(desk.id)], user_permissions=[str(vet_view.id)])
    response = admin_client.post(f"{USERS}add/", data)
    assert response.status_code == 302
    user = _find(session, "newcomer")
    assert user is not None
    assert user.is_staff
    assert not user.is_superuser
    stored = password_hash(session, user)
    assert stored.startswith("pbkdf2_sha256$")
    assert check_password(GOOD_PASSWORD, stored)
    assert [g.name for g in user.groups] == ["Front desk"]
    assert keys_of(user.user_permissions, session) == {"clinic.view_vet"}
    [(action, details)] = audit_of(session, "auth.user", user.id)
    assert action == "add"
    assert details["password"] == (None, "set")
    assert details["groups"] == (None, "Front desk")
    assert details["user_permissions"] == (None, "clinic.view_vet")
    assert not any(stored in str(values) for values in details.values())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password2": "Tangerine-kite-48"}, "password2", "The two password fields didn’t match."),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "84729163", "password2": "84729163"}, "password2", "entirely numeric"),
        (
            {"username": "Newcomer1", "password1": "newcomer1", "password2": "newcomer1"},
            "password2",
            "too similar",
        ),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"password1": ""}, "password1", "This field is required."),
    ],
)
def test_the_add_page_refuses_bad_passwords_and_names(
    admin_client: Client, session: Session, changes: dict[str, str], field: str, message: str
) -> None:
    response = admin_client.post(f"{USERS}add/", _add_data(session, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert session.scalar(select(func.count()).select_from(auth.User)) == 0


def test_a_taken_username_is_a_form_error(admin_client: Client, session: Session) -> None:
    account(session, username="taken")
    response = admin_client.post(f"{USERS}add/", _add_data(session, username="taken"))
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "User with this Username already exists."
    ]


def test_junk_choices_are_form_errors_never_a_500(admin_client: Client, session: Session) -> None:
    for junk in ("abc", "-1", "99999999999999999999", "1;DROP", "\x00"):
        for field in ("groups", "user_permissions"):
            response = admin_client.post(f"{USERS}add/", _add_data(session, **{field: [junk]}))
            assert response.status_code == 200, (field, junk)
            assert field in response.context["form"].errors
    assert _find(session, "newcomer") is None


# The password: never shown, set on its own page


def test_the_change_page_shows_the_algorithm_never_the_hash(
    admin_client: Client, session: Session
) -> None:
    user = account(session)
    hashed = make_password(GOOD_PASSWORD)
    table = auth.auth_user
    session.execute(table.update().where(table.c.id == user.id).values(password=hashed))
    body = admin_client.get(f"{USERS}{user.id}/change/").content.decode()
    assert "Algorithm: pbkdf2_sha256." in body
    assert hashed.split("$")[2] not in body
    assert hashed.split("$")[3] not in body
    assert f'href="{USERS}{user.id}/password/"' in body
    assert 'name="password' not in body


def test_an_account_without_a_password_says_so(admin_client: Client, session: Session) -> None:
    user = account(session)
    assert password_hash(session, user).startswith("!")
    assert "No password set." in admin_client.get(f"{USERS}{user.id}/change/").content.decode()


def test_the_password_page_sets_a_new_hash_and_audits_without_it(
    admin_client: Client, session: Session
) -> None:
    user = account(session)
    page = admin_client.get(f"{USERS}{user.id}/password/")
    assert page.status_code == 200
    assert f"Enter a new password for the user <strong>{user.username}</strong>" in (
        page.content.decode()
    )
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    response = admin_client.post(f"{USERS}{user.id}/password/", data)
    assert response.status_code == 302
    assert response["Location"] == f"{USERS}{user.id}/change/"
    assert messages_of(response) == ["Password changed successfully."]
    assert check_password(GOOD_PASSWORD, password_hash(session, user))
    assert audit_of(session, "auth.user", user.id) == [("change", {"password": (None, "changed")})]


def test_a_mistyped_password_changes_nothing(admin_client: Client, session: Session) -> None:
    user = account(session)
    before = password_hash(session, user)
    data = {"password1": GOOD_PASSWORD, "password2": "something else"}
    response = admin_client.post(f"{USERS}{user.id}/password/", data)
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert password_hash(session, user) == before
    assert audit_of(session, "auth.user", user.id) == []


def test_an_unknown_account_has_no_password_page(admin_client: Client) -> None:
    assert admin_client.get(f"{USERS}987654/password/").status_code == 302
    assert admin_client.get(f"{USERS}abc/password/").status_code == 302
    assert admin_client.put(f"{USERS}1/password/").status_code == 405


def test_changing_ones_own_password_keeps_one_signed_in(staff_user: Any) -> None:
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request.user = staff_user
    request.session[HASH_SESSION_KEY] = staff_user.get_session_auth_hash()
    new_hash = make_password(GOOD_PASSWORD)
    someone_else = auth.User(id=staff_user.pk + 1, username="someone")
    stay_signed_in(request, someone_else, new_hash)
    assert staff_user.password != new_hash
    myself = auth.User(id=staff_user.pk, username=staff_user.username)
    stay_signed_in(request, myself, new_hash)
    assert staff_user.password == new_hash
    assert request.session[HASH_SESSION_KEY] == staff_user.get_session_auth_hash()


# Groups and their permission matrix


def test_the_group_matrix_changes_only_the_permissions_it_shows(
    admin_client: Client, session: Session
) -> None:
    # sessions.view_session belongs to no registered model: the matrix does not show it.
    clerks = group(session, "Clerks", "clinic.view_vet", "sessions.view_session")
    page = admin_client.get(f"{GROUPS}{clerks.id}/change/").content.decode()
    shown = form_controls(page, "group_form").data["permissions"]
    assert shown == [str(permission(session, "clinic.view_vet").id)]
    chosen = [str(permission(session, key).id) for key in ("social.view_user", "clinic.add_vet")]
    data = {"name": "Clerks", "permissions": chosen, "_save": "1"}
    assert admin_client.post(f"{GROUPS}{clerks.id}/change/", data).status_code == 302
    keys = keys_of(_reload(session, clerks).permissions, session)
    assert keys == {"social.view_user", "clinic.add_vet", "sessions.view_session"}
    rows = _details(session, clerks.id)
    assert sorted(rows, key=str) == [
        ("permissions", "clinic.view_vet", None),
        ("permissions", None, "clinic.add_vet"),
        ("permissions", None, "social.view_user"),
    ]
    assert [action for action, _ in audit_of(session, "auth.group", clerks.id)] == ["change"]


def _details(session: Session, group_id: int) -> list[tuple[str, str | None, str | None]]:
    from shop.models import AuditDetail, AuditRecord

    statement = (
        select(AuditDetail.field, AuditDetail.old_value, AuditDetail.new_value)
        .join(AuditRecord, AuditDetail.audit_id == AuditRecord.id)
        .where(AuditRecord.entity == "auth.group", AuditRecord.entity_id == str(group_id))
    )
    return [tuple(row) for row in session.execute(statement)]  # type: ignore[misc]


def test_the_matrix_has_a_row_per_registered_model(admin_client: Client) -> None:
    from shop.registrations import site

    body = admin_client.get(f"{GROUPS}add/").content.decode()
    matrix = body.split('<table class="permission-matrix"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">', matrix)
    assert len(rows) == len(site.model_admins())
    assert matrix.count('type="checkbox"') == 4 * len(site.model_admins())
    assert "Authentication and authorization ›</span> Users" in matrix


def test_deleting_a_group_keeps_its_members(admin_client: Client, session: Session) -> None:
    clerks = group(session, "Clerks", "clinic.view_vet")
    member, clerks_id = account(session, groups=[clerks]), clerks.id
    assert admin_client.post(f"{GROUPS}{clerks_id}/delete/", {"post": "yes"}).status_code == 302
    session.expire_all()
    assert session.get(auth.Group, clerks_id) is None
    assert _reload(session, member).groups == []
    assert audit_of(session, "auth.group", clerks_id)[-1][0] == "delete"


def test_deleting_an_account_removes_its_memberships(
    admin_client: Client, session: Session
) -> None:
    clerks = group(session, "Clerks")
    vet_view = permission(session, "clinic.view_vet")
    user_id = account(session, groups=[clerks], user_permissions=[vet_view]).id
    preview = admin_client.get(f"{USERS}{user_id}/delete/")
    assert preview.status_code == 200
    assert admin_client.post(f"{USERS}{user_id}/delete/", {"post": "yes"}).status_code == 302
    session.expire_all()
    assert session.get(auth.User, user_id) is None
    assert session.scalar(select(func.count()).select_from(auth.user_groups)) == 0
    assert session.scalar(select(func.count()).select_from(auth.user_permissions)) == 0
    [*_, (action, details)] = audit_of(session, "auth.user", user_id)
    assert action == "delete"
    assert "password" not in details


# What a staff member who is not a superuser may do


@pytest.fixture
def account_manager(client: Client, django_user_model: Any) -> Client:
    """Staff who may manage accounts and groups, and view vets: nothing else."""
    actions = ("view", "add", "change", "delete")
    keys = [f"auth.{a}_{m}" for a in actions for m in ("user", "group")] + ["clinic.view_vet"]
    client.force_login(django_staff(django_user_model, "manager", *keys))
    return client


def test_only_a_superuser_grants_superuser_status(
    account_manager: Client, session: Session
) -> None:
    user = account(session)
    page = account_manager.get(f"{USERS}{user.id}/change/").content.decode()
    assert "is_superuser" not in form_controls(page, "user_form").data
    data = _change_data(user, is_superuser="on", first_name="Ann")
    assert account_manager.post(f"{USERS}{user.id}/change/", data).status_code == 302
    user = _reload(session, user)
    assert (user.first_name, user.is_superuser) == ("Ann", False)
    add = _add_data(session, is_superuser="on")
    assert account_manager.post(f"{USERS}add/", add).status_code == 302
    assert _find(session, "newcomer").is_superuser is False  # type: ignore[union-attr]


def test_a_manager_grants_only_permissions_they_hold(
    account_manager: Client, session: Session
) -> None:
    user = account(session)
    vet_view, user_view = (permission(session, k) for k in ("clinic.view_vet", "social.view_user"))
    page = account_manager.get(f"{USERS}{user.id}/change/").content.decode()
    controls = {c["value"]: c for c in form_controls(page, "user_form").controls
                if c.get("name") == "user_permissions"}  # fmt: skip
    assert controls[str(vet_view.id)]["disabled"] is False
    assert controls[str(user_view.id)]["disabled"] is True
    data = _change_data(user, user_permissions=[str(vet_view.id), str(user_view.id)])
    assert account_manager.post(f"{USERS}{user.id}/change/", data).status_code == 302
    assert keys_of(_reload(session, user).user_permissions, session) == {"clinic.view_vet"}


def test_a_manager_cannot_join_anyone_to_a_stronger_group(
    account_manager: Client, session: Session
) -> None:
    vets, admins = (
        group(session, "Vets", "clinic.view_vet"),
        group(session, "Admins", "social.delete_user"),
    )
    user = account(session)
    data = _change_data(user, groups=[str(vets.id), str(admins.id)])
    assert account_manager.post(f"{USERS}{user.id}/change/", data).status_code == 302
    assert [g.name for g in _reload(session, user).groups] == ["Vets"]


def test_a_manager_cannot_revoke_what_they_could_not_grant(
    account_manager: Client, session: Session
) -> None:
    admins = group(session, "Admins", "social.delete_user", "clinic.view_vet")
    data = {"name": "Admins renamed", "permissions": [], "_save": "1"}
    assert account_manager.post(f"{GROUPS}{admins.id}/change/", data).status_code == 302
    admins = _reload(session, admins)
    assert admins.name == "Admins renamed"
    assert keys_of(admins.permissions, session) == {"social.delete_user"}


@pytest.mark.parametrize("stronger", ["superuser", "more permissions"])
def test_a_manager_cannot_take_over_a_stronger_account(
    account_manager: Client, session: Session, stronger: str
) -> None:
    if stronger == "superuser":
        boss = account(session, is_superuser=True, is_staff=True)
    else:
        boss = account(session, user_permissions=[permission(session, "social.view_user")])
    before = password_hash(session, boss)
    page = account_manager.get(f"{USERS}{boss.id}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert account_manager.post(f"{USERS}{boss.id}/change/", _change_data(boss)).status_code == 403
    assert account_manager.get(f"{USERS}{boss.id}/delete/").status_code == 403
    assert account_manager.post(f"{USERS}{boss.id}/delete/", {"post": "yes"}).status_code == 403
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert account_manager.post(f"{USERS}{boss.id}/password/", data).status_code == 403
    assert password_hash(session, boss) == before
    assert _reload(session, boss) is not None


def test_a_manager_cannot_bulk_delete_accounts(account_manager: Client, session: Session) -> None:
    boss = account(session, is_superuser=True, is_staff=True)
    data = {"action": "delete_selected", "_selected_action": [str(boss.id)], "post": "yes"}
    account_manager.post(USERS, {**data, "index": "0"})
    assert _reload(session, boss) is not None
    assert "delete_selected" not in account_manager.get(USERS).content.decode()


def test_a_view_only_staff_member_sees_accounts_read_only(
    client: Client, django_user_model: Any, session: Session
) -> None:
    client.force_login(django_staff(django_user_model, "auditor", "auth.view_user"))
    user = account(session, groups=[group(session, "Clerks")])
    page = client.get(f"{USERS}{user.id}/change/").content.decode()
    controls = form_controls(page, "user_form")
    assert set(controls.data) == {"csrfmiddlewaretoken"}
    assert all(c["disabled"] for c in controls.controls if c["kind"] == "checkbox")
    assert 'name="_save"' not in page
    assert "Change the password" in page
    data = _change_data(user, username="hijacked", groups=[])
    assert client.post(f"{USERS}{user.id}/change/", data).status_code == 403
    assert client.get(f"{USERS}{user.id}/password/").status_code == 403
    assert _reload(session, user).username != "hijacked"
    assert [g.name for g in _reload(session, user).groups] == ["Clerks"]


# Lists, index and sidebar


@pytest.mark.parametrize(("url", "model"), [(USERS, auth.User), (GROUPS, auth.Group)])
def test_the_lists_run_the_same_queries_for_10_and_100_rows(
    admin_client: Client, session: Session, queries: Any, monkeypatch: Any, url: str, model: type
) -> None:
    from shop.registrations import site

    clerks = group(session, "Clerks", "clinic.view_vet")
    names = [f"row{i:03d}" for i in range(110)]
    if model is auth.User:
        session.add_all(auth.User(username=name, groups=[clerks]) for name in names)
    else:
        session.add_all(auth.Group(name=name) for name in names)
    session.flush()
    admin = site.get_model_admin(model)
    counts = []
    for per_page in (10, 100):
        monkeypatch.setattr(admin, "list_per_page", per_page)
        with queries:
            response = admin_client.get(url)
        assert response.content.decode().count('<tr data-pk="') == per_page
        assert queries.writes == []
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_superuser_sees_accounts_and_groups_on_the_index_and_sidebar(
    admin_client: Client,
) -> None:
    body = admin_client.get("/admin/").content.decode()
    section = body.split('<section class="module app-auth"', 1)[1].split("</section>", 1)[0]
    assert ">Authentication and authorization</a>" in section
    assert f'href="{USERS}">Users</a>' in section
    assert f'href="{GROUPS}">Groups</a>' in section
    sidebar = body.split('<nav class="nav-sidebar"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{USERS}"' in sidebar
    assert f'href="{GROUPS}"' in sidebar
    assert admin_client.get("/admin/auth/").status_code == 200


def test_staff_see_only_the_account_pages_they_may_view(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_staff(django_user_model, "group-viewer", "auth.view_group"))
    body = client.get("/admin/").content.decode()
    assert f'href="{GROUPS}"' in body
    assert f'href="{USERS}"' not in body
    assert client.get(GROUPS).status_code == 200
    assert client.get(USERS).status_code == 403
    assert 'class="button primary addlink"' not in client.get(GROUPS).content.decode()
