"""Order status actions: Mark paid, Mark shipped, Mark delivered, Cancel.

An order's status changes only here, through the shop's `transition` workflow, which
knows the allowed moves (pending → paid → shipped → delivered, pending or paid →
cancelled) and puts a cancelled order's items back in stock. Over several orders an
action is all or nothing: one order that may not make the move refuses the whole
action with the workflow's message, so a filtered list is never left half-moved.

On an order's own page only the moves allowed from its status are offered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from shop.admin import ModelAdmin, action
from shop.admin.actions import ActionFailed, Selection
from shop.models import Order
from shop.registrations.workflows import end_read_before_first_write, plural, refused_as_stale
from shop.services.commerce import TransitionRefused, allowed_transitions, transition

ActionFunction = Callable[..., Any]

MOVED = "{orders} marked {status}."
CANCELLED = "{orders} cancelled; their items are back in stock."
ALREADY = "{orders} already {status}: left as they were."


def _move(request: HttpRequest, model_admin: ModelAdmin, selection: Selection, status: str) -> None:
    """Move every selected order to `status`, or none of them."""
    session = selection.session
    actor = str(request.user.get_username())
    moved = already = found = 0
    first_write = True
    for batch in selection.batches():
        found += len(batch)
        for order in batch:
            if order.status == status:  # run twice, or by two people: nothing to do
                already += 1
                continue
            selection.check_seen(order)
            if first_write:
                end_read_before_first_write(session)
                first_write = False
            try:
                with refused_as_stale(order):
                    transition(session, order, status, actor=actor)
            except TransitionRefused as exc:
                several = found > 1 or len(selection.ids) > 1 or selection.across
                prefix = f"{order}: " if several else ""
                raise ActionFailed(f"{prefix}{exc.message} Nothing was changed.") from None
            moved += 1
    selection.check_complete(found)
    _report(request, status, moved, already)


def _report(request: HttpRequest, status: str, moved: int, already: int) -> None:
    if moved:
        template = CANCELLED if status == "cancelled" else MOVED
        messages.success(request, template.format(orders=plural(moved, "order"), status=status))
    if already:
        messages.info(request, ALREADY.format(orders=plural(already, "order"), status=status))


@action(description="Mark selected orders paid", permissions=["change"])
def mark_paid(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    _move(request, model_admin, selection, "paid")


@action(description="Mark selected orders shipped", permissions=["change"])
def mark_shipped(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    _move(request, model_admin, selection, "shipped")


@action(description="Mark selected orders delivered", permissions=["change"])
def mark_delivered(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    _move(request, model_admin, selection, "delivered")


@action(description="Cancel selected orders (items back in stock)", permissions=["change"])
def cancel_orders(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    _move(request, model_admin, selection, "cancelled")


# The status each action moves to, and its label as a button on an order's page.
TRANSITION_ACTIONS: dict[str, tuple[ActionFunction, str]] = {
    "paid": (mark_paid, "Mark paid"),
    "shipped": (mark_shipped, "Mark shipped"),
    "delivered": (mark_delivered, "Mark delivered"),
    "cancelled": (cancel_orders, "Cancel order"),
}


def offered_on(order: Order) -> set[str]:
    """Names of the transition actions that make sense from `order`'s status."""
    return {
        function.__name__
        for status, (function, _label) in TRANSITION_ACTIONS.items()
        if status in allowed_transitions(order)
    }


def transition_buttons(order: Order) -> list[tuple[str, str]]:
    """(action name, button label) for each move allowed from `order`'s status, in order."""
    allowed = allowed_transitions(order)
    return [
        (function.__name__, label)
        for status, (function, label) in TRANSITION_ACTIONS.items()
        if status in allowed
    ]
