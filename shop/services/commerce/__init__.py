"""The shop's workflows: add to cart, check out, move an order along its statuses.

Each takes the caller's Session, writes inside a savepoint with its audit rows, flushes,
and leaves the commit to the caller. A refusal is a CommerceRefused subclass whose
`message` is meant for staff; nothing was changed when one is raised.
"""

from __future__ import annotations

from shop.services.commerce.cart import MAX_LINE_QUANTITY, add_to_cart
from shop.services.commerce.checkouts import checkout
from shop.services.commerce.errors import (
    CartRefused,
    CheckoutRefused,
    CommerceRefused,
    TransitionRefused,
)
from shop.services.commerce.orders import ALLOWED_TRANSITIONS, allowed_transitions, transition

__all__ = [
    "ALLOWED_TRANSITIONS",
    "MAX_LINE_QUANTITY",
    "CartRefused",
    "CheckoutRefused",
    "CommerceRefused",
    "TransitionRefused",
    "add_to_cart",
    "allowed_transitions",
    "checkout",
    "transition",
]
