"""Transferring a pet to another owner: the workflow (checked against the owner the user
saw, one savepoint, audited) and the admin action on the pet list and the pet's page."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.models import AuditRecord, Owner, Pet
from shop.services.clinic import TransferRefused, transfer_pet
from shop.services.clinic import transfers as transfers_module
from tests.action_helpers import audit_of, messages_of, staff_client
from tests.commerce_helpers import ACTOR, audit_trail, count, end_read_on_sqlite, run_in_threads

PETS = "/admin/clinic/pet/"


def owner(session: Session, name: str, *pets: str) -> Owner:
    """An owner with a known name and pets named `pets` (dogs)."""
    row = Owner(name=name, email=f"{name.lower().replace(' ', '.')}@example.com")
    row.pets = [Pet(name=pet, species="dog") for pet in pets]
    session.add(row)
    session.flush()
    return row


def owner_of(session: Session, pet: Pet) -> int:
    """The pet's owner as committed in this transaction (not the session's copy)."""
    found = session.scalar(select(Pet.owner_id).where(Pet.id == pet.id))
    assert found is not None
    return found


def move_behind_the_back(session: Session, pet: Pet, to: Owner) -> None:
    """Another clerk's transfer, which the loaded objects have not seen."""
    session.execute(
        update(Pet).where(Pet.id == pet.id).values(owner_id=to.id),
        execution_options={"synchronize_session": False},
    )


# The workflow


def test_a_transfer_moves_the_pet_and_audits_the_old_and_new_owner(session: Session) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    (rex,) = alice.pets

    transfer_pet(session, rex, from_owner_id=alice.id, to_owner=bob, actor=ACTOR)

    assert owner_of(session, rex) == bob.id
    assert (rex.owner_id, rex.owner) == (bob.id, bob)
    [(action, entity, entity_id, fields)] = audit_trail(session)
    assert (action, entity, entity_id) == ("change", "clinic.pet", str(rex.id))
    assert fields == {
        "owner_id": (str(alice.id), str(bob.id)),
        "owner": ("Alice Smith", "Bob Jones"),
    }


def test_loaded_pet_lists_of_both_owners_show_the_move(session: Session) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex", "Tom"), owner(session, "Bob Jones")
    rex = alice.pets[0]
    assert bob.pets == []

    transfer_pet(session, rex, from_owner_id=alice.id, to_owner=bob, actor=ACTOR)

    assert [pet.name for pet in alice.pets] == ["Tom"]
    assert [pet.name for pet in bob.pets] == ["Rex"]


def test_a_transfer_to_the_same_owner_is_refused_and_changes_nothing(session: Session) -> None:
    alice = owner(session, "Alice Smith", "Rex")
    (rex,) = alice.pets

    with pytest.raises(TransferRefused) as refused:
        transfer_pet(session, rex, from_owner_id=alice.id, to_owner=alice, actor=ACTOR)

    assert refused.value.message == (
        "“Rex (dog)” already belongs to Alice Smith: choose another owner."
    )
    assert owner_of(session, rex) == alice.id
    assert audit_trail(session) == []


def test_a_wrong_current_owner_is_refused_and_changes_nothing(session: Session) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    cleo = owner(session, "Cleo Park")
    (rex,) = alice.pets

    with pytest.raises(TransferRefused) as refused:
        transfer_pet(session, rex, from_owner_id=bob.id, to_owner=cleo, actor=ACTOR)

    assert refused.value.message == (
        "“Rex (dog)” no longer belongs to Bob Jones: someone else moved it to Alice Smith "
        "since the page was loaded."
    )
    assert owner_of(session, rex) == alice.id
    assert audit_trail(session) == []


def test_a_pet_moved_by_someone_else_meanwhile_is_not_taken_from_its_new_owner(
    session: Session,
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    cleo = owner(session, "Cleo Park")
    (rex,) = alice.pets
    move_behind_the_back(session, rex, cleo)
    assert rex.owner_id == alice.id  # this session still believes Alice has Rex

    with pytest.raises(TransferRefused, match="moved it to Cleo Park"):
        transfer_pet(session, rex, from_owner_id=alice.id, to_owner=bob, actor=ACTOR)

    assert owner_of(session, rex) == cleo.id
    assert audit_trail(session) == []


def test_a_pet_deleted_meanwhile_is_refused(session: Session) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    (rex,) = alice.pets
    session.execute(delete(Pet).where(Pet.id == rex.id))

    with pytest.raises(TransferRefused, match=r"^“Rex \(dog\)” no longer exists\.$"):
        transfer_pet(session, rex, from_owner_id=alice.id, to_owner=bob, actor=ACTOR)

    assert audit_trail(session) == []


def test_a_new_owner_deleted_meanwhile_is_refused(session: Session) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    (rex,) = alice.pets
    session.execute(delete(Owner).where(Owner.id == bob.id))

    with pytest.raises(TransferRefused, match=r"^The new owner, Bob Jones, no longer exists\.$"):
        transfer_pet(session, rex, from_owner_id=alice.id, to_owner=bob, actor=ACTOR)

    assert owner_of(session, rex) == alice.id
    assert audit_trail(session) == []


class InjectedFault(Exception):
    """A failure after the pet was moved, before the workflow finished."""


@pytest.mark.committed
@pytest.mark.parametrize("caller_then", ["rollback", "commit"])
def test_a_transfer_that_fails_halfway_leaves_no_trace(
    monkeypatch: pytest.MonkeyPatch, caller_then: str
) -> None:
    with shop_db.session_scope() as setup:
        alice, bob = owner(setup, "Alice Smith", "Rex"), owner(setup, "Bob Jones")
        ids = (alice.pets[0].id, alice.id, bob.id)
    real = transfers_module.record_change

    def audit_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise InjectedFault

    monkeypatch.setattr(transfers_module, "record_change", audit_then_fail)
    pet_id, alice_id, bob_id = ids

    with shop_db.new_session() as session:
        rex, bob_row = session.get_one(Pet, pet_id), session.get_one(Owner, bob_id)
        with pytest.raises(InjectedFault):
            transfer_pet(session, rex, from_owner_id=alice_id, to_owner=bob_row, actor=ACTOR)
        # The savepoint is gone either way: even a caller that commits saves nothing.
        getattr(session, caller_then)()

    with shop_db.new_session() as session:
        assert session.scalar(select(Pet.owner_id).where(Pet.id == pet_id)) == alice_id
        assert count(session, AuditRecord) == 0


@pytest.mark.committed
def test_two_clerks_transferring_one_pet_at_once_move_it_once() -> None:
    threads = 2
    with shop_db.session_scope() as setup:
        alice = owner(setup, "Alice Smith", "Rex")
        others = [owner(setup, "Bob Jones"), owner(setup, "Cleo Park")]
        pet_id, alice_id = alice.pets[0].id, alice.id
        other_ids = [other.id for other in others]

    def attempt(index: int, barrier: threading.Barrier) -> int | TransferRefused:
        with shop_db.new_session() as session:
            rex, to = session.get_one(Pet, pet_id), session.get_one(Owner, other_ids[index])
            end_read_on_sqlite(session)
            barrier.wait()  # both saw Alice as the owner
            try:
                transfer_pet(session, rex, from_owner_id=alice_id, to_owner=to, actor=f"c{index}")
            except TransferRefused as refused:
                session.rollback()
                return refused
            session.commit()
            return to.id

    outcomes = run_in_threads(threads, attempt)

    moved = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, TransferRefused)]
    assert (len(moved), len(refusals)) == (1, 1), outcomes
    winner = "Bob Jones" if moved[0] == other_ids[0] else "Cleo Park"
    assert refusals[0].message == (
        f"“Rex (dog)” no longer belongs to Alice Smith: someone else moved it to {winner} "
        "since the page was loaded."
    )
    with shop_db.new_session() as session:
        assert session.scalar(select(Pet.owner_id).where(Pet.id == pet_id)) == moved[0]
        [(_action, _entity, _id, fields)] = audit_trail(session)
        assert fields["owner"] == ("Alice Smith", winner)


# The admin action


def start(client: Client, url: str, pets: list[Pet], **extra: str) -> Any:
    """The action's first POST: the parameter page."""
    data: dict[str, Any] = {
        "action": "transfer_pets",
        "index": "0",
        "_selected_action": [str(pet.id) for pet in pets],
        **extra,
    }
    return client.post(url, data)


def seen_field(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    found = re.search(r'name="current_owners" value="([^"]*)"', response.content.decode())
    assert found is not None
    return found.group(1)


def confirm(client: Client, url: str, pets: list[Pet], to: Owner, seen: str) -> Any:
    """The parameter page's Apply, as the browser posts it."""
    data = {
        "action": "transfer_pets",
        "select_across": "0",
        "_selected_action": [str(pet.id) for pet in pets],
        "post": "yes",
        "to_owner": str(to.id),
        "current_owners": seen,
    }
    return client.post(url, data)


def pet_page(pet: Pet) -> str:
    return f"{PETS}{pet.id}/change/"


def test_the_pet_page_offers_the_transfer_and_the_form_shows_the_current_owner(
    admin_client: Client, session: Session
) -> None:
    alice = owner(session, "Alice Smith", "Rex")
    (rex,) = alice.pets

    page = admin_client.get(pet_page(rex)).content.decode()
    assert f'action="{PETS}{rex.id}/actions/"' in page
    assert "Transfer to another owner …" in page

    response = start(admin_client, f"{PETS}{rex.id}/actions/", [rex])
    body = response.content.decode()
    assert "<td>Rex (dog)</td><td>Alice Smith</td>" in body
    assert seen_field(response) == f"{rex.id}:{alice.id}"
    # The new owner is searched, never a list of every owner.
    assert "data-autocomplete-url=" in body
    assert "model_name=pet&amp;field_name=owner" in body


def test_a_transfer_from_the_pet_page_moves_it_and_is_audited(
    admin_client: Client, session: Session
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    (rex,) = alice.pets
    url = f"{PETS}{rex.id}/actions/"
    seen = seen_field(start(admin_client, url, [rex]))

    response = confirm(admin_client, url, [rex], bob, seen)

    assert response.status_code == 302
    assert response["Location"] == pet_page(rex)
    assert messages_of(response) == [
        "“Rex (dog)” now belongs to Bob Jones (transferred from Alice Smith)."
    ]
    assert owner_of(session, rex) == bob.id
    [(action, details)] = audit_of(session, "clinic.pet", rex.id)
    assert (action, details["owner"]) == ("change", ("Alice Smith", "Bob Jones"))
    assert details["owner_id"] == (str(alice.id), str(bob.id))


def test_a_stale_page_is_refused_and_changes_nothing(
    admin_client: Client, session: Session
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    cleo = owner(session, "Cleo Park")
    (rex,) = alice.pets
    url = f"{PETS}{rex.id}/actions/"
    seen = seen_field(start(admin_client, url, [rex]))
    move_behind_the_back(session, rex, cleo)  # another clerk, while this page was open

    response = confirm(admin_client, url, [rex], bob, seen)

    assert response.status_code == 302
    assert messages_of(response) == [
        "“Rex (dog)” no longer belongs to Alice Smith: someone else moved it to Cleo Park "
        "since the page was loaded. Nothing was changed."
    ]
    assert owner_of(session, rex) == cleo.id
    assert audit_of(session, "clinic.pet", rex.id) == []


def test_transferring_to_the_current_owner_is_a_form_error(
    admin_client: Client, session: Session
) -> None:
    alice = owner(session, "Alice Smith", "Rex")
    (rex,) = alice.pets
    url = f"{PETS}{rex.id}/actions/"
    seen = seen_field(start(admin_client, url, [rex]))

    response = confirm(admin_client, url, [rex], alice, seen)

    assert response.status_code == 200
    assert response.context["form"].errors["to_owner"] == [
        "“Rex (dog)” already belongs to Alice Smith: choose another owner."
    ]
    assert audit_of(session, "clinic.pet", rex.id) == []


@pytest.mark.parametrize(
    ("to_owner", "error"),
    [
        ("", "This field is required."),
        ("abc", "Select a valid choice. That choice is not one of the available choices."),
        ("999999", "Select a valid choice. That choice is not one of the available choices."),
        ("9" * 40, "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_a_missing_or_unknown_new_owner_is_a_form_error(
    admin_client: Client, session: Session, to_owner: str, error: str
) -> None:
    alice = owner(session, "Alice Smith", "Rex")
    (rex,) = alice.pets
    url = f"{PETS}{rex.id}/actions/"
    data = {
        "action": "transfer_pets",
        "select_across": "0",
        "_selected_action": [str(rex.id)],
        "post": "yes",
        "to_owner": to_owner,
        "current_owners": seen_field(start(admin_client, url, [rex])),
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["to_owner"] == [error]
    assert owner_of(session, rex) == alice.id
    assert audit_of(session, "clinic.pet", rex.id) == []


def test_pets_of_several_owners_move_together_from_the_list(
    admin_client: Client, session: Session
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones", "Tom")
    cleo = owner(session, "Cleo Park")
    pets = [alice.pets[0], bob.pets[0]]
    response = start(admin_client, PETS, pets)
    body = response.content.decode()
    assert "<td>Rex (dog)</td><td>Alice Smith</td>" in body
    assert "<td>Tom (dog)</td><td>Bob Jones</td>" in body

    response = confirm(admin_client, PETS, pets, cleo, seen_field(response))

    assert messages_of(response) == ["Transferred 2 pets to Cleo Park."]
    assert [owner_of(session, pet) for pet in pets] == [cleo.id, cleo.id]


def test_one_pet_moved_meanwhile_leaves_every_selected_pet_where_it_was(
    admin_client: Client, session: Session
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones", "Tom")
    cleo, dan = owner(session, "Cleo Park"), owner(session, "Dan Wu")
    pets = [alice.pets[0], bob.pets[0]]
    seen = seen_field(start(admin_client, PETS, pets))
    move_behind_the_back(session, bob.pets[0], dan)

    response = confirm(admin_client, PETS, pets, cleo, seen)

    [message] = messages_of(response)
    assert message.startswith("“Tom (dog)” no longer belongs to Bob Jones")
    assert message.endswith("Nothing was changed.")
    assert [owner_of(session, pet) for pet in pets] == [alice.id, dan.id]
    assert count(session, AuditRecord) == 0


def test_select_across_is_refused_with_a_message(admin_client: Client, session: Session) -> None:
    alice = owner(session, "Alice Smith", "Rex")

    response = start(admin_client, PETS, alice.pets, select_across="1")

    assert response.status_code == 200
    assert "untick “Select all” and tick up to 100 pets." in response.content.decode()
    data = {**response.context["form"].initial, "to_owner": str(owner(session, "Bob Jones").id)}
    response = admin_client.post(
        PETS, {"action": "transfer_pets", "select_across": "1", "post": "yes", **data}
    )
    [error] = response.context["form"].non_field_errors()
    assert "untick “Select all”" in error
    assert owner_of(session, alice.pets[0]) == alice.id


@pytest.mark.parametrize(
    "tampered",
    # The last three are no INTEGER id: out of range (an error on PostgreSQL), past
    # Python's longest integer text, and a digit int() does not read.
    ["x:1", "1:2:3", "1;2", "-1:2", "1:", "2147483648:1", "1:" + "9" * 5000, "\u00b2:1"],
)
def test_an_altered_list_of_owners_is_a_form_error(
    admin_client: Client, session: Session, tampered: str
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex"), owner(session, "Bob Jones")
    (rex,) = alice.pets

    response = confirm(admin_client, PETS, [rex], bob, tampered)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The list of current owners was altered: go back to the list and start again."
    ]
    assert owner_of(session, rex) == alice.id


def test_a_pet_left_out_of_the_confirmed_page_is_refused(
    admin_client: Client, session: Session
) -> None:
    alice, bob = owner(session, "Alice Smith", "Rex", "Tom"), owner(session, "Bob Jones")
    rex, tom = alice.pets
    seen = f"{rex.id}:{alice.id}"  # Tom was not on the page the user confirmed

    response = confirm(admin_client, PETS, [rex, tom], bob, seen)

    [message] = messages_of(response)
    assert message.startswith("“Tom (dog)” was not on the page you confirmed")
    assert [owner_of(session, pet) for pet in (rex, tom)] == [alice.id, alice.id]


def test_staff_who_may_only_view_pets_get_no_transfer(django_user_model, session) -> None:
    alice = owner(session, "Alice Smith", "Rex")
    (rex,) = alice.pets
    client = staff_client(django_user_model, "clinic.view_pet", "clinic.view_owner")

    assert "Transfer to another owner" not in client.get(pet_page(rex)).content.decode()
    response = start(client, f"{PETS}{rex.id}/actions/", [rex])
    assert messages_of(response) == ["No action selected."]
    assert owner_of(session, rex) == alice.id
