"""The community's counts and the followers shown on a user's page, all computed in SQL.

Counts are correlated subqueries labeled for get_query (Django's annotate()): one query
per list page, sortable by header. A user's followers are read one bounded page at a
time, with their total from a window function in the same query: a user with thousands
of followers costs one query returning FOLLOWERS_SHOWN rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session

from shop.admin.annotations import count_of
from shop.models import Comment, Post, User
from shop.models.social import following_table, likes_table

FOLLOWERS_SHOWN = 20

FOLLOWER_COUNT = count_of(
    following_table, following_table.c.followed_id == User.id, label="follower_count"
)
FOLLOWING_COUNT = count_of(
    following_table, following_table.c.follower_id == User.id, label="following_count"
)
POST_COUNT = count_of(Post, Post.author_id == User.id, label="post_count")
# Likes the user gave (their liked posts).
LIKE_COUNT = count_of(likes_table, likes_table.c.user_id == User.id, label="like_count")
# Likes a post received, and its comments.
LIKED_BY_COUNT = count_of(likes_table, likes_table.c.post_id == Post.id, label="liked_by_count")
COMMENT_COUNT = count_of(Comment, Comment.post_id == Post.id, label="comment_count")


@dataclass(frozen=True)
class Followers:
    """The first followers of a user, by username, and how many there are in all."""

    shown: list[tuple[int, str]]  # (id, username)
    total: int


# Built once (a user's page runs it on every view); the user and the limit are bound.
FOLLOWERS_OF = (
    select(User.id, User.username, func.count().over().label("total"))
    .join(following_table, following_table.c.follower_id == User.id)
    .where(following_table.c.followed_id == bindparam("user_id"))
    .order_by(User.username, User.id)
    .limit(bindparam("limit", type_=Integer))
)


def followers_page(session: Session, user_id: int, limit: int = FOLLOWERS_SHOWN) -> Followers:
    """At most `limit` followers of the user and their total, in one query."""
    rows: Any = session.execute(FOLLOWERS_OF, {"user_id": user_id, "limit": limit}).all()
    return Followers([(row.id, row.username) for row in rows], rows[0].total if rows else 0)
