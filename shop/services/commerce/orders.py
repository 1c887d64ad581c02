"""An order's life: pending → paid → shipped → delivered, and pending or paid → cancelled.

A transition writes the order under its version check (Order.version_id): if someone
changed the order since it was loaded, StaleDataError propagates and nothing is written,
for the caller to show a conflict. Cancelling puts the ordered quantities back in stock.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import Order, OrderItem
from shop.models.commerce import ORDER_STATUSES
from shop.services.audit import record_change
from shop.services.commerce.errors import TransitionRefused
from shop.services.commerce.locks import lock_products, return_stock

PENDING, PAID, SHIPPED, DELIVERED, CANCELLED = ORDER_STATUSES

ALLOWED_TRANSITIONS: Mapping[str, frozenset[str]] = {
    PENDING: frozenset({PAID, CANCELLED}),
    PAID: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED}),
    DELIVERED: frozenset(),
    CANCELLED: frozenset(),
}

UNKNOWN = "“{status}” is not an order status."
FORBIDDEN = "An order that is {old} cannot become {new}."


def allowed_transitions(order: Order) -> frozenset[str]:
    """The statuses `order` may move to from its current one."""
    return ALLOWED_TRANSITIONS.get(order.status, frozenset())


def transition(session: Session, order: Order, new_status: str, *, actor: str) -> Order:
    """Move `order` to `new_status` if allowed, audited; the caller commits.

    Raises TransitionRefused for an unknown or forbidden status (nothing changed), and
    lets StaleDataError through when the order changed since it was loaded.
    """
    old_status = order.status
    if new_status not in ORDER_STATUSES:
        raise TransitionRefused(UNKNOWN.format(status=new_status))
    if new_status not in ALLOWED_TRANSITIONS.get(old_status, frozenset()):
        raise TransitionRefused(FORBIDDEN.format(old=old_status, new=new_status))
    with session.begin_nested():
        order.status = new_status
        session.flush()  # the version check, before anything else is written
        record_change(session, actor, order, [("status", old_status, new_status)])
        if new_status == CANCELLED:
            _restock(session, order, actor)
        session.flush()
    return order


def _restock(session: Session, order: Order, actor: str) -> None:
    statement = (
        select(OrderItem.product_id, func.sum(OrderItem.quantity))
        .where(OrderItem.order_id == order.id)
        .group_by(OrderItem.product_id)
    )
    ordered = {product_id: int(quantity) for product_id, quantity in session.execute(statement)}
    for product in lock_products(session, ordered).values():  # ascending id
        before = product.stock
        return_stock(session, product, ordered[product.id])
        record_change(session, actor, product, [("stock", str(before), str(product.stock))])
