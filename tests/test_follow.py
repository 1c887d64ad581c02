"""Following: one row per pair, never oneself, idempotent however often and however many
ask at once - through the workflows (shop.services.community) and the users list's
"Follow user …" and "Unfollow user …" actions."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.middleware import DbSessionMiddleware
from shop.models import User
from shop.models.social import following_table
from shop.registrations import social_actions
from shop.services.community import FollowRefused, is_following, user_follow, user_unfollow
from tests import factories
from tests.action_helpers import audit_of, confirmed_action_request, messages_of
from tests.commerce_helpers import end_read_on_sqlite, run_in_threads
from tests.community_helpers import (
    USERS,
    follow,
    follow_rows,
    followed_ids,
    named_user,
    user_page,
)

ACTOR = "moderator"


def action_post(action: str, selected: list[User], chosen: Any, **extra: str) -> dict[str, Any]:
    return {
        "action": action,
        "index": "0",
        "_selected_action": [str(user.id) for user in selected],
        "post": "yes",
        "user": str(chosen.id if isinstance(chosen, User) else chosen),
        **extra,
    }


# The workflows


def test_following_adds_the_pair_and_audits_it_on_the_follower(session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")

    assert user_follow(session, ann, bob, actor=ACTOR) is True

    assert followed_ids(session, ann) == [bob.id]
    assert audit_of(session, "social.user", ann.id) == [
        ("change", {"following": (None, f"bob (#{bob.id})")})
    ]


def test_following_twice_is_skipped_with_one_row_and_one_audit(session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    user_follow(session, ann, bob, actor=ACTOR)

    assert user_follow(session, ann, bob, actor=ACTOR) is False

    assert follow_rows(session) == 1
    assert len(audit_of(session, "social.user", ann.id)) == 1
    session.commit()  # the refused insert was undone alone: the transaction goes on


def test_nobody_follows_themselves(session: Session) -> None:
    ann = named_user(session, "ann")
    with pytest.raises(FollowRefused, match=r"“ann” cannot follow themselves\."):
        user_follow(session, ann, ann, actor=ACTOR)
    assert follow_rows(session) == 0
    assert audit_of(session, "social.user", ann.id) == []


def test_the_database_refuses_a_self_follow_too(session: Session) -> None:
    ann = named_user(session, "ann")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(following_table).values(follower_id=ann.id, followed_id=ann.id))
    assert follow_rows(session) == 0


def test_following_a_user_who_is_gone_is_refused(session: Session) -> None:
    ann = named_user(session, "ann")
    gone = User(id=10**9, username="gone", email="gone@example.com")
    with pytest.raises(FollowRefused, match=r"“gone” no longer exists\."):
        user_follow(session, ann, gone, actor=ACTOR)
    assert follow_rows(session) == 0


def test_unfollowing_deletes_the_pair_and_a_second_time_is_skipped(session: Session) -> None:
    ann, bob, cyd = (named_user(session, name) for name in ("ann", "bob", "cyd"))
    follow(session, [ann], bob)
    follow(session, [ann], cyd)

    assert user_unfollow(session, ann, bob, actor=ACTOR) is True
    assert user_unfollow(session, ann, bob, actor=ACTOR) is False

    assert followed_ids(session, ann) == [cyd.id]
    assert audit_of(session, "social.user", ann.id) == [
        ("change", {"following": (f"bob (#{bob.id})", None)})
    ]


def test_a_loaded_collection_is_refreshed_after_a_follow(session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    assert ann.following == []
    user_follow(session, ann, bob, actor=ACTOR)
    assert ann.following == [bob]
    assert bob.followers == [ann]


# The actions


def test_the_follow_action_asks_whom_to_follow_with_a_search(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    data = action_post("follow_user", [ann], "")
    del data["post"]
    page = admin_client.post(USERS, data).content.decode()
    assert "User to follow" in page
    assert "data-autocomplete-url=" in page
    assert "field_name=following" in page


def test_selected_users_follow_the_chosen_one_and_the_chosen_one_is_refused(
    admin_client: Client, session: Session
) -> None:
    ann, bob, cyd = (named_user(session, name) for name in ("ann", "bob", "cyd"))
    follow(session, [bob], cyd)

    response = admin_client.post(USERS, action_post("follow_user", [ann, bob, cyd], cyd))

    assert response.status_code == 302
    assert messages_of(response) == [
        "1 user now follows “cyd”.",
        "1 user already follows “cyd”: skipped.",
        "“cyd” cannot follow themselves. Skipped.",
    ]
    assert followed_ids(session, ann) == [cyd.id]
    assert followed_ids(session, bob) == [cyd.id]
    assert followed_ids(session, cyd) == []


def test_following_again_changes_nothing_and_says_so(
    admin_client: Client, session: Session
) -> None:
    ann, bob, cyd = (named_user(session, name) for name in ("ann", "bob", "cyd"))
    data = action_post("follow_user", [ann, bob], cyd)
    admin_client.post(USERS, data)
    session.expire_all()
    audits = len(audit_of(session, "social.user", ann.id))

    response = admin_client.post(USERS, data)

    assert response.status_code == 302
    assert messages_of(response)[-1] == "2 users already follow “cyd”: skipped."
    assert follow_rows(session) == 2
    assert len(audit_of(session, "social.user", ann.id)) == audits


def test_only_self_selected_is_refused_and_nothing_changes(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    response = admin_client.post(USERS, action_post("follow_user", [ann], ann))
    assert response.status_code == 302
    assert messages_of(response) == ["“ann” cannot follow themselves. Skipped."]
    assert follow_rows(session) == 0


def test_unfollow_removes_the_pairs_and_skips_the_others(
    admin_client: Client, session: Session
) -> None:
    ann, bob, cyd = (named_user(session, name) for name in ("ann", "bob", "cyd"))
    follow(session, [ann, bob], cyd)

    response = admin_client.post(USERS, action_post("unfollow_user", [ann, bob, cyd], cyd))

    assert response.status_code == 302
    assert messages_of(response) == [
        "2 users no longer follow “cyd”.",
        "1 user did not follow “cyd”: skipped.",
    ]
    assert follow_rows(session) == 0


@pytest.mark.parametrize("chosen", ["", "abc", str(10**9), "1e3"])
def test_a_bad_choice_is_a_form_error_and_changes_nothing(
    admin_client: Client, session: Session, chosen: str
) -> None:
    ann = named_user(session, "ann")
    response = admin_client.post(USERS, action_post("follow_user", [ann], chosen))
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert follow_rows(session) == 0


def test_follow_runs_from_a_users_page(admin_client: Client, session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    data = {"action": "follow_user", "post": "yes", "user": str(bob.id)}
    response = admin_client.post(f"{USERS}{ann.id}/actions/", data)
    assert response.status_code == 302
    assert response.url == user_page(ann)
    assert followed_ids(session, ann) == [bob.id]


def test_follow_needs_the_change_permission(django_user_model: Any, session: Session) -> None:
    from tests.action_helpers import staff_client

    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    viewer = staff_client(django_user_model, "social.view_user")
    response = viewer.post(USERS, action_post("follow_user", [ann], bob))
    assert messages_of(response) == ["No action selected."]
    assert follow_rows(session) == 0


# Races: every thread commits for real, on its own connection


@pytest.mark.committed
def test_concurrent_follows_of_one_pair_make_one_row_and_no_error() -> None:
    threads = 8
    with shop_db.session_scope() as setup:
        follower_id = factories.user(setup).id
        followed_id = factories.user(setup).id

    def attempt(index: int, barrier: threading.Barrier) -> bool:
        with shop_db.new_session() as session:
            follower = session.get_one(User, follower_id)
            followed = session.get_one(User, followed_id)
            end_read_on_sqlite(session)
            barrier.wait()
            made = user_follow(session, follower, followed, actor=f"moderator{index}")
            session.commit()
            return made

    outcomes = run_in_threads(threads, attempt)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(outcomes) == [False] * (threads - 1) + [True]
    with shop_db.new_session() as session:
        assert session.execute(select(following_table)).all() == [(follower_id, followed_id)]
        assert len(audit_of(session, "social.user", follower_id)) == 1


@pytest.mark.committed
def test_two_moderators_following_at_once_get_one_row_and_a_clear_message(
    superuser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = 2
    with shop_db.session_scope() as setup:
        follower = factories.user(setup, username="ann", email="ann@example.com")
        followed = factories.user(setup, username="bob", email="bob@example.com")
        follower_id, followed_id = follower.id, followed.id
    barrier = threading.Barrier(threads, timeout=120)
    follow_now = social_actions.user_follow

    def together(session: Session, *args: Any, **kwargs: Any) -> bool:
        # Both requests have loaded the users before either writes.
        barrier.wait()
        return follow_now(session, *args, **kwargs)

    monkeypatch.setattr(social_actions, "user_follow", together)
    view = resolve(USERS).func

    def post(_index: int, _barrier: threading.Barrier) -> tuple[int, list[str]]:
        request = confirmed_action_request(
            superuser, USERS, "follow_user", follower_id, {"user": str(followed_id)}
        )
        response = DbSessionMiddleware(view)(request)
        return response.status_code, [str(message) for message in request._messages]

    outcomes = run_in_threads(threads, post)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(outcomes) == [
        (302, ["1 user already follows “bob”: skipped."]),
        (302, ["1 user now follows “bob”."]),
    ]
    with shop_db.new_session() as session:
        assert session.execute(select(following_table)).all() == [(follower_id, followed_id)]
        assert is_following(session, follower, followed)
