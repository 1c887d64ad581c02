"""Follow and unfollow as actions on the users list (and on a user's page).

"Follow user …" asks for one user (a search by username, never a list of every user)
and makes each selected user follow them; "Unfollow user …" undoes it. Both run the
community workflows (shop.services.community), one savepoint per pair, and report per
outcome: done, skipped (already following, or not following), refused (a user cannot
follow themselves). A pair that a concurrent request wrote first counts as skipped,
never as an error page. The action runner commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from sqlalchemy.orm import RelationshipProperty

from shop.admin import ModelAdmin, action
from shop.admin.actions import ActionFailed, ActionParametersForm, Selection
from shop.admin.forms.fields import FieldSource
from shop.admin.forms.related import RelatedField
from shop.models import User
from shop.models.social import following_table
from shop.registrations.workflows import end_read_before_first_write, plural
from shop.services.community import FollowRefused, user_follow, user_unfollow

# The chooser searches users as the user page's `following` chooser does.
FOLLOWING: RelationshipProperty[Any] = User.__mapper__.relationships["following"]
CHOOSER = FieldSource("user", "following", following_table.c.followed_id, FOLLOWING)

FOLLOWED = "{users} now {verb} “{user}”."
ALREADY = "{users} already {verb} “{user}”: skipped."
UNFOLLOWED = "{users} no longer {verb} “{user}”."
NOT_FOLLOWING = "{users} did not follow “{user}”: skipped."
GONE = "This user no longer exists. Nothing was changed."


class ChooseUserForm(ActionParametersForm):
    """One user, searched by username (an id input that the autocomplete script fills)."""

    user = RelatedField(CHOOSER, label="User")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chooser = self.fields["user"]
        assert isinstance(chooser, RelatedField)
        chooser.bind(self.session, self.model_admin, autocomplete=True)


class FollowForm(ChooseUserForm):
    user = RelatedField(CHOOSER, label="User to follow")


class UnfollowForm(ChooseUserForm):
    user = RelatedField(CHOOSER, label="User to unfollow")


@dataclass
class Tally:
    """How each selected user fared."""

    done: int = 0
    skipped: int = 0
    refused: list[str] = field(default_factory=list)


def _chosen(selection: Selection, form: ChooseUserForm) -> User:
    user = selection.session.get(User, form.cleaned_data["user"])
    if user is None:  # deleted since the form was checked
        raise ActionFailed(GONE)
    return user


def _actor(request: HttpRequest) -> str:
    return str(request.user.get_username())


def _each_follower(selection: Selection, step: Callable[[User], bool]) -> Tally:
    """Run `step` for each selected user (True: it changed something), in batches."""
    tally, found = Tally(), 0
    for batch in selection.batches():
        found += len(batch)
        if tally.done == 0:
            end_read_before_first_write(selection.session)
        for follower in batch:
            try:
                changed = step(follower)
            except FollowRefused as exc:
                tally.refused.append(f"{exc.message} Skipped.")
                continue
            tally.done += changed
            tally.skipped += not changed
    selection.check_complete(found)
    return tally


@action(description="Follow user …", permissions=["change"], form=FollowForm)
def follow_user(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: FollowForm
) -> None:
    """Each selected user follows the chosen one; those already following are skipped."""
    followed, actor = _chosen(selection, form), _actor(request)
    tally = _each_follower(
        selection, lambda follower: user_follow(selection.session, follower, followed, actor=actor)
    )
    _report(request, followed, tally, FOLLOWED, ALREADY)


@action(description="Unfollow user …", permissions=["change"], form=UnfollowForm)
def unfollow_user(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: UnfollowForm
) -> None:
    """Each selected user stops following the chosen one; the others are skipped."""
    followed, actor = _chosen(selection, form), _actor(request)
    tally = _each_follower(
        selection,
        lambda follower: user_unfollow(selection.session, follower, followed, actor=actor),
    )
    _report(request, followed, tally, UNFOLLOWED, NOT_FOLLOWING)


def _report(request: HttpRequest, user: User, tally: Tally, done: str, skipped: str) -> None:
    if tally.done:
        verb = "follows" if tally.done == 1 else "follow"
        text = done.format(users=plural(tally.done, "user"), verb=verb, user=user)
        messages.success(request, text)
    if tally.skipped:
        verb = "follows" if tally.skipped == 1 else "follow"
        text = skipped.format(users=plural(tally.skipped, "user"), verb=verb, user=user)
        messages.info(request, text)
    for message in tally.refused:
        messages.warning(request, message)
