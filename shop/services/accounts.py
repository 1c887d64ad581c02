"""Registering a community member: user, empty cart, optional profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shop.models import Cart, Profile, User


@dataclass(frozen=True)
class ProfileData:
    display_name: str
    website: str | None = None
    birthday: date | None = None


@dataclass(frozen=True)
class Registration:
    user: User
    cart: Cart
    profile: Profile | None
    profile_error: str | None


def user_register(
    session: Session, *, username: str, email: str, profile: ProfileData | None = None
) -> Registration:
    """Create a user and their empty cart; a failing profile does not stop either."""
    user = User(username=username, email=email)
    session.add(user)
    session.flush()  # the cart needs user.id, and a duplicate username fails here, early
    cart = Cart(user_id=user.id)
    session.add(cart)
    session.flush()
    created, error = _profile_in_savepoint(session, user, profile) if profile else (None, None)
    return Registration(user=user, cart=cart, profile=created, profile_error=error)


def _profile_in_savepoint(
    session: Session, user: User, data: ProfileData
) -> tuple[Profile | None, str | None]:
    # The profile is optional: if it fails, only its savepoint is rolled back.
    try:
        with session.begin_nested():
            profile = Profile(
                user_id=user.id,
                display_name=data.display_name,
                website=data.website,
                birthday=data.birthday,
            )
            session.add(profile)
    except ValueError as exc:
        return None, f"The profile was not saved: {exc}"
    except DBAPIError as exc:
        return None, f"The profile was not saved: the database refused it ({_reason(exc)})."
    return profile, None


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
