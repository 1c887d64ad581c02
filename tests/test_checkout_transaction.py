"""checkout as one transaction: a failure halfway leaves nothing, and racing checkouts
never oversell (threads with their own sessions; these tests commit for real)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from shop import db as shop_db
from shop.models import AuditRecord, Cart, CartItem, Order, OrderItem, Product
from shop.services.commerce import CheckoutRefused, checkout
from shop.services.commerce import checkouts as checkout_module
from tests import factories
from tests.commerce_helpers import (
    ACTOR,
    count,
    end_read_on_sqlite,
    fill_cart,
    named_product,
    run_in_threads,
)


class InjectedFault(Exception):
    """A failure in the middle of a checkout, after the order was flushed."""


# One transaction: a failure halfway leaves nothing


def _fail_after(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make checkout's step `name` run, then fail (the order is flushed by then)."""
    real = getattr(checkout_module, name)

    def run_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise InjectedFault(name)

    monkeypatch.setattr(checkout_module, name, run_then_fail)


@pytest.mark.committed
@pytest.mark.parametrize("step", ["_place_order", "take_stock", "_audit", "_empty"])
@pytest.mark.parametrize("caller_then", ["rollback", "commit"])
def test_a_checkout_that_fails_halfway_leaves_no_trace(
    monkeypatch: pytest.MonkeyPatch, step: str, caller_then: str
) -> None:
    with shop_db.session_scope() as setup:
        cart = factories.cart(setup)
        product = factories.product(setup, stock=5)
        fill_cart(setup, cart, [(product, 2)])
        cart_id, product_id = cart.id, product.id
    _fail_after(monkeypatch, step)

    with shop_db.new_session() as session:
        with pytest.raises(InjectedFault):
            checkout(session, session.get_one(Cart, cart_id), actor=ACTOR)
        # The savepoint is gone either way: even a caller that commits saves nothing.
        getattr(session, caller_then)()

    with shop_db.new_session() as session:
        assert (count(session, Order), count(session, OrderItem)) == (0, 0)
        assert count(session, AuditRecord) == 0
        assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 5
        assert session.scalar(select(CartItem.quantity).where(CartItem.cart_id == cart_id)) == 2


# Concurrency


def _checkout_in_thread(cart_ids: list[int]) -> Any:
    def attempt(index: int, barrier: threading.Barrier) -> int | CheckoutRefused:
        with shop_db.new_session() as session:
            cart = session.get_one(Cart, cart_ids[index])
            end_read_on_sqlite(session)
            barrier.wait()
            try:
                order = checkout(session, cart, actor=f"clerk{index}")
            except CheckoutRefused as refused:
                session.rollback()
                return refused
            session.commit()
            return order.id

    return attempt


@pytest.mark.committed
@pytest.mark.parametrize("in_stock", [1, 4])
def test_concurrent_checkouts_never_oversell(in_stock: int) -> None:
    threads = 12
    with shop_db.session_scope() as setup:
        lamp = named_product(setup, "Last lamp", "LAMP", stock=in_stock)
        bulb = named_product(setup, "Last bulb", "BULB", stock=in_stock)
        carts = [factories.cart(setup) for _ in range(threads)]
        for index, cart in enumerate(carts):
            # Lines in both orders: the locks are still taken by product id, no deadlock.
            lines = [(lamp, 1), (bulb, 1)]
            fill_cart(setup, cart, lines if index % 2 else lines[::-1])
        cart_ids, product_ids = [cart.id for cart in carts], [lamp.id, bulb.id]

    outcomes = run_in_threads(threads, _checkout_in_thread(cart_ids))

    orders = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, CheckoutRefused)]
    assert len(orders) == in_stock
    assert len(refusals) == threads - in_stock, outcomes  # no other exception
    for refused in refusals:
        assert "only 0 of “Last lamp (LAMP)” in stock, 1 requested" in refused.message
    with shop_db.new_session() as session:
        stock = session.scalars(select(Product.stock).where(Product.id.in_(product_ids))).all()
        assert stock == [0, 0]
        assert count(session, Order) == in_stock
        assert count(session, OrderItem) == 2 * in_stock
        assert count(session, CartItem) == 2 * (threads - in_stock)  # losers keep their carts


@pytest.mark.committed
def test_concurrent_checkouts_of_one_cart_make_one_order() -> None:
    threads = 10
    with shop_db.session_scope() as setup:
        cart = factories.cart(setup)
        product = factories.product(setup, stock=100)
        fill_cart(setup, cart, [(product, 2)])
        cart_id, product_id = cart.id, product.id

    outcomes = run_in_threads(threads, _checkout_in_thread([cart_id] * threads))

    assert len([outcome for outcome in outcomes if isinstance(outcome, int)]) == 1
    refusals = [outcome for outcome in outcomes if isinstance(outcome, CheckoutRefused)]
    assert len(refusals) == threads - 1, outcomes
    assert all("is empty" in refused.message for refused in refusals)
    with shop_db.new_session() as session:
        assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 98
