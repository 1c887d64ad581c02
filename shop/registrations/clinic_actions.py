"""The appointment actions: close a visit as completed, cancelled or no-show.

An appointment's visit ends only from "scheduled", through the clinic's
close_appointment workflow (a conditional UPDATE, audited). Over a selection the
appointments that are not scheduled are left as they are and the message says how many
and why; the others are closed. On an appointment's own page the buttons are offered
only while it is scheduled. Transferring pets lives in shop.registrations.pet_transfer.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest

from shop.admin import ModelAdmin, action
from shop.admin.actions import Selection
from shop.models import Appointment
from shop.registrations.workflows import end_read_before_first_write, plural
from shop.services.clinic import CLOSING_MOVES, AppointmentRefused, close_appointment
from shop.services.clinic.appointments import CANCELLED, COMPLETED, NO_SHOW, SCHEDULED

STATUS_LABELS = {COMPLETED: "completed", CANCELLED: "cancelled", NO_SHOW: "no-show"}
CLOSED = "{appointments} {verb} {move}."
SKIPPED_ONE = "The appointment is {status}: only a scheduled appointment can be {move}."
SKIPPED = (
    "{appointments} {verb} left as {pronoun} {verb}: only a scheduled appointment can be "
    "{move} ({statuses})."
)
MISSING = "{appointments} no longer {verb}: nothing was done for {pronoun}."


def _close(request: HttpRequest, selection: Selection, status: str) -> None:
    """Close every selected appointment that is scheduled; report the others."""
    session = selection.session
    actor = str(request.user.get_username())
    closed = found = 0
    skipped: Counter[str] = Counter()
    refusals: list[str] = []
    first_write = True
    for batch in selection.batches():
        found += len(batch)
        for appointment in batch:
            if appointment.status != SCHEDULED:
                skipped[appointment.status] += 1
                continue
            if first_write:
                end_read_before_first_write(session)
                first_write = False
            try:
                close_appointment(session, appointment, status, actor=actor)
            except AppointmentRefused as exc:  # closed or deleted by someone else meanwhile
                refusals.append(exc.message)
                continue
            closed += 1
    _report(request, status, closed, skipped, refusals)
    _report_missing(request, selection, found)


def _report(
    request: HttpRequest, status: str, closed: int, skipped: Counter[str], refusals: list[str]
) -> None:
    move = CLOSING_MOVES[status]
    if closed:
        verb = "was" if closed == 1 else "were"
        text = CLOSED.format(appointments=plural(closed, "appointment"), verb=verb, move=move)
        messages.success(request, text)
    count = sum(skipped.values())
    if count == 1 and not closed and not refusals:
        (current,) = skipped
        messages.warning(request, SKIPPED_ONE.format(status=STATUS_LABELS[current], move=move))
    elif count:
        statuses = ", ".join(f"{n} {STATUS_LABELS[s]}" for s, n in sorted(skipped.items()))
        many = count > 1
        text = SKIPPED.format(
            appointments=plural(count, "appointment"),
            verb="were" if many else "was",
            pronoun="they" if many else "it",
            move=move,
            statuses=statuses,
        )
        messages.warning(request, text)
    for message in refusals:
        messages.warning(request, message)


def _report_missing(request: HttpRequest, selection: Selection, found: int) -> None:
    missing = len(set(selection.ids)) - found
    if selection.across or missing <= 0:
        return
    many = missing > 1
    text = MISSING.format(
        appointments=plural(missing, "selected appointment"),
        verb="exist" if many else "exists",
        pronoun="them" if many else "it",
    )
    messages.warning(request, text)


@action(description="Mark selected appointments completed", permissions=["change"])
def complete_appointments(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> None:
    _close(request, selection, COMPLETED)


@action(description="Cancel selected appointments", permissions=["change"])
def cancel_appointments(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> None:
    _close(request, selection, CANCELLED)


@action(description="Mark selected appointments no-show", permissions=["change"])
def no_show_appointments(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> None:
    _close(request, selection, NO_SHOW)


# The actions that close a visit: offered on an appointment's page only while it is open.
CLOSING_ACTION_NAMES = frozenset(
    function.__name__
    for function in (complete_appointments, cancel_appointments, no_show_appointments)
)


def offered_on(appointment: Appointment) -> bool:
    """Whether the closing actions make sense on this appointment (it is scheduled)."""
    return appointment.status == SCHEDULED
