"""Chromium fills a customer's cart, checks it out and marks the order paid, from the
cart's and the order's own pages; and sees a checkout refused for want of stock."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.db import SessionFactory
from shop.models import AuditRecord, Cart, CartItem, Order, Product, User
from tests.browser import PASSWORD, chromium, sign_in
from tests.commerce_helpers import audit_trail, count, fill_cart, named_product

pytestmark = [pytest.mark.browser, pytest.mark.committed]

MUG = "Red mug (MUG-RED)"


def _cart_and_products(stock: int, quantity_in_cart: int = 0) -> int:
    """Carol's cart (holding `quantity_in_cart` red mugs), a red and a blue mug; its id."""
    with SessionFactory() as session, session.begin():
        carol = User(username="carol", email="carol@example.com")
        cart = Cart(user=carol)
        session.add(cart)
        session.flush()
        red = named_product(session, "Red mug", "MUG-RED", price="7.50", stock=stock)
        named_product(session, "Blue mug", "MUG-BLU", price="6.00", stock=9)
        if quantity_in_cart:
            fill_cart(session, cart, [(red, quantity_in_cart)])
        return cart.id


def _field(page: Any, label: str) -> Any:
    """A read-only field's box on a change page: its label and its value."""
    return page.locator(".readonly-box").filter(has=page.get_by_text(f"{label}:", exact=True))


def _cell(table: Any, row: Any, header: str) -> Any:
    """The cell of `row` under the column headed `header`."""
    headers = [text.strip() for text in table.get_by_role("columnheader").all_text_contents()]
    return row.get_by_role("cell").nth(headers.index(header))


def _mug(session: Session) -> Product:
    return session.scalars(select(Product).where(Product.sku == "MUG-RED")).one()


def test_fill_a_cart_check_it_out_and_mark_the_order_paid(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    cart_id = _cart_and_products(stock=5)
    cart_page = f"{live_server.url}/admin/commerce/cart/{cart_id}/change/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # "Add product …": search the product by the start of its SKU, choose it, 3 of them.
        page.goto(cart_page)
        page.get_by_role("button", name="Add product …").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add product …")
        chooser = page.get_by_role("combobox", name="Product")
        chooser.fill("mug-r")
        expect(page.get_by_role("option")).to_have_count(1)
        page.get_by_role("option", name=MUG).click()
        expect(chooser).to_have_value(MUG)
        page.get_by_label("Quantity").fill("3")
        page.get_by_role("button", name="Apply").click()

        # Back on the cart: the line at today's price, its total and the cart's.
        expect(page).to_have_url(cart_page)
        expect(page.locator(".messagelist")).to_have_text(
            f"Added 3 × “{MUG}” to Cart #{cart_id}: the line now holds 3."
        )
        table = page.get_by_role("table")
        lines = table.get_by_role("row").filter(has=page.get_by_role("checkbox", name="Delete"))
        expect(lines).to_have_count(1)
        expect(lines.get_by_role("combobox")).to_have_value(MUG)
        expect(lines.get_by_role("spinbutton")).to_have_value("3")
        expect(_cell(table, lines, "Unit price (today)")).to_have_text("7.50")
        expect(_cell(table, lines, "Line total")).to_have_text("22.50")
        expect(_field(page, "Total (today's prices)")).to_contain_text("22.50")
        with SessionFactory() as session:
            [line_id] = session.scalars(select(CartItem.id).where(CartItem.cart_id == cart_id))

        # "Check out" opens the new order: pending, its line at the price paid.
        page.get_by_role("button", name="Check out", exact=True).click()
        expect(page).to_have_url(re.compile(r"/admin/commerce/order/\d+/change/$"))
        order_page = page.url
        order_id = int(order_page.rstrip("/").split("/")[-2])
        expect(page.locator(".messagelist")).to_have_text(
            f"Cart #{cart_id} was checked out as Order #{order_id}."
        )
        expect(_field(page, "Status")).to_contain_text("Pending")
        expect(_field(page, "Total (as paid)")).to_contain_text("22.50")

        # The price paid is a snapshot: a later price change shows beside it, not in it.
        with SessionFactory() as session, session.begin():
            _mug(session).price = Decimal("9.00")
        page.reload()
        table = page.get_by_role("table")
        line = table.get_by_role("row").filter(has=page.get_by_role("link", name=MUG))
        expect(line).to_have_count(1)
        expect(_cell(table, line, "Quantity")).to_have_text("3")
        expect(_cell(table, line, "Price at purchase")).to_have_text("7.50")
        expect(_cell(table, line, "Price today")).to_have_text("9.00 changed")
        expect(_cell(table, line, "Line total (paid)")).to_have_text("22.50")
        expect(_field(page, "Total (as paid)")).to_contain_text("22.50")

        # "Mark paid": only the moves allowed from "paid" are offered afterwards.
        moves = page.get_by_role("group", name="Order status")
        expect(moves.get_by_role("button")).to_have_text(["Mark paid", "Cancel order"])
        moves.get_by_role("button", name="Mark paid").click()
        expect(page).to_have_url(order_page)
        expect(page.locator(".messagelist")).to_have_text("1 order marked paid.")
        expect(_field(page, "Status")).to_contain_text("Paid")
        expect(moves.get_by_role("button", name="Mark paid")).to_have_count(0)
        expect(moves.get_by_role("button", name="Mark shipped")).to_be_visible()

    with SessionFactory() as session:
        orders = session.scalars(select(Order)).all()
        assert [(order.id, order.status) for order in orders] == [(order_id, "paid")]
        assert [(item.quantity, item.price_at_purchase) for item in orders[0].items] == [
            (3, Decimal("7.50"))
        ]
        mug = _mug(session)
        assert mug.stock == 2
        assert count(session, CartItem) == 0
        # Who did what, in order: the line added, the checkout, the payment.
        trail = audit_trail(session)
        assert [(action, entity, key) for action, entity, key, _ in trail] == [
            ("add", "commerce.cartitem", str(line_id)),
            ("add", "commerce.order", str(order_id)),
            ("add", "commerce.orderitem", str(orders[0].items[0].id)),
            ("change", "commerce.product", str(mug.id)),
            ("delete", "commerce.cartitem", str(line_id)),
            ("change", "commerce.order", str(order_id)),
        ]
        assert trail[3][3] == {"stock": ("5", "2")}
        assert trail[5][3] == {"status": ("pending", "paid")}
        assert {record.actor for record in session.scalars(select(AuditRecord))} == {"boss"}


def test_a_checkout_short_of_stock_is_refused_and_changes_nothing(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    cart_id = _cart_and_products(stock=2, quantity_in_cart=3)
    cart_page = f"{live_server.url}/admin/commerce/cart/{cart_id}/change/"
    with SessionFactory() as session:
        touched = session.get(Cart, cart_id).updated_at  # type: ignore[union-attr]

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        page.goto(cart_page)
        page.get_by_role("button", name="Check out", exact=True).click()
        expect(page).to_have_url(cart_page)
        expect(page.locator(".messagelist")).to_have_text(
            f"Checkout refused, nothing was changed: only 2 of “{MUG}” in stock, 3 requested."
        )
        table = page.get_by_role("table")
        lines = table.get_by_role("row").filter(has=page.get_by_role("checkbox", name="Delete"))
        expect(lines).to_have_count(1)
        expect(lines.get_by_role("spinbutton")).to_have_value("3")
        expect(_field(page, "Total (today's prices)")).to_contain_text("22.50")

    with SessionFactory() as session:
        assert count(session, Order) == 0
        assert _mug(session).stock == 2
        cart = session.get(Cart, cart_id)
        assert cart is not None
        assert [(line.product.sku, line.quantity) for line in cart.items] == [("MUG-RED", 3)]
        assert cart.updated_at == touched
        assert audit_trail(session) == []


def test_checking_out_over_unsaved_line_edits_asks_first(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    cart_id = _cart_and_products(stock=9, quantity_in_cart=3)
    cart_page = f"{live_server.url}/admin/commerce/cart/{cart_id}/change/"
    asked: list[str] = []

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)
        page.goto(cart_page)
        table = page.get_by_role("table")
        lines = table.get_by_role("row").filter(has=page.get_by_role("checkbox", name="Delete"))
        lines.get_by_role("spinbutton").fill("5")  # typed, not saved

        # Dismissed: the page stays as it is, with the edit, and nothing is checked out.
        def dismiss(dialog: Any) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.get_by_role("button", name="Check out", exact=True).click()
        expect(lines.get_by_role("spinbutton")).to_have_value("5")
        expect(page).to_have_url(cart_page)
        with SessionFactory() as session:
            assert count(session, Order) == 0

        # Accepted: the checkout runs on the saved cart (3 mugs), the edit is dropped.
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Check out", exact=True).click()
        expect(page).to_have_url(re.compile(r"/admin/commerce/order/\d+/change/$"))

    assert asked == [
        "You have unsaved changes on this page. "
        "If you run an action, your unsaved changes will be lost."
    ]
    with SessionFactory() as session:
        [order] = session.scalars(select(Order)).all()
        assert [item.quantity for item in order.items] == [3]
