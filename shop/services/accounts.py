"""Registering a community member: user, empty cart, optional profile.

The user and the cart are one unit: the cart needs the user's id, which `flush()` gets
mid-transaction (nothing is committed yet; the caller commits). The profile is optional
and may fail alone: it is written inside a savepoint (`begin_nested()`), so a refused
profile - a bad value, or a rule of the database - rolls back only itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shop.models import Cart, Profile, User
from shop.models.social import SAFE_URL_SCHEMES
from shop.services.audit import record_addition

WEBSITE_MESSAGE = "Enter a web address that starts with http:// or https://."
NO_DISPLAY_NAME = "A profile needs a display name."
NOT_SAVED = "The profile was not saved: {reason}"
REFUSED_BY_DATABASE = "the database refused it ({reason})."


@dataclass(frozen=True)
class ProfileData:
    display_name: str
    website: str | None = None
    birthday: date | None = None


@dataclass(frozen=True)
class ProfileOutcome:
    """The profile made, or why not (`reason`, and the database's refusal if it was one)."""

    profile: Profile | None
    reason: str | None = None
    refusal: DBAPIError | None = None

    @property
    def error(self) -> str | None:
        return None if self.reason is None else NOT_SAVED.format(reason=self.reason)


@dataclass(frozen=True)
class Registration:
    user: User
    cart: Cart
    profile: Profile | None
    profile_error: str | None


def website_problem(value: str) -> str | None:
    """Why `value` is not a web address a page may link to (None: it is one).

    Stricter than the model's check: a host is required and no whitespace or control
    character may hide inside (browsers drop those, and "java\\tscript:" is a script link).
    """
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        return WEBSITE_MESSAGE
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed IPv6 host, for one
        return WEBSITE_MESSAGE
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.hostname:
        return WEBSITE_MESSAGE
    return None


def user_register(
    session: Session,
    *,
    username: str,
    email: str,
    profile: ProfileData | None = None,
    actor: str | None = None,
) -> Registration:
    """Create a user and their empty cart; a failing profile does not stop either."""
    user = User(username=username, email=email)
    session.add(user)
    cart = member_cart_create(session, user, actor=actor)
    outcome = profile_create(session, user, profile, actor=actor) if profile else None
    return Registration(
        user=user,
        cart=cart,
        profile=outcome.profile if outcome else None,
        profile_error=outcome.error if outcome else None,
    )


def member_cart_create(session: Session, user: User, *, actor: str | None = None) -> Cart:
    """The new user's empty cart, in the caller's transaction (audited when `actor` is given).

    `user` must be in the session: flush() sends its INSERT, so that its id exists for the
    cart's user_id - and a duplicate username fails here, before anything else is written.
    """
    session.flush()
    cart = Cart(user_id=user.id)
    session.add(cart)
    session.flush()  # the cart's id, which its audit record names
    if actor is not None:
        record_addition(session, actor, cart)
        session.flush()
    return cart


def profile_create(
    session: Session, user: User, data: ProfileData, *, actor: str | None = None
) -> ProfileOutcome:
    """The user's profile inside a savepoint: if it fails, only the savepoint is rolled back."""
    try:
        with session.begin_nested():
            profile = _new_profile(user, data)
            session.add(profile)
            session.flush()  # the database's rules, while the savepoint can still undo it
            if actor is not None:
                record_addition(session, actor, profile)
                session.flush()
    except ValueError as exc:  # a value the model or the rules above refuse
        return ProfileOutcome(None, str(exc))
    except DBAPIError as exc:
        return ProfileOutcome(None, REFUSED_BY_DATABASE.format(reason=_reason(exc)), exc)
    return ProfileOutcome(profile)


def _new_profile(user: User, data: ProfileData) -> Profile:
    if not (data.display_name or "").strip():
        raise ValueError(NO_DISPLAY_NAME)
    if data.website:
        problem = website_problem(data.website)
        if problem is not None:
            raise ValueError(problem)
    # The model's own validator checks the website again as it is set.
    return Profile(
        user_id=user.id,
        display_name=data.display_name,
        website=data.website or None,
        birthday=data.birthday,
    )


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
