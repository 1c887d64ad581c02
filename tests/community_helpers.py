"""Shared pieces of the community tests: users, follows, posts, and page readers."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from shop.models import Comment, Post, Profile, User
from shop.models.social import following_table, likes_table
from tests import factories

USERS = "/admin/social/user/"
POSTS = "/admin/social/post/"
COMMENTS = "/admin/social/comment/"
PROFILES = "/admin/social/profile/"
ADD_USER = f"{USERS}add/"


def user_page(user: User) -> str:
    return f"{USERS}{user.id}/change/"


def post_page(post: Post) -> str:
    return f"{POSTS}{post.id}/change/"


def named_user(session: Session, username: str) -> User:
    return factories.user(session, username=username, email=f"{username}@example.com")


def follow(session: Session, followers: list[User], followed: User) -> None:
    """Put follows straight into the table (the pages under test read them back)."""
    rows = [{"follower_id": user.id, "followed_id": followed.id} for user in followers]
    session.execute(insert(following_table), rows)
    session.flush()


def like(session: Session, users: list[User], post: Post) -> None:
    session.execute(insert(likes_table), [{"user_id": u.id, "post_id": post.id} for u in users])
    session.flush()


def followed_ids(session: Session, follower: User) -> list[int]:
    """Whom `follower` follows, as the database has it now."""
    statement = select(following_table.c.followed_id).where(
        following_table.c.follower_id == follower.id
    )
    return sorted(session.scalars(statement))


def follow_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(following_table)) or 0


def post_with(session: Session, author: User, comments: int, title: str = "A post") -> Post:
    post = Post(author=author, title=title, body="Body")
    post.comments = [Comment(author=author, body=f"Comment {n}") for n in range(comments)]
    session.add(post)
    session.flush()
    return post


def profile_of(session: Session, user: User, **values: Any) -> Profile:
    profile = Profile(user=user, **{"display_name": user.username.title(), **values})
    session.add(profile)
    session.flush()
    return profile


def community(session: Session, size: int) -> None:
    """`size` users, each with a profile, a post with two comments, a like and a follow."""
    users = [factories.user(session) for _ in range(size)]
    for index, user in enumerate(users):
        neighbour = users[(index + 1) % size]
        profile_of(session, user, website=f"https://{user.username}.example")
        post = post_with(session, user, comments=2)
        like(session, [neighbour], post)
        if neighbour is not user:
            follow(session, [user], neighbour)


def pks(response: Any) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', response.content.decode())]


def cells(response: Any, field: str) -> list[str]:
    pattern = rf'<t[hd][^>]* class="field-{field}[" ][^>]*>(.*?)</t[hd]>'
    found = re.findall(pattern, response.content.decode(), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def readonly(page: str, name: str) -> str | None:
    """The HTML of one read-only field's value on a change page."""
    found = re.search(rf'field-{name}".*?<div class="readonly">(.*?)</div>', page, re.S)
    return found.group(1).strip() if found else None


def measure(client: Client, queries: Any, url: str) -> int:
    """Statements one GET runs (it must not write)."""
    with queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert queries.writes == [], "a page that only shows must not write"
    return len(queries)
