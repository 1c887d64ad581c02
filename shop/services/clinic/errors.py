"""The refusals of the clinic's workflows: small exceptions that carry a message for staff."""

from __future__ import annotations


class ClinicRefused(Exception):
    """A clinic workflow refused; `message` says why, and nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransferRefused(ClinicRefused):
    """A pet could not be moved to another owner."""


class AppointmentRefused(ClinicRefused):
    """An appointment cannot move to the requested status."""
