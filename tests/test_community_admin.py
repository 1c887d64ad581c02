"""The community's admin: counts in SQL on every list, a user's followers and choosers,
the profile inline, a post's comments and likes, and websites that never become script
links. Every page runs the same queries however many rows it covers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Comment, Post, Profile, User
from shop.registrations.social_queries import FOLLOWERS_SHOWN
from shop.services.accounts import WEBSITE_MESSAGE
from tests import factories
from tests.action_helpers import audit_of, messages_of, staff_client
from tests.commerce_helpers import count
from tests.community_helpers import (
    COMMENTS,
    POSTS,
    PROFILES,
    USERS,
    cells,
    community,
    follow,
    followed_ids,
    like,
    measure,
    named_user,
    pks,
    post_page,
    post_with,
    profile_of,
    readonly,
    user_page,
)
from tests.inline_helpers import formset, page_errors

# Column indexes (0-based) of UserAdmin.list_display and PostAdmin.list_display.
FOLLOWERS, FOLLOWING, POSTS_WRITTEN, LIKES = 4, 5, 6, 7
LIKED_BY, COMMENT_COUNT = 2, 3


def user_form(user: Any, **changes: str) -> dict[str, str]:
    """The user's change form as posted, without profile rows unless given."""
    profile = changes.pop("profile", None)
    data = {
        "username": user.username,
        "email": user.email,
        "bio": user.bio or "",
        "role": user.role,
        "is_active": "on",
        "_version": str(user.version_id),
        "_save": "Save",
        **changes,
    }
    rows = [profile] if profile is not None else []
    return {**data, **formset("profile", new=rows)}


# Lists: counts in SQL, sortable


def test_the_user_list_counts_followers_following_posts_and_likes(
    admin_client: Client, session: Session
) -> None:
    ann, bob, cyd = (named_user(session, name) for name in ("ann", "bob", "cyd"))
    follow(session, [bob, cyd], ann)
    follow(session, [ann], cyd)
    post = post_with(session, ann, comments=0)
    post_with(session, ann, comments=0)
    like(session, [bob, cyd], post)

    response = admin_client.get(USERS)

    assert pks(response) == [ann.id, bob.id, cyd.id]
    assert cells(response, "follower_count") == ["2", "0", "1"]
    assert cells(response, "following_count") == ["1", "1", "1"]
    assert cells(response, "post_count") == ["2", "0", "0"]
    assert cells(response, "like_count") == ["0", "1", "1"]
    assert pks(admin_client.get(USERS, {"o": f"-{FOLLOWERS}.0"})) == [ann.id, cyd.id, bob.id]
    assert pks(admin_client.get(USERS, {"o": f"-{POSTS_WRITTEN}.0"})) == [ann.id, bob.id, cyd.id]
    assert pks(admin_client.get(USERS, {"o": f"{LIKES}.-0"})) == [ann.id, cyd.id, bob.id]
    assert pks(admin_client.get(USERS, {"o": f"{FOLLOWING}.-0"})) == [cyd.id, bob.id, ann.id]


def test_the_post_list_counts_likes_and_comments(admin_client: Client, session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    quiet = post_with(session, ann, comments=0, title="Quiet")
    busy = post_with(session, ann, comments=3, title="Busy")
    like(session, [ann, bob], busy)

    response = admin_client.get(POSTS, {"o": f"-{LIKED_BY}"})

    assert pks(response) == [busy.id, quiet.id]
    assert cells(response, "liked_by_count") == ["2", "0"]
    assert cells(response, "comment_count") == ["3", "0"]
    assert pks(admin_client.get(POSTS, {"o": f"{COMMENT_COUNT}"})) == [quiet.id, busy.id]


@pytest.mark.parametrize(
    "url",
    [
        USERS,
        f"{USERS}?o=-{FOLLOWERS}&q=user",
        f"{USERS}?o={LIKES}&role__exact=member",
        POSTS,
        f"{POSTS}?o=-{COMMENT_COUNT}.{LIKED_BY}",
        COMMENTS,
        f"{COMMENTS}?q=comment",
        PROFILES,
        f"{PROFILES}?o=2",
    ],
)
def test_each_community_list_runs_the_same_queries_for_few_and_many_rows(
    admin_client: Client, session: Session, queries: Any, url: str
) -> None:
    community(session, 2)
    few = measure(admin_client, queries, url)
    community(session, 25)
    many = measure(admin_client, queries, url)
    assert len(pks(admin_client.get(url))) > 2
    assert few == many, queries.statements


# A user's page


def test_the_user_page_lists_the_first_followers_with_links_and_the_total(
    admin_client: Client, session: Session
) -> None:
    star = named_user(session, "star")
    fans = [named_user(session, f"fan{n:02}") for n in range(FOLLOWERS_SHOWN + 5)]
    follow(session, fans, star)

    page = admin_client.get(user_page(star)).content.decode()

    shown = readonly(page, "followers_list")
    assert shown is not None
    links = re.findall(r'<a href="/admin/social/user/(\d+)/change/">(fan\d+)</a>', shown)
    assert links == [(str(fan.id), fan.username) for fan in fans[:FOLLOWERS_SHOWN]]
    assert " and 5 more" in shown
    everyone = f'<a href="/admin/social/user/?following__id__exact={star.id}">'
    assert f"{everyone}list all {len(fans)} followers</a>" in shown
    followers = admin_client.get(USERS, {"following__id__exact": star.id})
    assert sorted(pks(followers)) == sorted(fan.id for fan in fans)


def test_a_user_without_followers(admin_client: Client, session: Session) -> None:
    page = admin_client.get(user_page(named_user(session, "solo"))).content.decode()
    assert readonly(page, "followers_list") == "No followers"


def test_the_user_page_costs_the_same_queries_with_few_or_thousands_of_followers(
    admin_client: Client, session: Session, queries: Any
) -> None:
    few, many = named_user(session, "few"), named_user(session, "many")
    crowd = [factories.user(session) for _ in range(FOLLOWERS_SHOWN * 3)]
    follow(session, crowd[:2], few)
    follow(session, crowd, many)
    assert measure(admin_client, queries, user_page(few)) == measure(
        admin_client, queries, user_page(many)
    )


def test_the_user_page_has_the_choosers_the_profile_inline_and_the_customer_links(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    factories.cart(session, ann)
    page = admin_client.get(user_page(ann)).content.decode()
    for chooser in ("following", "liked_posts"):
        assert f"field_name={chooser}" in page
    assert 'name="profile-TOTAL_FORMS"' in page
    assert 'name="profile-MAX_NUM_FORMS" value="1"' in page
    assert readonly(page, "customer_cart") is not None
    assert readonly(page, "customer_orders") is not None
    assert "profile_display_name" not in page  # the add page's fields, not the inline's


def test_a_view_only_user_sees_followers_and_choosers_read_only(
    django_user_model: Any, session: Session
) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    follow(session, [bob], ann)
    follow(session, [ann], bob)
    viewer = staff_client(django_user_model, "social.view_user")
    response = viewer.get(user_page(ann))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="/admin/social/user/{bob.id}/change/">bob</a>' in str(
        readonly(page, "followers_list")
    )
    assert "bob" in str(readonly(page, "following"))
    assert 'name="following-add"' not in page
    assert readonly(page, "customer_cart") is None


def test_the_add_page_sets_whom_the_new_user_follows(
    admin_client: Client, session: Session
) -> None:
    bob = named_user(session, "bob")
    data = {
        "username": "ann",
        "email": "ann@example.com",
        "role": "member",
        "is_active": "on",
        "following-add": str(bob.id),
        "_save": "Save",
    }
    assert admin_client.post(f"{USERS}add/", data).status_code == 302
    ann = session.scalars(select(User).where(User.username == "ann")).one()
    assert followed_ids(session, ann) == [bob.id]


def test_the_profile_is_added_and_changed_from_the_user_page(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    row = {"display_name": "Ann", "website": "https://ann.example", "birthday": ""}
    response = admin_client.post(user_page(ann), user_form(ann, profile=row))
    assert response.status_code == 302, page_errors(response, "profile")
    session.expire_all()
    profile = session.scalars(select(Profile).where(Profile.user_id == ann.id)).one()
    assert (profile.display_name, profile.website) == ("Ann", "https://ann.example")
    assert [a for a, _ in audit_of(session, "social.profile", profile.id)] == ["add"]


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\nscript:alert(1)", "http://"]
)
def test_an_unsafe_website_in_the_profile_inline_is_a_form_error(
    admin_client: Client, session: Session, website: str
) -> None:
    ann = named_user(session, "ann")
    row = {"display_name": "Ann", "website": website}

    response = admin_client.post(user_page(ann), user_form(ann, profile=row))

    assert response.status_code == 200
    assert page_errors(response, "profile")[1] == [{"website": [WEBSITE_MESSAGE]}]
    assert 'href="javascript' not in response.content.decode().lower()
    assert count(session, Profile) == 0


# Websites: refused unless http(s), and only ever linked when they are


@pytest.mark.parametrize("website", ["javascript:alert(1)", " javascript:alert(1)", "ftp://x.y"])
def test_the_profile_page_refuses_an_unsafe_website(
    admin_client: Client, session: Session, website: str
) -> None:
    profile = profile_of(session, named_user(session, "ann"), website="https://ann.example")
    data = {
        "user": str(profile.user_id),
        "display_name": "Ann",
        "website": website,
        "birthday": "",
        "_save": "Save",
    }
    response = admin_client.post(f"{PROFILES}{profile.id}/change/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == [WEBSITE_MESSAGE]
    page = response.content.decode().lower()
    assert 'href="javascript' not in page
    assert 'href=" javascript' not in page
    session.expire_all()
    assert session.get(Profile, profile.id).website == "https://ann.example"  # type: ignore[union-attr]


def test_a_website_is_a_safe_link_on_the_list_and_plain_text_in_the_form(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    profile = profile_of(session, ann, website='https://ann.example/?q="><script>')
    escaped = "https://ann.example/?q=&quot;&gt;&lt;script&gt;"

    profiles = admin_client.get(PROFILES).content.decode()
    assert f'<a href="{escaped}" rel="nofollow noopener noreferrer">' in profiles
    assert "<script>" not in profiles
    for url in (f"{PROFILES}{profile.id}/change/", user_page(ann)):
        page = admin_client.get(url).content.decode()
        assert f'value="{escaped}"' in page
        assert "<script>" not in page
        assert 'href="javascript' not in page


# A post's page


def test_the_post_page_edits_comments_inline_and_who_liked_it(
    admin_client: Client, session: Session
) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    post = post_with(session, ann, comments=2)
    like(session, [bob], post)
    page = admin_client.get(post_page(post)).content.decode()
    assert 'name="comments-TOTAL_FORMS" value="3"' in page  # two rows and one blank
    assert "field_name=liked_by" in page
    assert f'value="{bob.id}" checked' in page


def test_a_comment_is_added_from_the_post_page(admin_client: Client, session: Session) -> None:
    ann, bob = named_user(session, "ann"), named_user(session, "bob")
    post = post_with(session, ann, comments=0)
    data = {
        "author": str(ann.id),
        "title": post.title,
        "body": post.body,
        **formset("comments", new=[{"author": bob.id, "body": "Nice"}]),
        "_save": "Save",
    }
    response = admin_client.post(post_page(post), data)
    assert response.status_code == 302, page_errors(response, "comments")
    comment = session.scalars(select(Comment).where(Comment.post_id == post.id)).one()
    assert (comment.author_id, comment.body) == (bob.id, "Nice")


@pytest.mark.parametrize(("few", "many"), [(1, 40), (60, 600)])
def test_the_post_page_costs_the_same_queries_however_many_comments(
    admin_client: Client, session: Session, queries: Any, few: int, many: int
) -> None:
    # Up to the inline's max_shown (20) the comments are all on the page; past it they
    # are shown a page at a time. Either way the cost does not grow.
    ann = named_user(session, "ann")
    assert measure(admin_client, queries, post_page(post_with(session, ann, few))) == measure(
        admin_client, queries, post_page(post_with(session, ann, many))
    )


def test_deleting_a_post_lists_and_deletes_its_comments(
    admin_client: Client, session: Session
) -> None:
    ann = named_user(session, "ann")
    post = post_with(session, ann, comments=3)
    other = post_with(session, ann, comments=1)
    like(session, [ann], post)
    url = f"{POSTS}{post.id}/delete/"

    page = admin_client.get(url).content.decode()
    assert "Comment 0" in page
    assert "Comment 2" in page

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert messages_of(response)
    assert session.scalars(select(Post.id).where(Post.id == post.id)).all() == []
    assert session.scalars(select(Comment.post_id)).all() == [other.id]


def test_script_text_anywhere_in_the_community_is_never_a_link(
    admin_client: Client, session: Session
) -> None:
    script = "javascript:alert(1)"
    ann = factories.user(session, username=script, email="ann@example.com", bio=script)
    profile = profile_of(session, ann, display_name=script)
    post_with(session, ann, comments=1, title=script)
    pages = [
        USERS,
        user_page(ann),
        PROFILES,
        f"{PROFILES}{profile.id}/change/",
        POSTS,
        COMMENTS,
    ]
    for url in pages:
        page = admin_client.get(url).content.decode()
        assert script in page, url
        assert 'href="javascript' not in page.lower(), url
