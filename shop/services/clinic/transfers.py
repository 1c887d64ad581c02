"""Moving a pet to another owner: the seed's transfer_pet_ownership, safe under concurrency.

The seed reads the pet, checks `pet.owner_id == old_owner_id`, then assigns the new owner.
Two clerks doing that at once both pass the check, and the second silently undoes or
overrides the first. Pets have no version column, so the owner the clerk saw is the
guard: the move is one conditional UPDATE (`WHERE id = :pet AND owner_id = :expected`),
and a row count of 0 means the pet is no longer that owner's (or no longer exists). The
database decides, with its row lock held until the caller commits, on every dialect.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from shop.models import Owner, Pet
from shop.services.audit import record_change
from shop.services.clinic.errors import TransferRefused

SAME_OWNER = "“{pet}” already belongs to {owner}: choose another owner."
NO_PET = "“{pet}” no longer exists."
NO_NEW_OWNER = "The new owner, {owner}, no longer exists."
MOVED_MEANWHILE = (
    "“{pet}” no longer belongs to {expected}: someone else moved it to {current} since the "
    "page was loaded."
)


def transfer_pet(
    session: Session, pet: Pet, *, from_owner_id: int, to_owner: Owner, actor: str
) -> Pet:
    """Move `pet` from the owner the user saw to `to_owner`, audited; the caller commits.

    Raises TransferRefused, with nothing changed, when `to_owner` is that same owner,
    when the pet is not (or no longer) `from_owner_id`'s, or when either row is gone.
    """
    if to_owner.id == from_owner_id:
        raise TransferRefused(SAME_OWNER.format(pet=pet, owner=to_owner))
    try:
        with session.begin_nested():
            if not _move(session, pet.id, from_owner_id, to_owner.id):
                raise TransferRefused(_not_moved(session, pet, from_owner_id))
            old_name = _owner_name(session, from_owner_id)
            changes = [
                ("owner_id", str(from_owner_id), str(to_owner.id)),
                ("owner", old_name, str(to_owner)),
            ]
            record_change(session, actor, pet, changes)
            session.flush()
    except IntegrityError:  # the new owner was deleted since it was chosen (foreign key)
        raise TransferRefused(NO_NEW_OWNER.format(owner=to_owner)) from None
    _show_move(session, pet, from_owner_id, to_owner)
    return pet


def _move(session: Session, pet_id: int, from_owner_id: int, to_owner_id: int) -> bool:
    statement = (
        update(Pet)
        .where(Pet.id == pet_id, Pet.owner_id == from_owner_id)
        .values(owner_id=to_owner_id)
        # The session's objects are brought up to date below, only once the move happened.
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], session.execute(statement)).rowcount == 1


def _not_moved(session: Session, pet: Pet, expected_owner_id: int) -> str:
    """Why the UPDATE matched no row: the pet is gone, or belongs to someone else now.

    A locking read: on MariaDB (REPEATABLE READ) a plain SELECT would still answer from
    the snapshot taken before the concurrent transfer was committed.
    """
    statement = select(Pet.owner_id).where(Pet.id == pet.id).with_for_update(read=True)
    current_owner_id = session.scalar(statement)
    if current_owner_id is None:
        return NO_PET.format(pet=pet)
    return MOVED_MEANWHILE.format(
        pet=pet,
        expected=_owner_name(session, expected_owner_id),
        current=_owner_name(session, current_owner_id),
    )


def _owner_name(session: Session, owner_id: int) -> str:
    name = session.scalar(select(Owner.name).where(Owner.id == owner_id))
    return name if name is not None else f"owner #{owner_id}"


def _show_move(session: Session, pet: Pet, from_owner_id: int, to_owner: Owner) -> None:
    """The session's objects as the database has them now: the pet's owner, and the pet
    lists of both owners if they were loaded."""
    set_committed_value(pet, "owner_id", to_owner.id)
    set_committed_value(pet, "owner", to_owner)
    for owner_id in (from_owner_id, to_owner.id):
        owner = session.identity_map.get(identity_key(Owner, owner_id))
        if owner is not None:
            session.expire(owner, ["pets"])
