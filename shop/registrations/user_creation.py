"""Adding a community member from the admin: the user, their empty cart, an optional profile.

The add page is the user's form plus three optional profile fields. Saving runs the
accounts workflows (shop.services.accounts) inside the engine's one transaction: the
user's INSERT is flushed for its id, the cart is added with that id, and the profile is
written in a savepoint. A profile that is invalid (a field the form cannot read, a
website that is not http(s), no display name) or that the database refuses is left out
alone: the user and the cart are still saved, and a warning says what happened to the
profile - once the commit has succeeded, never for a save that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from shop.admin.forms.factory import AdminModelForm
from shop.admin.forms.fields import form_sources, formfield_for, humanize
from shop.admin.forms.integrity import describe
from shop.admin.options import ModelAdmin
from shop.models import Profile, User
from shop.services.accounts import (
    WEBSITE_MESSAGE,
    ProfileData,
    ProfileOutcome,
    profile_create,
    website_problem,
)

PROFILE_PREFIX = "profile_"
PROFILE_COLUMNS = ("display_name", "website", "birthday")
PROFILE_FIELDS = tuple(PROFILE_PREFIX + name for name in PROFILE_COLUMNS)
NO_PROFILE = (
    "“{user}” was added with an empty cart, but without a profile: {reason} "
    "Add the profile from the user's page."
)
PROFILE_HELP = (
    "Optional. If the profile cannot be saved, the user and their cart are still created "
    "and a warning says why."
)


def _profile_field(name: str) -> forms.Field:
    """The profile column's own form field, optional here."""
    field = formfield_for(form_sources(Profile.__mapper__)[name])
    assert field is not None
    field.required = False
    field.label = f"Profile: {str(field.label).lower()}"
    return field


class ProfileForm(AdminModelForm):
    """A profile's form: the website must be an http(s) address with a host."""

    def clean_website(self) -> str | None:
        value = self.cleaned_data.get("website")
        if value and website_problem(value) is not None:
            raise forms.ValidationError(WEBSITE_MESSAGE, code="unsafe_url")
        return value or None


class UserForm(AdminModelForm):
    """The user's form; on the add page, with the optional profile's fields.

    Problems in the profile's fields never stop the user: they are set aside in
    `profile_problems` and reported with the outcome of the profile.
    """

    profile_display_name = _profile_field("display_name")
    profile_website = _profile_field("website")
    profile_birthday = _profile_field("birthday")

    def clean(self) -> dict[str, Any]:
        self.profile_problems: list[str] = []
        for name in PROFILE_FIELDS:
            for error in self._errors.pop(name, []):
                label = humanize(name.removeprefix(PROFILE_PREFIX))
                self.profile_problems.append(f"{label}: {error}")
        return super().clean()

    def profile_data(self) -> ProfileData | None:
        """The profile to create, or None when its fields were left empty."""
        values = {name: self.cleaned_data.get(PROFILE_PREFIX + name) for name in PROFILE_COLUMNS}
        if not any(values.values()) and not self.profile_problems:
            return None
        return ProfileData(
            display_name=values["display_name"] or "",
            website=values["website"] or None,
            birthday=values["birthday"],
        )


def add_profile(request: HttpRequest, model_admin: ModelAdmin, form: UserForm, user: User) -> None:
    """Create the new user's profile in a savepoint; warn (after the commit) if it failed."""
    if not isinstance(form, UserForm):
        return
    data = form.profile_data()
    if data is None:
        return
    session: Session = request.db  # type: ignore[attr-defined]
    if form.profile_problems:
        reason = " ".join(form.profile_problems)
    else:
        outcome = profile_create(session, user, data, actor=request.user.get_username())
        if outcome.profile is not None:
            return
        reason = _explained(model_admin, outcome)
    text = NO_PROFILE.format(user=user, reason=reason)
    after_commit(session, lambda: messages.warning(request, text))


def _explained(model_admin: ModelAdmin, outcome: ProfileOutcome) -> str:
    """Why the profile failed; a database refusal named by its rule, not the driver's text."""
    if not isinstance(outcome.refusal, IntegrityError):
        return str(outcome.reason)
    site = model_admin.admin_site
    problem = describe(site.get_model_admin(Profile), outcome.refusal)
    field = f"{humanize(problem.field)}: " if problem.field else ""
    return f"the database refused it ({field}{problem.message})"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` when the session's transaction commits; never if it rolls back."""
    armed = True

    def committed(_session: Session) -> None:
        # SQLAlchemy sends after_commit for a savepoint's release too: not the commit.
        if armed and not session.in_nested_transaction():
            callback()

    def ended(_session: Session, transaction: SessionTransaction) -> None:
        nonlocal armed
        if transaction.parent is None:  # the outermost transaction: committed or not, done
            armed = False

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_transaction_end", ended)
