"""Adding a community member: the user, their empty cart (flush for the id), and an optional
profile in a savepoint that may fail alone - through the workflows and the admin's add page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Cart, Profile, User
from shop.registrations.user_creation import after_commit
from shop.services import accounts
from shop.services.accounts import (
    NO_DISPLAY_NAME,
    WEBSITE_MESSAGE,
    ProfileData,
    member_cart_create,
    profile_create,
    user_register,
    website_problem,
)
from tests import factories
from tests.action_helpers import audit_of, messages_of
from tests.commerce_helpers import count
from tests.community_helpers import ADD_USER, profile_of

ACTOR = "registrar"


def added_user(session: Session, username: str) -> User | None:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def cart_of(session: Session, user: User) -> Cart | None:
    return session.scalars(select(Cart).where(Cart.user_id == user.id)).one_or_none()


def profile_for(session: Session, user: User) -> Profile | None:
    return session.scalars(select(Profile).where(Profile.user_id == user.id)).one_or_none()


def texts(response: Any) -> list[str]:
    """The response's messages as plain text (the success message links to the user)."""
    return [re.sub(r"<[^>]+>", "", message) for message in messages_of(response)]


def warning(username: str, reason: str) -> str:
    return (
        f"“{username}” was added with an empty cart, but without a profile: {reason} "
        "Add the profile from the user's page."
    )


def added(username: str) -> str:
    return f"The user “{username}” was added successfully."


def add_page_data(username: str, **profile: str) -> dict[str, str]:
    return {
        "username": username,
        "email": f"{username}@example.com",
        "bio": "",
        "role": "member",
        "is_active": "on",
        **{f"profile_{name}": value for name, value in profile.items()},
        "_save": "Save",
    }


# The workflows


def test_the_cart_gets_the_new_users_id_from_a_flush_in_the_same_transaction(
    session: Session, queries: Any
) -> None:
    user = User(username="ann", email="ann@example.com")
    session.add(user)
    with queries:
        cart = member_cart_create(session, user)
    # Nothing is committed: the id came from flush(), and both rows are visible inside.
    assert session.in_transaction()
    assert user.id is not None
    assert cart.user_id == user.id
    assert session.scalar(select(Cart.user_id).where(Cart.id == cart.id)) == user.id
    inserts = [s.split()[2] for s in queries.writes if s.lstrip().upper().startswith("INSERT")]
    assert inserts == ["users", "carts"]
    session.rollback()
    assert session.scalar(select(User.id).where(User.username == "ann")) is None


def test_registering_with_an_actor_audits_the_cart_and_the_profile(session: Session) -> None:
    registration = user_register(
        session,
        username="bea",
        email="bea@example.com",
        profile=ProfileData(display_name="Bea", website="https://bea.example"),
        actor=ACTOR,
    )
    session.commit()
    assert registration.profile_error is None
    assert registration.profile is not None
    ((action, details),) = audit_of(session, "commerce.cart", registration.cart.id)
    assert action == "add"
    assert details["user_id"] == (None, str(registration.user.id))
    profile_audit = audit_of(session, "social.profile", registration.profile.id)
    assert [action for action, _details in profile_audit] == ["add"]
    assert profile_audit[0][1]["website"] == (None, "https://bea.example")


def test_a_profile_the_database_refuses_rolls_back_only_its_savepoint(session: Session) -> None:
    user = factories.user(session)
    cart = member_cart_create(session, user)
    profile_of(session, user)

    outcome = profile_create(session, user, ProfileData(display_name="Again"), actor=ACTOR)

    assert outcome.profile is None
    assert outcome.refusal is not None  # UNIQUE(user_id): one profile per user
    assert outcome.error is not None
    assert outcome.error.startswith("The profile was not saved")
    session.commit()
    assert cart_of(session, user) is cart
    assert count(session, Profile) == 1
    assert audit_of(session, "social.profile", "") == []


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://",
        "https:///path-without-host",
        "http://exa mple.com",
        "//example.com",
        "example.com",
    ],
)
def test_only_http_addresses_with_a_host_are_websites(website: str) -> None:
    assert website_problem(website) == WEBSITE_MESSAGE


@pytest.mark.parametrize(
    "website", ["http://example.com", "HTTPS://Example.com/a?b=c#d", "https://[::1]:8000/"]
)
def test_http_addresses_are_websites(website: str) -> None:
    assert website_problem(website) is None


def test_a_profile_without_a_display_name_is_refused_and_the_user_stays(session: Session) -> None:
    registration = user_register(
        session, username="cy", email="cy@example.com", profile=ProfileData(display_name=" ")
    )
    session.commit()
    assert registration.profile is None
    assert registration.profile_error == f"The profile was not saved: {NO_DISPLAY_NAME}"
    assert cart_of(session, registration.user) is not None


# The admin's add page


def test_adding_a_user_creates_the_cart_and_the_profile_in_one_save(
    admin_client: Client, session: Session, queries: Any
) -> None:
    data = add_page_data(
        "dora", display_name="Dora", website="https://dora.example", birthday="1990-04-05"
    )
    with queries:
        response = admin_client.post(ADD_USER, data)

    assert response.status_code == 302
    assert texts(response) == [added("dora")]
    user = added_user(session, "dora")
    assert user is not None
    cart = cart_of(session, user)
    assert cart is not None
    assert cart.user_id == user.id
    profile = profile_for(session, user)
    assert profile is not None
    assert (profile.display_name, profile.website) == ("Dora", "https://dora.example")
    assert str(profile.birthday) == "1990-04-05"
    # The user's INSERT is flushed before the cart's, which carries its id.
    inserts = [s.split()[2] for s in queries.writes if s.lstrip().upper().startswith("INSERT")]
    assert inserts.index("users") < inserts.index("carts") < inserts.index("profiles")
    assert [a for a, _ in audit_of(session, "social.user", user.id)] == ["add"]
    assert [a for a, _ in audit_of(session, "commerce.cart", cart.id)] == ["add"]
    assert [a for a, _ in audit_of(session, "social.profile", profile.id)] == ["add"]


def test_an_unsafe_website_leaves_the_user_and_cart_and_says_why(
    admin_client: Client, session: Session
) -> None:
    data = add_page_data("eve", display_name="Eve", website="javascript:alert(1)")

    response = admin_client.post(ADD_USER, data)

    assert response.status_code == 302
    # The warning is queued once the commit has succeeded, then the engine's success.
    assert texts(response) == [warning("eve", WEBSITE_MESSAGE), added("eve")]
    user = added_user(session, "eve")
    assert user is not None
    assert cart_of(session, user) is not None
    assert profile_for(session, user) is None
    assert count(session, Profile) == 0


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        (
            {"display_name": "x" * 101},
            "Display name: Ensure this value has at most 100 characters (it has 101).",
        ),
        ({"display_name": "Fay", "birthday": "not a date"}, "Birthday: Enter a valid date."),
        ({"website": "https://fay.example"}, NO_DISPLAY_NAME),
    ],
)
def test_an_invalid_profile_field_never_stops_the_user(
    admin_client: Client, session: Session, profile: dict[str, str], reason: str
) -> None:
    response = admin_client.post(ADD_USER, add_page_data("fay", **profile))

    assert response.status_code == 302
    assert texts(response) == [warning("fay", reason), added("fay")]
    user = added_user(session, "fay")
    assert user is not None
    assert cart_of(session, user) is not None
    assert count(session, Profile) == 0


def test_a_database_refusal_of_the_profile_is_named_and_the_user_stays(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = factories.user(session)
    profile_of(session, taken)
    new_profile = accounts._new_profile

    def profile_of_someone_else(user: User, data: ProfileData) -> Profile:
        profile = new_profile(user, data)
        profile.user_id = taken.id  # one profile per user: the database refuses a second
        return profile

    monkeypatch.setattr(accounts, "_new_profile", profile_of_someone_else)

    response = admin_client.post(ADD_USER, add_page_data("gil", display_name="Gil"))

    assert response.status_code == 302
    reason = "the database refused it (User: Profile with this User already exists.)"
    assert texts(response) == [warning("gil", reason), added("gil")]
    user = added_user(session, "gil")
    assert user is not None
    assert cart_of(session, user) is not None
    assert count(session, Profile) == 1


def test_no_profile_fields_means_no_profile_and_no_warning(
    admin_client: Client, session: Session
) -> None:
    response = admin_client.post(ADD_USER, add_page_data("hal"))
    assert response.status_code == 302
    assert texts(response) == [added("hal")]
    user = added_user(session, "hal")
    assert user is not None
    assert cart_of(session, user) is not None
    assert profile_for(session, user) is None


def test_a_refused_user_creates_nothing_and_warns_of_nothing(
    admin_client: Client, session: Session
) -> None:
    factories.user(session, username="ivy", email="ivy@example.com")
    carts = count(session, Cart)
    data = add_page_data("ivy", display_name="Ivy", website="javascript:alert(1)")
    data["email"] = "other-ivy@example.com"

    response = admin_client.post(ADD_USER, data)

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "User with this Username already exists."
    ]
    assert texts(response) == []
    assert count(session, Cart) == carts
    assert count(session, Profile) == 0


def test_the_add_page_offers_the_profile_fields_and_no_profile_inline(
    admin_client: Client,
) -> None:
    page = admin_client.get(ADD_USER).content.decode()
    for name in ("profile_display_name", "profile_website", "profile_birthday"):
        assert f'name="{name}"' in page
    assert 'name="profile-TOTAL_FORMS"' not in page
    assert "the user and their cart are still created" in page


def test_the_warning_waits_for_the_commit_and_is_dropped_by_a_rollback(session: Session) -> None:
    sent: list[str] = []
    session.execute(select(1))  # a transaction is open, as in a request that has read
    after_commit(session, lambda: sent.append("rolled back"))
    session.rollback()
    session.commit()  # a later transaction does not revive the dropped warning
    assert sent == []
    after_commit(session, lambda: sent.append("committed"))
    with session.begin_nested():  # a savepoint's release is not the commit
        session.execute(select(1))
    assert sent == []
    session.commit()
    assert sent == ["committed"]
