"""The clinic's workflows: move a pet to another owner, close an appointment, a vet's week.

Each write takes the caller's Session, works inside a savepoint with its audit rows,
flushes, and leaves the commit to the caller. A refusal is a ClinicRefused subclass whose
`message` is meant for staff; nothing was changed when one is raised.
"""

from __future__ import annotations

from shop.services.clinic.appointments import (
    CLOSING_MOVES,
    booked_slot,
    close_appointment,
    double_booked,
    time_problem,
    when_text,
)
from shop.services.clinic.errors import AppointmentRefused, ClinicRefused, TransferRefused
from shop.services.clinic.schedule import ScheduleDay, Week, load_week, parse_week, week_of
from shop.services.clinic.transfers import transfer_pet

__all__ = [
    "CLOSING_MOVES",
    "AppointmentRefused",
    "ClinicRefused",
    "ScheduleDay",
    "TransferRefused",
    "Week",
    "booked_slot",
    "close_appointment",
    "double_booked",
    "load_week",
    "parse_week",
    "time_problem",
    "transfer_pet",
    "week_of",
    "when_text",
]
