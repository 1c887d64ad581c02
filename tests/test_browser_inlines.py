"""A real Chromium edits a cart's items inline, and two browsers collide on one product."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from shop.db import SessionFactory
from shop.models import Cart, CartItem, Product, User
from tests.browser import PASSWORD, chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _cart_with_a_mug() -> tuple[int, dict[str, int]]:
    """A cart holding one mug; a lamp and a kettle exist too. Committed: the live server
    thread reads through its own connections."""
    with SessionFactory() as session, session.begin():
        products = [
            Product(sku="MUG-1", name="Mug", price=Decimal("7.50"), stock=10),
            Product(sku="LAMP-1", name="Lamp", price=Decimal("19.00"), stock=3),
            Product(sku="KETTLE-1", name="Kettle", price=Decimal("25.00"), stock=2),
        ]
        cart = Cart(user=User(username="shopper", email="shopper@example.com"))
        session.add_all([*products, cart, CartItem(cart=cart, product=products[0], quantity=1)])
        session.flush()
        return cart.id, {p.sku: p.id for p in products}


def _cart_quantities(cart_id: int) -> dict[str, int]:
    with SessionFactory() as session:
        rows = session.execute(
            select(Product.sku, CartItem.quantity)
            .join(CartItem.product)
            .where(CartItem.cart_id == cart_id)
        )
        return {row.sku: row.quantity for row in rows}


def _choose_product(page: Any, row: Any, text: str, option: str) -> None:
    row.get_by_role("combobox").fill(text)
    page.get_by_role("option", name=re.compile(option)).click()


def test_staff_edit_a_carts_items_inline(
    live_server: Any, django_user_model: Any, chromium_path: Any, monkeypatch: Any
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    cart_id, _ids = _cart_with_a_mug()
    url = f"{live_server.url}/admin/commerce/cart/{cart_id}/change/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)
        page.goto(url)
        page.locator("[name=items-0-quantity]").fill("3")
        add = page.get_by_role("button", name="Add another cart item")
        add.click()  # row 2 (row 1 is the server's blank `extra` row)
        add.click()  # row 3
        expect(page.locator("[name=items-TOTAL_FORMS]")).to_have_value("4")
        page.locator("#items-2").get_by_role("button", name=re.compile("Remove")).click()
        # The row added after it took its index: indexes stay 0..n-1.
        expect(page.locator("#items-3")).to_have_count(0)
        new_row = page.locator("#items-2")
        _choose_product(page, new_row, "Lamp", "LAMP-1")
        new_row.locator("[name=items-2-quantity]").fill("2")
        expect(page.locator("[name=items-TOTAL_FORMS]")).to_have_value("3")
        page.locator("input[name=_continue]").first.click()

        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        assert _cart_quantities(cart_id) == {"MUG-1": 3, "LAMP-1": 2}
        expect(page.locator("[name=items-1-quantity]")).to_have_value("2")


def test_the_extra_rows_work_without_javascript(
    live_server: Any, django_user_model: Any, chromium_path: Any, monkeypatch: Any
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    cart_id, ids = _cart_with_a_mug()
    url = f"{live_server.url}/admin/commerce/cart/{cart_id}/change/"

    with chromium(chromium_path) as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        sign_in(page, live_server.url)
        page.goto(url)
        expect(page.get_by_role("button", name="Add another cart item")).to_be_hidden()
        page.locator("[name=items-1-product]").fill(str(ids["KETTLE-1"]))  # the raw id
        page.locator("[name=items-0-DELETE]").check()
        page.locator("input[name=_continue]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        assert _cart_quantities(cart_id) == {"KETTLE-1": 1}


def test_two_browsers_collide_on_one_product(
    live_server: Any, django_user_model: Any, chromium_path: Any, monkeypatch: Any
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    _cart_id, ids = _cart_with_a_mug()
    url = f"{live_server.url}/admin/commerce/product/{ids['LAMP-1']}/change/"

    with chromium(chromium_path) as browser:
        alice, bob = browser.new_context().new_page(), browser.new_context().new_page()
        for page in (alice, bob):
            sign_in(page, live_server.url)
            page.goto(url)  # both open the same version
        alice.locator("[name=name]").fill("Desk lamp")
        alice.locator("input[name=_continue]").first.click()
        expect(alice.locator(".messagelist")).to_contain_text("was changed successfully")

        bob.locator("[name=price]").fill("21.00")
        bob.locator("input[name=_continue]").first.click()
        expect(bob.locator(".errornote")).to_be_visible()
        expect(bob.get_by_role("main")).to_contain_text("changed by someone else")
        expect(bob.locator(".field-name")).to_contain_text("Current value: Desk lamp")
        expect(bob.locator("[name=price]")).to_have_value("21.00")  # his input, kept
        with SessionFactory() as session:
            lamp = session.get(Product, ids["LAMP-1"])
            assert (lamp.name, lamp.price) == ("Desk lamp", Decimal("19.00"))  # type: ignore[union-attr]

        bob.locator("[name=name]").fill("Desk lamp")  # he takes her name, keeps his price
        bob.locator("input[name=_continue]").first.click()
        expect(bob.locator(".messagelist")).to_contain_text("was changed successfully")
        with SessionFactory() as session:
            lamp = session.get(Product, ids["LAMP-1"])
            assert (lamp.name, lamp.price) == ("Desk lamp", Decimal("21.00"))  # type: ignore[union-attr]
