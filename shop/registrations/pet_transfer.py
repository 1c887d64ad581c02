"""“Transfer to another owner …”: pets moved by the clinic's transfer_pet workflow.

The parameter page lists each pet with the owner it has at that moment, and carries
those owners in a hidden field (`pet:owner` pairs). Pets have no version column, so that
owner is what the move is checked against: a pet someone else moved meanwhile is refused,
whatever the new owner, instead of being taken from its new owner. The page is the
user's decision point, from the list and from the pet's own page alike.

Over several pets the action is all or nothing: one refused pet leaves every pet where
it was, so a transfer is never half done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from sqlalchemy import select
from sqlalchemy.orm import raiseload

from shop.admin import ModelAdmin, action
from shop.admin.actions import ActionFailed, ActionParametersForm, Selection
from shop.admin.actions.base import ACTION_CHECKBOX_NAME
from shop.admin.actions.selection import is_across, selected_keys
from shop.admin.forms.fields import form_sources
from shop.admin.forms.related import RelatedField
from shop.models import Owner, Pet
from shop.registrations.workflows import end_read_before_first_write, plural
from shop.services.clinic import TransferRefused, transfer_pet
from shop.services.clinic.transfers import SAME_OWNER

MAX_PETS = 100  # each is listed with its owner on the page, and checked one by one
# pets.id and owners.id are INTEGER: PostgreSQL refuses a larger parameter with an error.
MAX_ID = 2**31 - 1
SEEN_FIELD = "current_owners"

ACROSS = (
    "A transfer moves the pets you tick, each checked against the owner shown here: "
    "untick “Select all” and tick up to {limit} pets."
)
TOO_MANY = "A transfer moves at most {limit} pets at a time; {count} are selected."
NOTHING = "None of the selected pets exist any more: nothing to transfer."
ALTERED = "The list of current owners was altered: go back to the list and start again."
SAME_OWNER_MANY = "{pets} already belong to {owner}: choose another owner."
NOT_SHOWN = (
    "“{pet}” was not on the page you confirmed, so its owner was not checked. Nothing was "
    "changed: go back to the list and start again."
)
NO_NEW_OWNER = "The new owner no longer exists. Nothing was changed."
MOVED_ONE = "“{pet}” now belongs to {new} (transferred from {old})."
MOVED_MANY = "Transferred {pets} to {new}."


@dataclass(frozen=True)
class SeenPet:
    """A pet as the parameter page shows it: with the owner it had then."""

    pet_id: int
    pet: str
    owner_id: int
    owner: str


class TransferPetsForm(ActionParametersForm):
    """The new owner (searched, never a list of every owner), and the owners seen."""

    to_owner = RelatedField(form_sources(Pet.__mapper__)["owner"], label="New owner")
    current_owners = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_owner"]
        assert isinstance(field, RelatedField)
        # The pet form's own owner chooser: the same search as on the pet's page.
        field.bind(self.session, self.model_admin, autocomplete=True)
        self.problem: str | None = None
        self.seen: list[SeenPet] = []
        if is_across(self.request.POST):
            self.problem = ACROSS.format(limit=MAX_PETS)
        else:
            self.seen = self._carried() if self.is_bound else self._current()
        if not self.is_bound:
            self.initial[SEEN_FIELD] = ",".join(f"{s.pet_id}:{s.owner_id}" for s in self.seen)

    @property
    def seen_owners(self) -> dict[int, int]:
        """pet id -> the owner id the user saw on this page."""
        return {seen.pet_id: seen.owner_id for seen in self.seen}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.problem is not None:
            raise ValidationError(self.problem)
        if not self.seen:
            raise ValidationError(NOTHING)
        to_owner = cleaned.get("to_owner")
        already = [seen for seen in self.seen if seen.owner_id == to_owner]
        if already:
            self.add_error("to_owner", _already_theirs(already))
        return cleaned

    def _current(self) -> list[SeenPet]:
        """The selected pets (within this user's rows) with their owners now."""
        request = self.request
        ids = [key[0] for key in selected_keys(self.model_admin, self._posted_ids())]
        if len(ids) > MAX_PETS:
            self.problem = TOO_MANY.format(limit=MAX_PETS, count=len(ids))
            return []
        allowed = self.model_admin.get_query(request).with_only_columns(Pet.id)
        statement = (
            select(Pet, Owner.name)
            .join(Pet.owner)
            .where(Pet.id.in_(ids), Pet.id.in_(allowed))
            .order_by(Pet.name, Pet.id)
            .options(raiseload("*"))
        )
        return [
            SeenPet(pet.id, str(pet), pet.owner_id, owner)
            for pet, owner in self.session.execute(statement)
        ]

    def _posted_ids(self) -> list[str]:
        """The pet of the page the action was started from, else the ticked pets."""
        match = self.request.resolver_match
        object_id = match.kwargs.get("object_id") if match is not None else None
        return [object_id] if object_id else self.request.POST.getlist(ACTION_CHECKBOX_NAME)

    def _carried(self) -> list[SeenPet]:
        """The pets and owners the page showed, from its hidden field."""
        pairs = _parse_pairs(str(self.data.get(SEEN_FIELD, "")))
        if pairs is None or len(pairs) > MAX_PETS:
            self.problem = ALTERED
            return []
        pets = self.session.scalars(
            select(Pet).where(Pet.id.in_(pairs)).options(raiseload("*"))
        ).all()
        statement = select(Owner.id, Owner.name).where(Owner.id.in_(set(pairs.values())))
        names: dict[int, str] = dict(self.session.execute(statement).all())
        return [
            SeenPet(pet.id, str(pet), pairs[pet.id], names.get(pairs[pet.id], "?"))
            for pet in sorted(pets, key=lambda pet: (pet.name, pet.id))
        ]


def _parse_pairs(text: str) -> dict[int, int] | None:
    """`12:3,13:4` as {12: 3, 13: 4}; None when it is not that."""
    pairs: dict[int, int] = {}
    for part in filter(None, text.split(",")):
        pet, _, owner = part.partition(":")
        pet_id, owner_id = _id(pet), _id(owner)
        if pet_id is None or owner_id is None:
            return None
        pairs[pet_id] = owner_id
    return pairs


def _id(text: str) -> int | None:
    """`text` as a row id (digits, within INTEGER), else None."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def _already_theirs(already: list[SeenPet]) -> str:
    if len(already) == 1:
        return SAME_OWNER.format(pet=already[0].pet, owner=already[0].owner)
    names = ", ".join(f"“{seen.pet}”" for seen in already)
    return SAME_OWNER_MANY.format(pets=names, owner=already[0].owner)


@action(
    description="Transfer selected pets to another owner …",
    permissions=["change"],
    form=TransferPetsForm,
)
def transfer_pets(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: TransferPetsForm
) -> None:
    """Move every selected pet to the chosen owner, or none of them."""
    session = selection.session
    new_owner = session.get(Owner, form.cleaned_data["to_owner"])
    if new_owner is None:  # deleted since the form was checked
        messages.error(request, NO_NEW_OWNER)
        return
    expected = form.seen_owners
    pets = [pet for batch in selection.batches() for pet in batch]
    selection.check_complete(len(pets))
    end_read_before_first_write(session)
    actor = str(request.user.get_username())
    for pet in pets:
        if pet.id not in expected:
            raise ActionFailed(NOT_SHOWN.format(pet=pet))
        try:
            transfer_pet(
                session, pet, from_owner_id=expected[pet.id], to_owner=new_owner, actor=actor
            )
        except TransferRefused as exc:
            raise ActionFailed(f"{exc.message} Nothing was changed.") from None
    if len(pets) == 1:
        old = next(seen.owner for seen in form.seen if seen.pet_id == pets[0].id)
        messages.success(request, MOVED_ONE.format(pet=pets[0], new=new_owner, old=old))
    else:
        messages.success(request, MOVED_MANY.format(pets=plural(len(pets), "pet"), new=new_owner))
