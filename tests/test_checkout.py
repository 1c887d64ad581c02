"""checkout: from cart to order at today's prices, refusals that change nothing, exact totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop.models import AuditRecord, Cart, CartItem, Order, OrderItem, Product
from shop.services.commerce import CheckoutRefused, add_to_cart, checkout
from shop.services.commerce.locks import take_stock
from tests import factories
from tests.commerce_helpers import (
    ACTOR,
    audit_trail,
    count,
    fill_cart,
    named_product,
)


def _stock(session: Session, product: Product) -> int | None:
    return session.scalar(select(Product.stock).where(Product.id == product.id))


def _order_total(session: Session, order_id: int) -> Decimal | None:
    return session.scalar(select(Order.total).where(Order.id == order_id))


def test_checkout_creates_the_order_at_todays_prices(session: Session) -> None:
    cart = factories.cart(session)
    tea = named_product(session, "Tea", "TEA", price="4.50", stock=10)
    cake = named_product(session, "Cake", "CAKE", price="12.00", stock=3)
    fill_cart(session, cart, [(tea, 2), (cake, 3)])

    order = checkout(session, cart, actor=ACTOR)

    assert (order.user_id, order.status) == (cart.user_id, "pending")
    lines = session.execute(
        select(OrderItem.order_id, OrderItem.product_id, OrderItem.quantity)
        .add_columns(OrderItem.price_at_purchase)
        .order_by(OrderItem.product_id)
    ).all()
    assert [tuple(line) for line in lines] == [
        (order.id, tea.id, 2, Decimal("4.50")),
        (order.id, cake.id, 3, Decimal("12.00")),
    ]
    assert _order_total(session, order.id) == Decimal("45.00")


def test_checkout_takes_the_stock_and_empties_the_cart(session: Session) -> None:
    cart = factories.cart(session)
    tea, cake = factories.product(session, stock=10), factories.product(session, stock=3)
    fill_cart(session, cart, [(tea, 2), (cake, 3)])

    checkout(session, cart, actor=ACTOR)

    assert (_stock(session, tea), _stock(session, cake)) == (8, 0)
    assert (tea.stock, cake.stock) == (8, 0)  # the objects in the session agree
    assert count(session, CartItem) == 0
    assert cart.items == []


def test_checkout_moves_the_product_versions_without_leaving_stale_objects(
    session: Session,
) -> None:
    cart, product = factories.cart(session), factories.product(session, stock=5)
    fill_cart(session, cart, [(product, 1)])
    version = product.version_id

    checkout(session, cart, actor=ACTOR)

    stored = session.scalar(select(Product.version_id).where(Product.id == product.id))
    assert stored == product.version_id == version + 1
    product.price = Decimal("1.00")  # a later edit in the same session flushes cleanly
    session.flush()
    assert product.version_id == version + 2


def test_checkout_writes_the_audit_in_the_same_transaction(session: Session) -> None:
    cart = factories.cart(session)
    product = named_product(session, "Tea", "TEA", price="4.50", stock=10)
    fill_cart(session, cart, [(product, 2)])
    line_id = session.scalar(select(CartItem.id))

    order = checkout(session, cart, actor=ACTOR)

    [item_id] = session.scalars(select(OrderItem.id)).all()
    trail = audit_trail(session)
    assert [entry[:3] for entry in trail] == [
        ("add", "commerce.order", str(order.id)),
        ("add", "commerce.orderitem", str(item_id)),
        ("change", "commerce.product", str(product.id)),
        ("delete", "commerce.cartitem", str(line_id)),
    ]
    assert trail[0][3]["status"] == (None, "pending")
    assert trail[1][3]["price_at_purchase"] == (None, "4.50")
    assert trail[2][3] == {"stock": ("10", "8")}
    assert trail[3][3]["quantity"] == ("2", None)
    assert set(session.scalars(select(AuditRecord.actor))) == {ACTOR}


def test_the_audit_entities_are_the_admin_pages_of_the_rows() -> None:
    from shop.registrations import site
    from shop.services.audit import entity_label

    for model in (Order, OrderItem, Product, CartItem, Cart):
        admin = site.get_model_admin(model)
        assert entity_label(model) == f"{admin.app_label}.{admin.model_name}"


def test_checkout_refuses_an_empty_cart(session: Session) -> None:
    cart = factories.cart(session)

    with pytest.raises(CheckoutRefused) as refused:
        checkout(session, cart, actor=ACTOR)

    assert refused.value.message == (
        f"Checkout refused, nothing was changed: Cart #{cart.id} is empty, "
        "there is nothing to check out."
    )
    assert (count(session, Order), count(session, AuditRecord)) == (0, 0)


def test_checkout_refuses_an_inactive_product_and_changes_nothing(session: Session) -> None:
    cart = factories.cart(session)
    tea = named_product(session, "Tea", "TEA", stock=10)
    old = named_product(session, "Old cake", "CAKE-OLD", stock=10, is_active=False)
    fill_cart(session, cart, [(tea, 1), (old, 1)])
    updated_at = session.scalar(select(Cart.updated_at).where(Cart.id == cart.id))

    with pytest.raises(CheckoutRefused) as refused:
        checkout(session, cart, actor=ACTOR)

    assert refused.value.message == (
        "Checkout refused, nothing was changed: “Old cake (CAKE-OLD)” is inactive (not for sale)."
    )
    _assert_nothing_changed(session, cart, {tea.id: 10, old.id: 10}, lines=2)
    assert session.scalar(select(Cart.updated_at).where(Cart.id == cart.id)) == updated_at


def test_checkout_refuses_short_stock_naming_the_product_and_its_stock(session: Session) -> None:
    cart = factories.cart(session)
    tea = named_product(session, "Tea", "TEA", stock=10)
    cake = named_product(session, "Cake", "CAKE", stock=1)
    fill_cart(session, cart, [(tea, 2), (cake, 3)])

    with pytest.raises(CheckoutRefused) as refused:
        checkout(session, cart, actor=ACTOR)

    assert refused.value.message == (
        "Checkout refused, nothing was changed: only 1 of “Cake (CAKE)” in stock, 3 requested."
    )
    _assert_nothing_changed(session, cart, {tea.id: 10, cake.id: 1}, lines=2)


def test_checkout_names_every_product_it_cannot_sell(session: Session) -> None:
    cart = factories.cart(session)
    tea = named_product(session, "Tea", "TEA", stock=0)
    cake = named_product(session, "Cake", "CAKE", stock=5, is_active=False)
    fill_cart(session, cart, [(tea, 1), (cake, 1)])

    with pytest.raises(CheckoutRefused) as refused:
        checkout(session, cart, actor=ACTOR)

    assert refused.value.message == (
        "Checkout refused, nothing was changed: only 0 of “Tea (TEA)” in stock, 1 requested; "
        "“Cake (CAKE)” is inactive (not for sale)."
    )


def test_checkout_sees_stock_taken_after_the_product_was_loaded(session: Session) -> None:
    cart = factories.cart(session)
    product = named_product(session, "Tea", "TEA", stock=5)
    fill_cart(session, cart, [(product, 2)])
    session.execute(  # another checkout sold four meanwhile
        update(Product).where(Product.id == product.id).values(stock=1),
        execution_options={"synchronize_session": False},
    )

    with pytest.raises(CheckoutRefused, match="only 1 of “Tea \\(TEA\\)” in stock, 2 requested"):
        checkout(session, cart, actor=ACTOR)

    assert product.stock == 1


def test_a_refused_checkout_leaves_the_session_usable(session: Session) -> None:
    cart = factories.cart(session)
    product = factories.product(session, stock=0)
    fill_cart(session, cart, [(product, 1)])
    with pytest.raises(CheckoutRefused):
        checkout(session, cart, actor=ACTOR)

    session.execute(
        update(Product).where(Product.id == product.id).values(stock=1),
        execution_options={"synchronize_session": False},
    )
    order = checkout(session, cart, actor=ACTOR)

    assert count(session, Order) == 1
    assert session.get(Order, order.id) is order


def _assert_nothing_changed(
    session: Session, cart: Cart, stock: dict[int, int], *, lines: int
) -> None:
    assert count(session, Order) == count(session, OrderItem) == 0
    assert count(session, AuditRecord) == 0
    stored = dict(session.execute(select(Product.id, Product.stock)).all())
    assert stored == stock
    in_cart = session.scalars(select(CartItem.id).where(CartItem.cart_id == cart.id)).all()
    assert len(in_cart) == lines


@pytest.mark.parametrize(
    ("stock", "active", "taken"), [(2, True, True), (1, True, False), (5, False, False)]
)
def test_the_stock_update_itself_refuses_to_oversell_or_sell_inactive_products(
    session: Session, stock: int, active: bool, taken: bool
) -> None:
    # The database's guard under the row lock: the condition is in the UPDATE.
    product = factories.product(session, stock=stock, is_active=active)
    version = product.version_id

    assert take_stock(session, product, 2) is taken

    expected = (stock - 2, version + 1) if taken else (stock, version)
    stored = session.execute(
        select(Product.stock, Product.version_id).where(Product.id == product.id)
    ).one()
    assert tuple(stored) == expected == (product.stock, product.version_id)


# Price snapshots and money


def test_a_price_change_after_purchase_leaves_the_order_untouched(session: Session) -> None:
    cart = factories.cart(session)
    product = factories.product(session, price="19.99", stock=10)
    fill_cart(session, cart, [(product, 3)])
    order = checkout(session, cart, actor=ACTOR)

    product.price = Decimal("25.00")
    session.flush()

    assert _order_total(session, order.id) == Decimal("59.97")
    price = session.scalar(
        select(OrderItem.price_at_purchase).where(OrderItem.order_id == order.id)
    )
    assert price == Decimal("19.99")


def test_totals_are_exact_to_the_cent(session: Session) -> None:
    # 0.10 and 0.20 have no exact binary float: a float sum would drift off the cent.
    cart = factories.cart(session)
    products = [factories.product(session, price=p, stock=50) for p in ("0.10", "0.20", "19.99")]
    fill_cart(session, cart, [(products[0], 3), (products[1], 3), (products[2], 7)])
    cart_total = session.scalar(select(Cart.total).where(Cart.id == cart.id))

    order = checkout(session, cart, actor=ACTOR)

    total = _order_total(session, order.id)
    assert isinstance(total, Decimal)
    assert total == cart_total == Decimal("140.83")
    session.expire(order)
    loaded = session.scalars(select(Order).where(Order.id == order.id)).one()
    assert loaded.total == Decimal("140.83")
    assert str(total) == "140.83"


def test_a_cart_filled_by_add_to_cart_checks_out(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session, price="2.50", stock=9)
    add_to_cart(session, cart, product, 2, actor=ACTOR)
    add_to_cart(session, cart, product, 3, actor=ACTOR)

    order = checkout(session, cart, actor=ACTOR)

    assert _order_total(session, order.id) == Decimal("12.50")
    assert _stock(session, product) == 4
