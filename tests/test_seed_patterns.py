"""The seeds' patterns, done right: flush for ids, savepoints, price snapshots, exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.models import Cart, Order, OrderItem, Product, Profile, SnapshotImmutableError, User
from shop.services.accounts import ProfileData, user_register
from tests import factories


def test_registering_a_user_and_cart_uses_flush_to_get_the_id(session: Session, queries) -> None:
    with queries:
        registration = user_register(session, username="alice", email="alice@example.com")
    # Both rows exist inside the still-open transaction, linked by the flushed id.
    assert registration.user.id is not None
    assert registration.cart.user_id == registration.user.id
    assert session.in_transaction()
    assert sum(s.lstrip().upper().startswith("INSERT") for s in queries.writes) == 2
    session.rollback()
    assert session.scalar(select(func.count()).where(User.username == "alice")) == 0


def test_a_failing_profile_inside_a_savepoint_keeps_the_user_and_cart(session: Session) -> None:
    registration = user_register(
        session,
        username="bob",
        email="bob@example.com",
        profile=ProfileData(display_name="Bob", website="javascript:alert(1)"),
    )
    session.commit()
    assert registration.profile is None
    assert registration.profile_error is not None
    assert "http" in registration.profile_error
    user = session.scalars(select(User).where(User.username == "bob")).one()
    assert session.scalars(select(Cart).where(Cart.user_id == user.id)).one()
    assert session.scalar(select(func.count()).select_from(Profile)) == 0


def test_a_savepoint_rolls_back_a_database_refusal_and_nothing_else(session: Session) -> None:
    user = factories.user(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Profile(user_id=user.id, display_name="first"))
        session.add(Profile(user_id=user.id, display_name="duplicate"))
    session.commit()
    assert session.get(User, user.id) is not None
    assert session.scalar(select(func.count()).select_from(Profile)) == 0


def test_a_valid_profile_is_created_with_the_user(session: Session) -> None:
    registration = user_register(
        session,
        username="carol",
        email="carol@example.com",
        profile=ProfileData(display_name="Carol", website="HTTPS://carol.example"),
    )
    session.commit()
    assert registration.profile_error is None
    assert registration.profile is not None
    assert registration.profile.website == "https://carol.example"


def test_changing_a_price_leaves_price_at_purchase_untouched(session: Session) -> None:
    laptop = factories.product(session, price="999.00")
    order = factories.order(session, factories.user(session), [(laptop, 2)])
    session.commit()

    laptop.price = Decimal("1299.00")
    session.commit()
    session.expire_all()

    item = session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)).one()
    assert item.price_at_purchase == Decimal("999.00")
    assert item.product.price == Decimal("1299.00")
    assert session.scalar(select(Order.total).where(Order.id == order.id)) == Decimal("1998.00")


def test_a_snapshot_price_cannot_be_rewritten(session: Session) -> None:
    order = factories.order(session, factories.user(session), [(factories.product(session), 1)])
    session.commit()
    with pytest.raises(SnapshotImmutableError):
        order.items[0].price_at_purchase = Decimal("0.01")


def test_money_sums_are_exact_to_the_cent(session: Session) -> None:
    dime, twenty = (
        factories.product(session, price="0.10"),
        factories.product(session, price="0.20"),
    )
    order = factories.order(session, factories.user(session), [(dime, 1), (twenty, 1)])
    session.commit()

    total = session.scalar(select(Order.total).where(Order.id == order.id))
    assert total == Decimal("0.30")
    assert isinstance(total, Decimal)
    summed = session.scalar(
        select(func.sum(Product.price)).where(Product.id.in_([dime.id, twenty.id]))
    )
    assert summed == Decimal("0.30")
    assert order.total == Decimal("0.30")


def test_large_money_sums_stay_exact(session: Session) -> None:
    buyer = factories.user(session)
    lines = [(factories.product(session, price="0.01"), 1) for _ in range(10)]
    lines.append((factories.product(session, price="9999999.99"), 100))
    order = factories.order(session, buyer, lines)
    session.commit()
    assert session.scalar(select(Order.total).where(Order.id == order.id)) == Decimal(
        "999999999.10"
    )


def test_money_refuses_floats_and_fractions_of_a_cent(session: Session) -> None:
    with pytest.raises(Exception, match="Decimal"):
        factories.product(session, price=0.1)  # type: ignore[arg-type]
    session.rollback()
    with pytest.raises(Exception, match="cent"):
        factories.product(session, price="0.001")
    session.rollback()


def test_cart_total_is_computed_in_sql(session: Session) -> None:
    cart = factories.cart(session)
    from shop.models import CartItem

    for price, quantity in (("1.10", 3), ("2.20", 1)):
        session.add(
            CartItem(
                cart_id=cart.id,
                product_id=factories.product(session, price=price).id,
                quantity=quantity,
            )
        )
    session.commit()
    assert session.scalar(select(Cart.total).where(Cart.id == cart.id)) == Decimal("5.50")


def test_timestamps_are_timezone_aware_utc(session: Session) -> None:
    user = factories.user(session)
    session.commit()
    session.expire_all()
    created = session.get(User, user.id).created_at
    assert created.tzinfo is not None
    assert created.utcoffset().total_seconds() == 0
