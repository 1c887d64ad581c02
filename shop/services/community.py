"""Following and unfollowing: one row per pair in `following`, however many ask at once.

The seed appends to `alice.following`, which loads the whole collection and, when two
requests do it at the same moment, fails on the table's primary key. Here a follow is an
INSERT of the pair inside a savepoint (`begin_nested()`): a duplicate - already there,
or written by a concurrent transaction that committed first - undoes that insert alone
and the outcome is "already following". An unfollow is a DELETE of the pair; nothing is
loaded either way. Nobody follows themselves: refused here, and by the table's CHECK.
Each change is audited on the follower, in the admin's many-to-many format.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.models import User
from shop.models.social import following_table
from shop.services.audit import record_change

SELF_FOLLOW = "“{user}” cannot follow themselves."
GONE = "“{user}” no longer exists."
REFUSED = "The database refused to make “{follower}” follow “{followed}”."
FIELD = "following"


class FollowRefused(Exception):
    """The follow could not be made; `message` says why, and nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _pair(follower: User, followed: User) -> dict[str, int]:
    return {"follower_id": follower.id, "followed_id": followed.id}


def _label(user: User) -> str:
    return f"{user} (#{user.id})"  # as the change form's chooser audits a member


def user_follow(session: Session, follower: User, followed: User, *, actor: str) -> bool:
    """Make `follower` follow `followed`, audited; the caller commits.

    True if this call made the row, False if it was there already (before the call, or
    committed meanwhile by someone else). Raises FollowRefused for a self-follow or a
    user who no longer exists.
    """
    if follower.id == followed.id:
        raise FollowRefused(SELF_FOLLOW.format(user=follower))
    try:
        with session.begin_nested():
            session.execute(insert(following_table).values(_pair(follower, followed)))
            record_change(session, actor, follower, [(FIELD, None, _label(followed))])
            session.flush()
    except IntegrityError:
        if is_following(session, follower, followed):
            return False
        raise FollowRefused(_why_refused(session, follower, followed)) from None
    _forget_collections(session, follower, followed)
    return True


def user_unfollow(session: Session, follower: User, followed: User, *, actor: str) -> bool:
    """Make `follower` stop following `followed`, audited; the caller commits.

    True if a row was deleted, False if `follower` did not follow `followed`.
    """
    statement = delete(following_table).where(
        following_table.c.follower_id == follower.id,
        following_table.c.followed_id == followed.id,
    )
    if session.execute(statement).rowcount == 0:  # type: ignore[attr-defined]
        return False
    record_change(session, actor, follower, [(FIELD, _label(followed), None)])
    session.flush()
    _forget_collections(session, follower, followed)
    return True


def is_following(session: Session, follower: User, followed: User) -> bool:
    """Whether the pair is committed, read past this transaction's snapshot.

    A locking read: on MariaDB (REPEATABLE READ) a plain SELECT would still answer from
    the snapshot taken before a concurrent follow was committed.
    """
    statement = (
        select(following_table.c.follower_id)
        .where(
            following_table.c.follower_id == follower.id,
            following_table.c.followed_id == followed.id,
        )
        .with_for_update(read=True)
    )
    return session.execute(statement).first() is not None


def _why_refused(session: Session, follower: User, followed: User) -> str:
    """Why an insert that was not a duplicate was refused (a user it names is gone)."""
    for user in (follower, followed):
        if session.scalar(select(User.id).where(User.id == user.id)) is None:
            return GONE.format(user=user)
    return REFUSED.format(follower=follower, followed=followed)


def _forget_collections(session: Session, follower: User, followed: User) -> None:
    # A collection loaded earlier in this session no longer matches the table.
    if follower in session:
        session.expire(follower, ["following"])
    if followed in session:
        session.expire(followed, ["followers"])
