"""add_to_cart: one line per product, merged by the database, refused when it must be."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.models import Cart, CartItem, Product
from shop.services.commerce import MAX_LINE_QUANTITY, CartRefused, add_to_cart
from tests import factories
from tests.commerce_helpers import (
    ACTOR,
    audit_trail,
    count,
    end_read_on_sqlite,
    named_product,
    run_in_threads,
)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _lines(session: Session, cart: Cart) -> list[tuple[int, int]]:
    statement = select(CartItem.product_id, CartItem.quantity).where(CartItem.cart_id == cart.id)
    return [(product_id, quantity) for product_id, quantity in session.execute(statement)]


def test_adding_a_product_creates_its_line_and_audits_the_addition(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)

    line = add_to_cart(session, cart, product, 3, actor=ACTOR)

    assert (line.cart_id, line.product_id, line.quantity) == (cart.id, product.id, 3)
    assert _lines(session, cart) == [(product.id, 3)]
    [(action, entity, entity_id, fields)] = audit_trail(session)
    assert (action, entity, entity_id) == ("add", "commerce.cartitem", str(line.id))
    assert fields["quantity"] == (None, "3")


def test_adding_the_same_product_again_merges_into_its_line(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    first = add_to_cart(session, cart, product, 2, actor=ACTOR)

    again = add_to_cart(session, cart, product, 5, actor=ACTOR)

    assert again is first  # the identity map's object, refreshed, not a second one
    assert again.quantity == 7
    assert _lines(session, cart) == [(product.id, 7)]
    change = audit_trail(session)[-1]
    assert change[:3] == ("change", "commerce.cartitem", str(first.id))
    assert change[3] == {"quantity": ("2", "7")}


def test_a_line_changed_elsewhere_is_merged_with_its_committed_quantity(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    line = add_to_cart(session, cart, product, 1, actor=ACTOR)
    # Another request raised the quantity behind this session's back.
    session.execute(
        update(CartItem).where(CartItem.id == line.id).values(quantity=10),
        execution_options={"synchronize_session": False},
    )

    merged = add_to_cart(session, cart, product, 2, actor=ACTOR)

    assert merged.quantity == 12
    assert audit_trail(session)[-1][3] == {"quantity": ("10", "12")}


def test_other_products_get_lines_of_their_own(session: Session) -> None:
    cart = factories.cart(session)
    tea, cake = factories.product(session), factories.product(session)

    add_to_cart(session, cart, tea, 1, actor=ACTOR)
    add_to_cart(session, cart, cake, 4, actor=ACTOR)

    assert sorted(_lines(session, cart)) == sorted([(tea.id, 1), (cake.id, 4)])


def test_a_loaded_items_collection_shows_the_new_line(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    assert cart.items == []

    add_to_cart(session, cart, product, 2, actor=ACTOR)

    assert [(item.product_id, item.quantity) for item in cart.items] == [(product.id, 2)]


def test_adding_moves_the_carts_updated_at(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    session.execute(
        update(Cart).where(Cart.id == cart.id).values(updated_at=LONG_AGO),
        execution_options={"synchronize_session": "evaluate"},
    )

    add_to_cart(session, cart, product, 1, actor=ACTOR)

    stored = session.scalar(select(Cart.updated_at).where(Cart.id == cart.id))
    assert stored is not None
    assert stored > LONG_AGO
    assert cart.updated_at == stored


def test_an_inactive_product_is_refused_and_nothing_changes(session: Session) -> None:
    cart = factories.cart(session)
    product = named_product(session, "Old tea", "TEA-OLD", is_active=False)
    session.execute(
        update(Cart).where(Cart.id == cart.id).values(updated_at=LONG_AGO),
        execution_options={"synchronize_session": "evaluate"},
    )

    with pytest.raises(CartRefused) as refused:
        add_to_cart(session, cart, product, 1, actor=ACTOR)

    assert refused.value.message == (
        "“Old tea (TEA-OLD)” is inactive (not for sale), so it cannot be added to a cart."
    )
    assert _lines(session, cart) == []
    assert session.scalar(select(Cart.updated_at).where(Cart.id == cart.id)) == LONG_AGO
    assert audit_trail(session) == []


def test_a_product_deactivated_after_it_was_loaded_is_refused(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    session.execute(
        update(Product).where(Product.id == product.id).values(is_active=False),
        execution_options={"synchronize_session": False},
    )
    assert product.is_active  # the object has not seen the change

    with pytest.raises(CartRefused, match="is inactive"):
        add_to_cart(session, cart, product, 1, actor=ACTOR)

    assert _lines(session, cart) == []


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2", MAX_LINE_QUANTITY + 1])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(
    session: Session, quantity: object
) -> None:
    cart, product = factories.cart(session), factories.product(session)

    with pytest.raises(CartRefused) as refused:
        add_to_cart(session, cart, product, quantity, actor=ACTOR)  # type: ignore[arg-type]

    assert refused.value.message == (
        f"The quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}, not {quantity!r}."
    )
    assert _lines(session, cart) == []


def test_a_line_never_grows_past_the_limit(session: Session) -> None:
    cart = factories.cart(session)
    product = named_product(session, "Rice", "RICE")
    add_to_cart(session, cart, product, MAX_LINE_QUANTITY - 1, actor=ACTOR)

    with pytest.raises(CartRefused) as refused:
        add_to_cart(session, cart, product, 2, actor=ACTOR)

    assert refused.value.message == (
        f"A cart line holds at most {MAX_LINE_QUANTITY}; “Rice (RICE)” would reach "
        f"{MAX_LINE_QUANTITY + 1}."
    )
    assert _lines(session, cart) == [(product.id, MAX_LINE_QUANTITY - 1)]
    assert len(audit_trail(session)) == 1  # the first addition only


def test_a_cart_deleted_meanwhile_is_refused(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    session.execute(delete(Cart).where(Cart.id == cart.id))

    with pytest.raises(CartRefused, match=r"^This cart no longer exists\.$"):
        add_to_cart(session, cart, product, 1, actor=ACTOR)

    assert count(session, CartItem) == 0


@pytest.mark.committed
def test_concurrent_adds_of_one_product_end_as_one_line_with_the_sum() -> None:
    threads = 12
    with shop_db.session_scope() as setup:
        cart_id = factories.cart(setup).id
        product_id = factories.product(setup).id

    def add(index: int, barrier: threading.Barrier) -> int:
        with shop_db.new_session() as session:
            cart, product = session.get_one(Cart, cart_id), session.get_one(Product, product_id)
            end_read_on_sqlite(session)
            barrier.wait()
            add_to_cart(session, cart, product, index + 1, actor=f"clerk{index}")
            session.commit()
            return index + 1

    outcomes = run_in_threads(threads, add)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    expected = sum(range(1, threads + 1))
    with shop_db.new_session() as session:
        cart = session.get_one(Cart, cart_id)
        assert _lines(session, cart) == [(product_id, expected)]
        trail = audit_trail(session)
    # The audit is exact too: one addition, then changes that chain old -> new.
    assert [entry[0] for entry in trail].count("add") == 1
    steps = sorted(
        (int(old or 0), int(new))
        for _a, _e, _i, fields in trail
        for old, new in [fields["quantity"]]
    )
    assert steps[0][0] == 0
    assert steps[-1][1] == expected
    assert all(previous[1] == step[0] for previous, step in pairwise(steps))
