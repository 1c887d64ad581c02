"""A real Chromium signs in, reads the index, and signs out (Playwright, Debian's chromium)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from shop.db import SessionFactory
from shop.models import Owner, Pet, Product, User, Vet
from tests.browser import PASSWORD, chromium, sign_in

DOMAINS = ("Audit", "Clinic", "Commerce", "School", "Social")

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _insert_domain_rows() -> None:
    # The live server thread uses its own connections: these rows must be committed.
    with SessionFactory() as session, session.begin():
        session.add_all([User(username=f"shopper{i}", email=f"s{i}@example.com") for i in range(3)])
        owner = Owner(name="Ada", email="ada@example.com")
        session.add_all([owner, Pet(owner=owner, name="Rex", species="dog"), Vet(name="Dr Who")])
        session.add(Product(sku="MUG-1", name="Mug", price=Decimal("7.50")))


def _count_cell(page, model_name: str):
    # The domain's models: Django's staff accounts (app "auth") have a "user" too.
    return page.locator(f"section:not(.app-auth) tr.model-{model_name} td.count")


def test_staff_sign_in_index_and_sign_out(
    live_server, django_user_model, chromium_path, monkeypatch, tmp_path
) -> None:
    from playwright.sync_api import expect

    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are
    # ordinary blocking calls made before it starts, so Django's async guard can stand down.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    _insert_domain_rows()

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))

        page.get_by_label("Username").fill("boss")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        expect(page).to_have_url(f"{live_server.url}/admin/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")
        main = page.get_by_role("main")
        for domain in DOMAINS:
            expect(main.get_by_role("link", name=domain, exact=True)).to_be_visible()
        expect(_count_cell(page, "user")).to_have_text("3")
        expect(_count_cell(page, "owner")).to_have_text("1")
        expect(_count_cell(page, "pet")).to_have_text("1")
        expect(_count_cell(page, "vet")).to_have_text("1")
        expect(_count_cell(page, "product")).to_have_text("1")
        expect(_count_cell(page, "order")).to_have_text("0")
        page.screenshot(path=str(tmp_path / "admin-index.png"), full_page=True)

        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Logged out")
        page.get_by_role("link", name="Log in again").click()
        expect(page).to_have_url(re.compile(r"/admin/login/$"))


def _product_row(page, sku: str):
    return page.locator("#result_list tbody tr", has_text=sku)


def test_staff_add_edit_search_filter_and_delete_a_product(
    live_server, django_user_model, chromium_path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    _insert_domain_rows()
    changelist = f"{live_server.url}/admin/commerce/product/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # Add
        page.goto(f"{changelist}add/")
        page.locator("[name=sku]").fill("LAMP-9")
        page.locator("[name=name]").fill("Desk lamp")
        page.locator("[name=price]").fill("19.99")
        page.locator("[name=stock]").fill("4")
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        expect(_product_row(page, "LAMP-9")).to_contain_text("19.99")

        # Edit: the price changes, and the history shows old -> new
        _product_row(page, "LAMP-9").get_by_role("link", name="LAMP-9").click()
        page.locator("[name=price]").fill("24.50")
        page.locator("input[name=_continue]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("You may edit it again below")
        page.get_by_role("link", name="History").first.click()
        expect(page.get_by_role("main")).to_contain_text("19.99")
        expect(page.get_by_role("main")).to_contain_text("24.50")

        # Search, then filter
        page.goto(changelist)
        page.locator("#searchbar").fill("lamp")
        page.locator("#changelist-search button").click()
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        page.goto(changelist)
        page.locator("#changelist-filter").get_by_role("link", name="No").click()
        expect(page.locator("#result_list")).to_have_count(0)
        page.locator("#changelist-filter").get_by_role("link", name="Yes").click()
        expect(_product_row(page, "LAMP-9")).to_have_count(1)

        # Delete, through the confirmation page
        _product_row(page, "LAMP-9").get_by_role("link", name="LAMP-9").click()
        page.get_by_role("link", name="Delete").first.click()
        expect(page.get_by_role("main")).to_contain_text("Are you sure")
        page.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
        expect(page.locator(".messagelist")).to_contain_text("was deleted successfully")
        expect(_product_row(page, "LAMP-9")).to_have_count(0)
