"""The refusals of the shop's workflows: small exceptions that carry a message for staff."""

from __future__ import annotations


class CommerceRefused(Exception):
    """A workflow refused; `message` says why, and nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CartRefused(CommerceRefused):
    """A product could not be added to a cart."""


class CheckoutRefused(CommerceRefused):
    """A cart could not be checked out."""


class TransitionRefused(CommerceRefused):
    """An order cannot move to the requested status."""
