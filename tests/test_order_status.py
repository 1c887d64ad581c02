"""transition: an order moves only along its allowed statuses; cancelling restocks."""

from __future__ import annotations

import threading
from itertools import product as pairs

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shop import db as shop_db
from shop.models import AuditRecord, Order, Product
from shop.models.commerce import ORDER_STATUSES
from shop.services.commerce import (
    ALLOWED_TRANSITIONS,
    TransitionRefused,
    allowed_transitions,
    transition,
)
from tests import factories
from tests.commerce_helpers import ACTOR, audit_trail, count, end_read_on_sqlite, run_in_threads

ALLOWED = {
    ("pending", "paid"),
    ("paid", "shipped"),
    ("shipped", "delivered"),
    ("pending", "cancelled"),
    ("paid", "cancelled"),
}
FORBIDDEN = sorted(set(pairs(ORDER_STATUSES, repeat=2)) - ALLOWED)


def _order_in(session: Session, status: str, lines: list[tuple[Product, int]]) -> Order:
    order = factories.order(session, factories.user(session), lines)
    if status != "pending":
        session.execute(
            update(Order).where(Order.id == order.id).values(status=status),
            execution_options={"synchronize_session": "evaluate"},
        )
    return order


def _stock(session: Session, *products: Product) -> list[int]:
    ids = [product.id for product in products]
    stored = dict(
        session.execute(select(Product.id, Product.stock).where(Product.id.in_(ids))).all()
    )
    return [stored[product_id] for product_id in ids]


def test_the_allowed_transitions_are_exactly_the_order_lifecycle() -> None:
    declared = {(old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in targets}
    assert declared == ALLOWED


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_an_allowed_transition_changes_the_status_and_is_audited(
    session: Session, old: str, new: str
) -> None:
    order = _order_in(session, old, [(factories.product(session), 1)])
    version = order.version_id

    transition(session, order, new, actor=ACTOR)

    assert session.scalar(select(Order.status).where(Order.id == order.id)) == new
    assert order.version_id == version + 1
    status_changes = [entry for entry in audit_trail(session) if entry[1] == "commerce.order"]
    assert status_changes == [("change", "commerce.order", str(order.id), {"status": (old, new)})]


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_a_forbidden_transition_is_refused_and_changes_nothing(
    session: Session, old: str, new: str
) -> None:
    product = factories.product(session, stock=5)
    order = _order_in(session, old, [(product, 2)])
    version = order.version_id

    with pytest.raises(TransitionRefused) as refused:
        transition(session, order, new, actor=ACTOR)

    assert refused.value.message == f"An order that is {old} cannot become {new}."
    stored = session.execute(select(Order.status, Order.version_id).where(Order.id == order.id))
    assert tuple(stored.one()) == (old, version)
    assert _stock(session, product) == [5]
    assert count(session, AuditRecord) == 0


def test_a_shipped_order_cannot_be_cancelled(session: Session) -> None:
    order = _order_in(session, "shipped", [(factories.product(session), 1)])

    with pytest.raises(
        TransitionRefused, match=r"^An order that is shipped cannot become cancelled\.$"
    ):
        transition(session, order, "cancelled", actor=ACTOR)


def test_an_unknown_status_is_refused(session: Session) -> None:
    order = _order_in(session, "pending", [(factories.product(session), 1)])

    with pytest.raises(TransitionRefused) as refused:
        transition(session, order, "lost", actor=ACTOR)

    assert refused.value.message == "“lost” is not an order status."
    assert order.status == "pending"


def test_an_order_goes_from_pending_to_delivered(session: Session) -> None:
    order = _order_in(session, "pending", [(factories.product(session), 1)])

    for status in ("paid", "shipped", "delivered"):
        transition(session, order, status, actor=ACTOR)

    assert session.scalar(select(Order.status).where(Order.id == order.id)) == "delivered"
    assert allowed_transitions(order) == frozenset()


@pytest.mark.parametrize("old", ["pending", "paid"])
def test_cancelling_returns_the_items_to_stock(session: Session, old: str) -> None:
    tea = factories.product(session, stock=5)
    cake = factories.product(session, stock=0, is_active=False)  # inactive: restocked too
    order = _order_in(session, old, [(tea, 2), (cake, 3), (tea, 1)])
    versions = (tea.version_id, cake.version_id)

    transition(session, order, "cancelled", actor=ACTOR)

    assert _stock(session, tea, cake) == [8, 3]
    assert (tea.stock, cake.stock) == (8, 3)  # the session's objects agree
    assert (tea.version_id, cake.version_id) == (versions[0] + 1, versions[1] + 1)
    stock_changes = {
        entry[2]: entry[3] for entry in audit_trail(session) if entry[1] == "commerce.product"
    }
    assert stock_changes == {
        str(tea.id): {"stock": ("5", "8")},
        str(cake.id): {"stock": ("0", "3")},
    }


def test_a_cancelled_order_never_restocks_twice(session: Session) -> None:
    product = factories.product(session, stock=5)
    order = _order_in(session, "pending", [(product, 2)])
    transition(session, order, "cancelled", actor=ACTOR)

    with pytest.raises(TransitionRefused, match="An order that is cancelled cannot become"):
        transition(session, order, "cancelled", actor=ACTOR)

    assert _stock(session, product) == [7]


def test_a_stale_order_raises_a_conflict_and_changes_nothing(session: Session) -> None:
    product = factories.product(session, stock=5)
    order = _order_in(session, "pending", [(product, 2)])
    # Someone else paid the order since this session loaded it.
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status="paid", version_id=Order.version_id + 1),
        execution_options={"synchronize_session": False},
    )

    with pytest.raises(StaleDataError):
        transition(session, order, "cancelled", actor=ACTOR)

    # Only the workflow's savepoint was rolled back: the caller's transaction goes on.
    assert _stock(session, product) == [5]
    assert session.scalar(select(Order.status).where(Order.id == order.id)) == "paid"
    assert count(session, AuditRecord) == 0


@pytest.mark.committed
def test_two_clerks_cancelling_at_once_restock_once() -> None:
    threads = 10
    with shop_db.session_scope() as setup:
        product = factories.product(setup, stock=5)
        order = factories.order(setup, factories.user(setup), [(product, 2)])
        order_id, product_id = order.id, product.id

    def cancel(index: int, barrier: threading.Barrier) -> str | BaseException:
        with shop_db.new_session() as session:
            loaded = session.get_one(Order, order_id)
            end_read_on_sqlite(session)
            barrier.wait()
            try:
                transition(session, loaded, "cancelled", actor=f"clerk{index}")
                session.commit()
            except StaleDataError as conflict:
                session.rollback()
                return conflict
            return "cancelled"

    outcomes = run_in_threads(threads, cancel)

    assert outcomes.count("cancelled") == 1
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, StaleDataError)]
    assert len(conflicts) == threads - 1, outcomes
    with shop_db.new_session() as session:
        assert session.scalar(select(Product.stock).where(Product.id == product_id)) == 7
        assert session.scalar(select(Order.status).where(Order.id == order_id)) == "cancelled"
