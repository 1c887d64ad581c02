"""Chromium runs actions: ticks rows, the counter, a parameter form, "Select all N",
delete_selected's confirmation, the change page's action box and list_editable."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shop.db import SessionFactory
from shop.models import Order, Product, User
from shop.registrations import site
from tests.browser import PASSWORD, chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _orders(count: int) -> list[int]:
    with SessionFactory() as session, session.begin():
        buyer = User(username="buyer", email="buyer@example.com")
        rows = [Order(user=buyer) for _ in range(count)]
        session.add_all(rows)
        session.add(Product(sku="MUG-1", name="Mug", price=Decimal("7.50"), stock=3))
        session.flush()
        return sorted(order.id for order in rows)


def _statuses() -> dict[int, str]:
    with SessionFactory() as session:
        return dict(session.execute(select(Order.id, Order.status)).all())


def _row(page, order_id: int):
    return page.locator(f'#result_list tbody tr[data-pk="{order_id}"]')


def test_actions_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setattr(site.get_model_admin(Order), "list_per_page", 3)
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    ids = _orders(5)
    orders = f"{live_server.url}/admin/commerce/order/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # Tick two rows: the counter follows; run "Set status" with its form.
        page.goto(f"{orders}?o=0")  # by id: the first page shows the three first orders
        counter = page.locator(".actions .action-counter")
        expect(counter).to_have_text("0 of 3 selected")
        expect(page.locator(".select-across-choice")).to_be_hidden()
        _row(page, ids[0]).locator("input.action-select").check()
        _row(page, ids[1]).locator("input.action-select").check()
        expect(counter).to_have_text("2 of 3 selected")
        expect(_row(page, ids[0])).to_have_class(re.compile("selected"))
        page.locator(".actions select[name=action]").select_option("set_order_status")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Set status of selected orders")
        page.get_by_label("New status").select_option("shipped")
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".messagelist")).to_contain_text("2 orders were set to “shipped”.")
        expect(page).to_have_url(f"{orders}?o=0")
        assert [_statuses()[i] for i in ids] == [
            "shipped",
            "shipped",
            "pending",
            "pending",
            "pending",
        ]

        # Select the page, then "Select all 5 orders" across pages: delete them all.
        page.locator("#action-toggle").check()
        expect(counter).to_have_text("3 of 3 selected")
        page.get_by_role("button", name="Select all 5 orders").click()
        expect(page.locator(".actions .all")).to_have_text("All 5 selected")
        page.locator(".actions select[name=action]").select_option("delete_selected")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_role("main")).to_contain_text("Orders: 5")
        page.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
        expect(page.locator(".messagelist")).to_contain_text("Successfully deleted 5 orders.")
        assert _statuses() == {}


def test_object_actions_and_list_editable_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    [order_id] = _orders(1)

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # The change page's action box runs the same action on this order alone.
        page.goto(f"{live_server.url}/admin/commerce/order/{order_id}/change/")
        box = page.locator("form.object-actions")
        box.locator("select[name=action]").select_option("set_order_status")
        box.get_by_role("button", name="Go").click()
        page.get_by_label("New status").select_option("paid")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(f"{live_server.url}/admin/commerce/order/{order_id}/change/")
        expect(page.locator(".messagelist")).to_contain_text("1 order was set to “paid”.")
        assert _statuses() == {order_id: "paid"}

        # list_editable: change a product's stock in the list, then Save.
        page.goto(f"{live_server.url}/admin/commerce/product/")
        page.locator("input[name=form-0-stock]").fill("12")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messagelist")).to_contain_text("1 product was changed successfully.")
        expect(page.locator("input[name=form-0-stock]")).to_have_value("12")
