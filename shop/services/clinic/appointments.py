"""Appointments: the booking rules, and the end of a visit (completed, cancelled, no-show).

A vet sees one pet at a time: UNIQUE(vet_id, scheduled_at) refuses a second booking of
the same slot, and the forms say so beforehand in the words of `double_booked()`. A new
appointment is never in the past; one that already is can still be edited and closed.

A visit ends only from "scheduled". Appointments have no version column, so the status
itself is the guard: one conditional UPDATE (`WHERE status = 'scheduled'`) moves it, and
a row count of 0 means someone else closed it first (or it was never open).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shop.models import Appointment
from shop.models.clinic import APPOINTMENT_STATUSES
from shop.services.audit import record_change
from shop.services.clinic.errors import AppointmentRefused

SCHEDULED, COMPLETED, CANCELLED, NO_SHOW = APPOINTMENT_STATUSES

# What each closing move is called in messages: "marked completed", "cancelled" ...
CLOSING_MOVES: Mapping[str, str] = {
    COMPLETED: "marked completed",
    CANCELLED: "cancelled",
    NO_SHOW: "marked no-show",
}
STATUS_WORDS: Mapping[str, str] = {
    SCHEDULED: "scheduled",
    COMPLETED: "completed",
    CANCELLED: "cancelled",
    NO_SHOW: "a no-show",
}

UNKNOWN = "“{status}” is not a status an appointment can be moved to."
NOT_SCHEDULED = (
    "The appointment “{appointment}” is {current}: only a scheduled appointment can be {move}."
)
GONE = "The appointment “{appointment}” no longer exists."
SLOT_TAKEN = "{vet} already has an appointment at {when}. Choose another time or another vet."
SLOT_HELD = (
    "{vet} already has an appointment at {when} ({status}: it still holds the slot). "
    "Choose another time or another vet."
)
IN_THE_PAST = "An appointment cannot be booked in the past (it is now {now})."
MOVED_INTO_THE_PAST = "An appointment cannot be moved into the past (it is now {now})."


def when_text(moment: datetime) -> str:
    """How the clinic writes a time: `2031-02-03 09:30 UTC`."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def booked_slot(session: Session, vet_id: int, scheduled_at: datetime) -> Appointment | None:
    """The appointment holding the vet's slot at that moment, if any."""
    statement = select(Appointment).where(
        Appointment.vet_id == vet_id, Appointment.scheduled_at == scheduled_at
    )
    with session.no_autoflush:
        return session.scalars(statement.limit(1)).first()


def double_booked(vet: Any, scheduled_at: datetime, holder: Appointment | None) -> str:
    """The message for a slot already taken (by `holder`, when it is known)."""
    when = when_text(scheduled_at)
    if holder is not None and holder.status != SCHEDULED:
        return SLOT_HELD.format(vet=vet, when=when, status=STATUS_WORDS[holder.status])
    return SLOT_TAKEN.format(vet=vet, when=when)


def time_problem(scheduled_at: datetime, *, new: bool, moved: bool, now: datetime) -> str | None:
    """Why `scheduled_at` is refused: new bookings and moves never go into the past."""
    if scheduled_at >= now or not (new or moved):
        return None
    template = IN_THE_PAST if new else MOVED_INTO_THE_PAST
    return template.format(now=when_text(now))


def close_appointment(
    session: Session, appointment: Appointment, new_status: str, *, actor: str
) -> Appointment:
    """Move a scheduled appointment to `new_status` (completed, cancelled or no_show),
    audited; the caller commits. Raises AppointmentRefused, with nothing changed, when
    the status is not one of those or the appointment is not (or no longer) scheduled."""
    if new_status not in CLOSING_MOVES:
        raise AppointmentRefused(UNKNOWN.format(status=new_status))
    with session.begin_nested():
        statement = (
            update(Appointment)
            .where(Appointment.id == appointment.id, Appointment.status == SCHEDULED)
            .values(status=new_status)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], session.execute(statement)).rowcount != 1:
            raise AppointmentRefused(_not_moved(session, appointment, new_status))
        record_change(session, actor, appointment, [("status", SCHEDULED, new_status)])
        session.flush()
    set_committed_value(appointment, "status", new_status)
    return appointment


def _not_moved(session: Session, appointment: Appointment, new_status: str) -> str:
    # A locking read: past MariaDB's REPEATABLE READ snapshot, the status committed now.
    statement = (
        select(Appointment.status)
        .where(Appointment.id == appointment.id)
        .with_for_update(read=True)
    )
    current = session.scalar(statement)
    if current is None:
        return GONE.format(appointment=appointment)
    return NOT_SCHEDULED.format(
        appointment=appointment, current=STATUS_WORDS[current], move=CLOSING_MOVES[new_status]
    )
