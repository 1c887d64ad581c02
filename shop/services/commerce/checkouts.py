"""Checkout: a cart becomes an order whose lines keep the price paid, in one transaction.

The seeds' flush() pattern: the order is flushed for its id, then its lines are written
with that id. Stock is taken with a conditional UPDATE under row locks, the cart is
emptied and everything is audited, all inside a savepoint: a refusal or any failure
leaves the database as it was, and the caller commits only a complete checkout.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.services.audit import record_addition, record_change, record_deletion
from shop.services.commerce.errors import CheckoutRefused
from shop.services.commerce.locks import lock_products, take_stock, touch_cart

REFUSED = "Checkout refused, nothing was changed: {reasons}."
EMPTY = "{cart} is empty, there is nothing to check out"
NO_CART = "this cart no longer exists"
INACTIVE = "“{product}” is inactive (not for sale)"
SHORT = "only {available} of “{product}” in stock, {wanted} requested"


def checkout(session: Session, cart: Cart, *, actor: str) -> Order:
    """Turn `cart` into a pending order at today's prices; the caller commits.

    Raises CheckoutRefused (nothing changed) when the cart is empty or a product is
    inactive or short of stock; the message names each product and its stock.
    """
    with session.begin_nested():
        if not touch_cart(session, cart):  # locks the cart: one checkout at a time
            raise CheckoutRefused(REFUSED.format(reasons=NO_CART))
        lines = _locked_lines(session, cart)
        wanted = Counter[int]()
        for line in lines:
            wanted[line.product_id] += line.quantity
        products = lock_products(session, wanted)
        _refuse_unavailable(wanted, products)
        order, items = _place_order(session, cart, wanted, products)
        stock_before = _take_stock(session, wanted, products)
        _audit(session, actor, [order, *items], stock_before)
        _empty(session, actor, lines)
    session.expire(cart, ["items"])
    return order


def _locked_lines(session: Session, cart: Cart) -> list[CartItem]:
    # A locking read: on MariaDB (REPEATABLE READ) it sees the lines committed by now,
    # not those of a snapshot taken before the cart lock was granted.
    statement = (
        select(CartItem)
        .where(CartItem.cart_id == cart.id)
        .order_by(CartItem.product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    lines = list(session.scalars(statement))
    if not lines:
        raise CheckoutRefused(REFUSED.format(reasons=EMPTY.format(cart=cart)))
    return lines


def _refuse_unavailable(wanted: Counter[int], products: dict[int, Product]) -> None:
    reasons = [_unavailable(products[product_id], wanted[product_id]) for product_id in wanted]
    found = [reason for reason in reasons if reason]
    if found:
        raise CheckoutRefused(REFUSED.format(reasons="; ".join(found)))


def _unavailable(product: Product, wanted: int) -> str | None:
    if not product.is_active:
        return INACTIVE.format(product=product)
    if product.stock < wanted:
        return SHORT.format(available=product.stock, product=product, wanted=wanted)
    return None


def _place_order(
    session: Session, cart: Cart, wanted: Counter[int], products: dict[int, Product]
) -> tuple[Order, list[OrderItem]]:
    order = Order(user_id=cart.user_id, status="pending")
    session.add(order)
    session.flush()  # the order's id, which its lines need
    items = [
        OrderItem(
            order_id=order.id,
            product_id=product_id,
            quantity=quantity,
            price_at_purchase=products[product_id].price,  # the snapshot
        )
        for product_id, quantity in sorted(wanted.items())
    ]
    session.add_all(items)
    session.flush()
    return order, items


def _take_stock(
    session: Session, wanted: Counter[int], products: dict[int, Product]
) -> list[tuple[Product, int]]:
    """Take each product's quantity, by ascending id; each product with its stock before."""
    taken = []
    for product_id in sorted(wanted):
        product = products[product_id]
        before = product.stock
        # Under the row lock this always succeeds; the condition is the database's guard.
        if not take_stock(session, product, wanted[product_id]):
            current = lock_products(session, [product_id])[product_id]  # a current read
            reason = _unavailable(current, wanted[product_id]) or f"“{product}” changed"
            raise CheckoutRefused(REFUSED.format(reasons=reason))
        taken.append((product, before))
    return taken


def _audit(
    session: Session,
    actor: str,
    added: list[Order | OrderItem],
    stock_before: list[tuple[Product, int]],
) -> None:
    for row in added:
        record_addition(session, actor, row)
    for product, before in stock_before:
        record_change(session, actor, product, [("stock", str(before), str(product.stock))])


def _empty(session: Session, actor: str, lines: list[CartItem]) -> None:
    for line in lines:
        record_deletion(session, actor, line)
        session.delete(line)
    session.flush()
