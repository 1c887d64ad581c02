"""Export of a changelist to CSV and JSON Lines: the same rows as the list (every page),
permissions, bad parameters, formula injection, a constant query count, and 100,000 rows
streamed at bounded memory through a server-side cursor."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import format_html
from sqlalchemy import Connection, Engine, event, func, insert, select
from sqlalchemy.orm import Session

from shop.admin.changelist.config import DisplayField
from shop.admin.export import formats
from shop.db import SessionFactory
from shop.models import Product
from shop.registrations import site
from tests import factories
from tests.browser import PASSWORD, chromium, sign_in
from tests.change_form_helpers import grant

PRODUCTS = "/admin/commerce/product/"
ORDERS = "/admin/commerce/order/"
ORDER_ITEMS = "/admin/commerce/orderitem/"
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


def export(client: Any, changelist: str, params: dict[str, Any]) -> str:
    response = client.get(f"{changelist}export/", params)
    assert response.status_code == 200, response.status_code
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def json_rows(text: str) -> list[dict[str, Any]]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def column(response: Any, field: str) -> list[str]:
    """One changelist column's text, in row order."""
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(rf'<t[hd][^>]* class="field-{field}[" ][^>]*>(.*?)</t[hd]>', html)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def every_page(client: Any, changelist: str, params: dict[str, Any], field: str) -> list[str]:
    """A column over all pages of the changelist, as a user paging through it sees it."""
    values: list[str] = []
    page = 1
    while True:
        shown = column(client.get(changelist, {**params, "p": page}), field)
        values += shown
        if len(shown) < site.get_model_admin(Product).list_per_page:
            return values
        page += 1


@pytest.fixture
def mugs(session: Session) -> list[Product]:
    names = ["Red mug", "Blue mug", "Green mug", "Tall mug", "Mug rack", "Plate", "Old mug"]
    rows = [factories.product(session, price=f"{n}.25", stock=n) for n in range(len(names))]
    for row, name in zip(rows, names, strict=True):
        row.name = name
    rows[-1].is_active = False
    session.flush()
    return rows


# Content


def test_csv_holds_every_page_of_the_filtered_searched_sorted_list(
    admin_client, mugs, monkeypatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "list_per_page", 2)
    params = {"q": "mug", "is_active__exact": "1", "o": "-1"}  # name, descending
    shown = every_page(admin_client, PRODUCTS, params, "sku")
    rows = csv_rows(export(admin_client, PRODUCTS, {**params, "format": "csv"}))
    assert rows[0] == ["Sku", "Name", "Price", "Stock", "Is active"]
    assert [row[0] for row in rows[1:]] == shown
    assert [row[1] for row in rows[1:]] == [
        "Tall mug",
        "Red mug",
        "Mug rack",
        "Green mug",
        "Blue mug",
    ]
    tall = mugs[3]
    assert rows[1] == [tall.sku, "Tall mug", "3.25", "3", "true"]


def test_page_and_show_all_do_not_limit_the_export(admin_client, mugs, monkeypatch) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "list_per_page", 2)
    rows = csv_rows(export(admin_client, PRODUCTS, {"format": "csv", "p": "2", "all": ""}))
    assert sorted(row[0] for row in rows[1:]) == sorted(product.sku for product in mugs)


def test_jsonl_matches_the_list_with_json_types(admin_client, session) -> None:
    buyer = factories.user(session, username="ada")
    other = factories.user(session, username="bob")
    mug, plate = factories.product(session, price="7.50"), factories.product(session, price="2.05")
    first = factories.order(session, buyer, [(mug, 2), (plate, 1)])
    second = factories.order(session, other, [(plate, 3)])
    third = factories.order(session, buyer, [(mug, 3)])  # fewer lines, a larger total
    first.created_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    third.status = "paid"
    session.flush()
    params = {"o": "-4", "user__username": "ada"}  # total, descending; only ada's orders
    shown = column(admin_client.get(ORDERS, params), "id")
    rows = json_rows(export(admin_client, ORDERS, {**params, "format": "jsonl"}))
    assert [str(row["id"]) for row in rows] == shown == [str(third.id), str(first.id)]
    assert rows[1] == {
        "id": first.id,
        "user__username": "ada",
        "status": "pending",
        "item_count": 2,  # a number, as counted by the database
        "total": "17.05",  # a string: exact, never a float
        "created_at": "2026-01-02T03:04:05+00:00",
    }
    # The keys in the list's column order.
    assert list(rows[1]) == ["id", "user__username", "status", "item_count", "total", "created_at"]
    assert rows[0]["status"] == "paid"  # the stored value, not the label "Paid"
    assert (rows[0]["item_count"], rows[0]["total"]) == (1, "22.50")
    assert second.id not in [row["id"] for row in rows]


def test_empty_values_and_dates(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=2)
    dated, undated = owner.pets
    dated.birth_date = date(2020, 2, 29)
    session.flush()
    rows = csv_rows(export(admin_client, "/admin/clinic/pet/", {"format": "csv"}))
    assert rows[0] == ["Name", "Species", "Owner name", "Birth date"]
    birth_dates = {row[0]: row[3] for row in rows[1:]}
    assert birth_dates == {dated.name: "2020-02-29", undated.name: ""}
    lines = json_rows(export(admin_client, "/admin/clinic/pet/", {"format": "jsonl"}))
    birth_dates = {row["name"]: row["birth_date"] for row in lines}
    assert birth_dates == {dated.name: "2020-02-29", undated.name: None}


def test_booleans(admin_client, session) -> None:
    active, inactive = factories.product(session), factories.product(session, is_active=False)
    params = {"format": "jsonl", "o": "0"}
    lines = json_rows(export(admin_client, PRODUCTS, params))
    assert [(row["sku"], row["is_active"]) for row in lines] == [
        (active.sku, True),
        (inactive.sku, False),
    ]
    rows = csv_rows(export(admin_client, PRODUCTS, {**params, "format": "csv"}))
    assert [row[4] for row in rows[1:]] == ["true", "false"]


def test_an_empty_list_is_a_header_only(admin_client) -> None:
    assert csv_rows(export(admin_client, PRODUCTS, {"format": "csv"})) == [
        ["Sku", "Name", "Price", "Stock", "Is active"]
    ]
    assert export(admin_client, PRODUCTS, {"format": "jsonl"}) == ""


def test_get_query_row_scoping_applies(admin_client, mugs, monkeypatch) -> None:
    admin = site.get_model_admin(Product)
    monkeypatch.setattr(
        admin, "get_query", lambda request: select(Product).where(Product.stock >= 4)
    )
    rows = csv_rows(export(admin_client, PRODUCTS, {"format": "csv", "q": "mug"}))
    assert sorted(row[1] for row in rows[1:]) == ["Mug rack", "Old mug"]


def test_a_download_with_a_dated_filename(admin_client, mugs) -> None:
    response = admin_client.get(f"{PRODUCTS}export/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="product-\d{8}T\d{6}Z\.csv"', disposition)
    assert "no-store" in response["Cache-Control"]
    response = admin_client.get(f"{ORDERS}export/", {"format": "jsonl"})
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="order-\d{8}T\d{6}Z\.jsonl"', response["Content-Disposition"]
    )


# Formula injection


def test_csv_cells_that_a_spreadsheet_would_evaluate_get_an_apostrophe(
    admin_client, session
) -> None:
    for index, name in enumerate(FORMULAS):
        row = factories.product(session)
        row.sku, row.name = f"F{index}", name  # the list is ordered by sku
    session.flush()
    rows = csv_rows(export(admin_client, PRODUCTS, {"format": "csv"}))
    assert [row[1] for row in rows[1:]] == ["'" + name for name in FORMULAS]
    lines = json_rows(export(admin_client, PRODUCTS, {"format": "jsonl"}))
    assert [row["name"] for row in lines] == FORMULAS, "JSON is data, not a spreadsheet"


def test_formula_neutralizing_leaves_numbers_and_plain_text_alone() -> None:
    assert formats.csv_cell(Decimal("-1.50")) == "-1.50"
    assert formats.csv_cell(-3) == "-3"
    assert formats.csv_cell("a=b") == "a=b"
    assert formats.csv_cell("=HYPERLINK()") == "'=HYPERLINK()"
    assert formats.csv_cell(None) == ""
    assert formats.csv_cell(True) == "true"


def test_html_of_display_methods_becomes_plain_text() -> None:
    display = DisplayField("badge", "Badge", "method")
    html = format_html("<b>{}</b>", "Fish & chips")
    assert formats.plain_value(html, display) == "Fish & chips"
    naive = datetime(2026, 5, 6, 7, 8, 9)
    assert formats.plain_value(naive, display) == "2026-05-06T07:08:09+00:00"


# Permissions and bad parameters


def test_view_permission_is_required(client, staff_user) -> None:
    client.force_login(staff_user)
    assert client.get(f"{PRODUCTS}export/", {"format": "csv"}).status_code == 403
    # Refused before the parameters are even looked at.
    assert client.get(f"{PRODUCTS}export/", {"format": "xml", "bad": "1"}).status_code == 403
    grant(staff_user, "view_product")
    assert client.get(f"{PRODUCTS}export/", {"format": "csv"}).status_code == 200
    assert client.get(f"{ORDERS}export/", {"format": "csv"}).status_code == 403


def test_anonymous_and_non_staff_users_go_to_the_login_page(client, django_user_model) -> None:
    response = client.get(f"{PRODUCTS}export/", {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    member = django_user_model.objects.create_user(username="member", password="x" * 12)
    client.force_login(member)
    assert client.get(f"{PRODUCTS}export/", {"format": "csv"}).status_code == 302


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"format": "xml"},
        {"format": "csv", "nosuchfield__exact": "1"},
        {"format": "csv", "o": "9"},
        {"format": "csv", "is_active__exact": "maybe"},
        {"format": "jsonl", "stock__gte": "lots"},
        {"format": "csv", "q": "x" * 600},
        {"format": "csv", "_to_field": "name"},
    ],
    ids=[
        "no-format",
        "unknown-format",
        "field",
        "ordering",
        "boolean",
        "number",
        "long",
        "to-field",
    ],
)
def test_bad_parameters_are_a_400_with_a_message(admin_client, params) -> None:
    response = admin_client.get(f"{PRODUCTS}export/", params)
    assert response.status_code == 400
    assert not response.streaming
    if "_to_field" not in params:  # Django's own SuspiciousOperation page
        assert "Cannot export" in response.content.decode()


def test_only_get_is_allowed(admin_client) -> None:
    assert admin_client.post(f"{PRODUCTS}export/?format=csv").status_code == 405


# The changelist's buttons


def test_the_changelist_offers_both_formats_with_its_parameters(
    client, staff_user, mugs, monkeypatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "list_per_page", 2)
    grant(staff_user, "view_product")  # no add permission: the buttons still show
    client.force_login(staff_user)
    page = client.get(PRODUCTS, {"q": "mug", "is_active__exact": "1", "o": "1", "p": "2"})
    html = page.content.decode()
    form = re.search(
        r'<form class="export-form" method="get" action="([^"]+)">(.*?)</form>', html, re.S
    )
    assert form is not None
    assert form.group(1) == f"{PRODUCTS}export/"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    assert sorted(hidden) == [("is_active__exact", "1"), ("o", "1"), ("q", "mug")]
    buttons = re.findall(r'name="format" value="(\w+)">([^<]+)<', form.group(2))
    assert buttons == [("csv", "Export CSV"), ("jsonl", "Export JSON Lines")]
    assert "Add product" not in html


# Queries


def _order_lines(session: Session, orders: int) -> None:
    buyer = factories.user(session)
    products = [factories.product(session) for _ in range(3)]
    for _ in range(orders):
        factories.order(session, buyer, [(product, 1) for product in products])


def _statements(client: Any, queries: Any, changelist: str) -> tuple[int, int]:
    with queries:
        text = export(client, changelist, {"format": "csv"})
    assert queries.writes == []
    return len(queries), len(csv_rows(text)) - 1


@pytest.mark.parametrize("changelist", [ORDER_ITEMS, ORDERS])
def test_one_query_however_many_rows(admin_client, session, queries, changelist) -> None:
    _order_lines(session, 1)
    few = _statements(admin_client, queries, changelist)
    _order_lines(session, 8)
    many = _statements(admin_client, queries, changelist)
    assert few[1] < many[1]
    assert few[0] == many[0] == 1, queries.statements


def test_the_rows_are_read_through_a_server_side_cursor(
    admin_client, mugs, sa_engine: Engine, dialect
) -> None:
    cursors: list[str] = []

    def record(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM products" in statement:
            cursors.append(type(cursor).__name__)

    event.listen(sa_engine, "before_cursor_execute", record)
    try:
        export(admin_client, PRODUCTS, {"format": "csv"})
    finally:
        event.remove(sa_engine, "before_cursor_execute", record)
    expected = {"postgresql": "ServerCursor", "mysql": "SSCursor", "sqlite": "Cursor"}[dialect]
    assert cursors == [expected]


def test_a_client_that_goes_away_closes_the_session(
    admin_client, session, sa_connection: Connection, caplog
) -> None:
    sa_connection.execute(insert(Product), _bulk_products(2500))
    response = admin_client.get(f"{PRODUCTS}export/", {"format": "csv"})
    chunks = iter(response.streaming_content)
    header, first_batch = next(chunks), next(chunks)
    assert header.startswith(b"Sku,")
    assert first_batch.count(b"\n") == 1000
    with caplog.at_level(logging.INFO, logger="shop.admin.export.stream"):
        response.close()  # what the server does when the client disconnects
    assert "export commerce_product as csv: 1000 rows, stopped early" in caplog.text
    # The connection is usable again: the streaming cursor was closed.
    assert session.execute(select(func.count()).select_from(Product)).scalar_one() == 2500


# 100,000 rows


def _bulk_products(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "sku": f"BULK-{n:06d}",
            "name": f"Bulk product {n}",
            "price": Decimal("1.25"),
            "stock": n % 50,
            "is_active": True,
        }
        for n in range(start, start + count)
    ]


ROWS = 100_000
BATCH = 10_000
# Streaming keeps one batch of 1,000 objects and its text in memory (a few MB); holding
# all 100,000 rows as ORM objects takes well over 100 MB.
MEMORY_LIMIT = 30 * 1024 * 1024


def test_100k_rows_stream_at_bounded_memory(admin_client, sa_connection: Connection) -> None:
    for start in range(0, ROWS, BATCH):
        sa_connection.execute(insert(Product), _bulk_products(BATCH, start))
    response = admin_client.get(f"{PRODUCTS}export/", {"format": "csv"})
    lines, first, last = 0, b"", b""
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            first = first or chunk
            last = chunk
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert lines == ROWS + 1  # the header, then every row
    assert first.startswith(b"Sku,Name,Price,Stock,Is active\r\n")
    assert last.endswith(b"BULK-099999,Bulk product 99999,1.25,49,true\r\n")
    assert peak < MEMORY_LIMIT, f"peak {peak / 2**20:.1f} MB while streaming"


# In a real browser


@pytest.mark.browser
@pytest.mark.committed
def test_a_browser_downloads_the_searched_list(
    live_server, django_user_model, chromium_path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    # The live server reads with its own connections: the rows must be committed.
    with SessionFactory() as db, db.begin():
        for sku, name in [("LAMP-1", "Desk lamp"), ("LAMP-2", "=Floor lamp"), ("MUG-1", "Mug")]:
            db.add(Product(sku=sku, name=name, price=Decimal("5.00")))

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}{PRODUCTS}")
        page.locator("#searchbar").fill("lamp")
        page.locator("#changelist-search button").click()
        expect(page.locator("#result_list tbody tr")).to_have_count(2)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Export CSV").click()
        download = download_info.value
        assert re.fullmatch(r"product-\d{8}T\d{6}Z\.csv", download.suggested_filename)
        text = Path(download.path()).read_text(encoding="utf-8")
    assert csv_rows(text) == [
        ["Sku", "Name", "Price", "Stock", "Is active"],
        ["LAMP-1", "Desk lamp", "5.00", "0", "true"],
        ["LAMP-2", "'=Floor lamp", "5.00", "0", "true"],
    ]
