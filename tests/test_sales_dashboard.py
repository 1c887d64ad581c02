"""The sales dashboard: exact figures, one query per panel, UTC days, text alternatives.

The data below is computed by hand. The period is the 30 UTC days ending 2030-03-15
(from 2030-02-14): orders on both sides of each boundary, a cancelled order, a price
changed after purchase and amounts whose float sums would drift. Order ids do not
follow the dates here (the order of the day before the period is placed after the
period's orders), so the lookup of the period's first order is exercised both ways.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import text
from sqlalchemy.orm import Session

from shop.models import Order, Product, User
from shop.registrations import dashboard
from shop.reports import sales
from tests import factories
from tests.auth_helpers import django_staff
from tests.querycount import QueryCounter

URL = "/admin/commerce/dashboard/"
TODAY = date(2030, 3, 15)
PERIOD = sales.Period.ending(TODAY)
DASHBOARD_STATEMENTS = 5  # the period's first order, then one aggregate per panel


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "today_utc", lambda: TODAY)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def place(
    session: Session, buyer: User, status: str, when: datetime, lines: list[tuple[Product, int]]
) -> Order:
    order = factories.order(session, buyer, lines)
    order.status, order.created_at = status, when
    session.flush()
    return order


def item(session: Session, name: str, price: str, stock: int, active: bool = True) -> Product:
    product = factories.product(session, price=price, stock=stock, is_active=active)
    product.name = name
    session.flush()
    return product


def shop_history(session: Session) -> dict[str, Product]:
    """Products and orders whose figures the tests state by hand."""
    p1 = item(session, "Lamp", "19.99", 5)
    p2 = item(session, "Screw", "0.10", 0)
    p3 = item(session, "Sofa", "1234.56", 6)
    p4 = item(session, "Old rug", "5.00", 2, active=False)
    p5 = item(session, "Vase", "3.00", 1)
    buyer = factories.user(session)
    place(session, buyer, "paid", at(2030, 3, 15, 23, 59, 59, 999999), [(p1, 3), (p2, 7)])
    place(session, buyer, "pending", at(2030, 3, 15), [(p3, 1)])
    place(session, buyer, "delivered", at(2030, 3, 14, 23, 59, 59), [(p2, 1)])
    place(session, buyer, "cancelled", at(2030, 3, 15, 10), [(p4, 100)])
    place(session, buyer, "shipped", at(2030, 2, 14), [(p1, 1)])  # the period's first instant
    place(session, buyer, "paid", at(2030, 2, 13, 23, 59, 59), [(p3, 10)])  # the day before
    place(session, buyer, "paid", at(2030, 3, 16), [(p3, 1)])  # after today
    p1.price = Decimal("25.00")  # today's price: what was paid does not change
    session.flush()
    return {"lamp": p1, "screw": p2, "sofa": p3, "rug": p4, "vase": p5}


def window(session: Session) -> sales.OrderWindow:
    return sales.order_window(session, PERIOD)


def test_revenue_per_day_is_exact_and_bucketed_by_utc_day(session: Session) -> None:
    shop_history(session)
    days = sales.revenue_per_day(session, window(session))
    assert len(days) == 30
    assert (days[0].day, days[-1].day) == (date(2030, 2, 14), TODAY)
    nonzero = {row.day: row.revenue for row in days if row.revenue}
    assert nonzero == {
        date(2030, 2, 14): Decimal("19.99"),
        date(2030, 3, 14): Decimal("0.10"),
        date(2030, 3, 15): Decimal("1295.23"),  # 3 x 19.99 + 7 x 0.10 + 1234.56
    }
    assert all(isinstance(row.revenue, Decimal) for row in days)
    assert sum(row.revenue for row in days) == Decimal("1315.32")


def test_days_stay_utc_whatever_the_database_session_time_zone(
    session: Session, dialect: str
) -> None:
    shop_history(session)
    if dialect == "postgresql":
        session.execute(text("SET TIME ZONE 'America/New_York'"))
    elif dialect == "mysql":
        session.execute(text("SET time_zone = '-05:00'"))
    days = {row.day: row.revenue for row in sales.revenue_per_day(session, window(session))}
    assert days[date(2030, 3, 15)] == Decimal("1295.23")
    assert days[date(2030, 3, 14)] == Decimal("0.10")


def test_orders_by_status_counts_every_order_in_lifecycle_order(session: Session) -> None:
    shop_history(session)
    counts = [(row.status, row.count) for row in sales.orders_by_status(session, PERIOD)]
    assert counts == [
        ("pending", 1),
        ("paid", 3),  # one of them placed before the period, one after: open all the same
        ("shipped", 1),
        ("delivered", 1),
        ("cancelled", 1),
    ]


def test_closed_orders_count_only_when_placed_in_the_period(session: Session) -> None:
    shop_history(session)
    buyer, lamp = factories.user(session), factories.product(session, price="1.00", stock=9)
    place(session, buyer, "delivered", at(2030, 2, 13, 23, 59, 59), [(lamp, 1)])
    place(session, buyer, "cancelled", at(2029, 1, 1), [(lamp, 1)])
    place(session, buyer, "cancelled", at(2030, 3, 16), [(lamp, 1)])
    place(session, buyer, "pending", at(2029, 1, 1), [(lamp, 1)])  # still to act on
    found = sales.orders_by_status(session, PERIOD)
    assert [(row.status, row.count, row.is_open) for row in found] == [
        ("pending", 2, True),
        ("paid", 3, True),
        ("shipped", 1, True),
        ("delivered", 1, False),
        ("cancelled", 1, False),
    ]


def test_the_window_starts_at_the_smallest_order_id_of_the_period(session: Session) -> None:
    assert sales.order_window(session, PERIOD) == sales.OrderWindow(PERIOD, None)
    buyer, lamp = factories.user(session), factories.product(session, price="2.50", stock=9)
    outside = place(session, buyer, "paid", at(2030, 3, 2), [(lamp, 8)])
    later = place(session, buyer, "paid", at(2030, 3, 1), [(lamp, 1)])
    earlier = place(session, buyer, "paid", at(2030, 2, 20), [(lamp, 2)])
    outside.created_at = at(2030, 2, 1)  # the smallest id, moved out of the period
    session.flush()
    found = sales.order_window(session, PERIOD)
    # The smallest id of the period, not the id of its earliest order.
    assert (found.first_order_id, earlier.id > later.id) == (later.id, True)
    revenue = sum(row.revenue for row in sales.revenue_per_day(session, found))
    assert revenue == Decimal("7.50")
    top = sales.top_products(session, found)
    assert [(row.product_id, row.units, row.revenue) for row in top] == [
        (lamp.id, 3, Decimal("7.50"))
    ]


def test_top_products_rank_by_revenue_paid_in_the_period(session: Session) -> None:
    products = shop_history(session)
    top = sales.top_products(session, window(session))
    assert [(row.product_id, row.units, row.revenue) for row in top] == [
        (products["sofa"].id, 1, Decimal("1234.56")),
        (products["lamp"].id, 4, Decimal("79.96")),  # 4 x 19.99, not today's 25.00
        (products["screw"].id, 8, Decimal("0.80")),
    ]
    assert [row.product_id for row in sales.top_products(session, window(session), limit=1)] == [
        products["sofa"].id
    ]


def test_low_stock_lists_active_products_fewest_first_with_their_number(
    session: Session,
) -> None:
    products = shop_history(session)
    found = sales.low_stock(session)
    assert [row[0] for row in found.products] == [
        products["screw"].id,
        products["vase"].id,
        products["lamp"].id,
    ]
    assert found.total == 3
    shown_one = sales.low_stock(session, limit=1)
    assert (len(shown_one.products), shown_one.total) == (1, 3)


def _page(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_figures_with_one_query_per_panel(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    products = shop_history(session)
    with queries:
        page = _page(admin_client)
    assert len(queries) == DASHBOARD_STATEMENTS, queries.selects_and_writes
    assert '<strong id="revenue-total">1,315.32</strong>' in page
    assert "best day 2030-03-15 (1,295.23)" in page
    assert '<th scope="row">2030-03-15</th><td>1,295.23</td>' in page
    assert '<th scope="row">2030-02-13</th>' not in page
    assert re.search(r'\?status__exact=paid">Paid</a></th>\s*<td class="count">3</td>', page)
    sofa_url = f"/admin/commerce/product/{products['sofa'].id}/change/"
    assert f'<a href="{sofa_url}">Sofa</a>' in page
    assert '<strong id="low-stock-total">3</strong>' in page
    assert "/admin/commerce/product/?is_active__exact=1&amp;stock_level=low" in page
    assert "Old rug" not in page  # cancelled and inactive: in no panel


def test_the_status_panel_links_each_count_to_exactly_the_orders_it_counts(
    admin_client: Client, session: Session
) -> None:
    shop_history(session)
    buyer, lamp = factories.user(session), factories.product(session, price="1.00", stock=9)
    place(session, buyer, "delivered", at(2029, 6, 1), [(lamp, 1)])  # before the period
    page = _page(admin_client)
    open_group = re.search(r'<tbody id="open-statuses">.*?</tbody>', page, re.S)
    closed_group = re.search(r'<tbody id="closed-statuses">.*?</tbody>', page, re.S)
    assert open_group is not None
    assert closed_group is not None
    assert "Open, any date" in open_group.group(0)
    assert "Closed, placed in the period" in closed_group.group(0)
    assert re.search(
        r'\?status__exact=pending">Pending</a></th>\s*<td class="count">1</td>',
        open_group.group(0),
    )
    placed = "created_at__gte=2030-02-14&amp;created_at__lt=2030-03-16"
    assert re.search(
        rf'\?status__exact=delivered&amp;{placed}">Delivered</a></th>\s*<td class="count">1</td>',
        closed_group.group(0),
    )
    # The link lists the order the panel counts, not the one placed before the period.
    link = f"/admin/commerce/order/?status__exact=delivered&{placed.replace('&amp;', '&')}"
    listed = admin_client.get(link).content.decode()
    assert listed.count('name="_selected_action"') == 1


def test_the_query_count_does_not_grow_with_the_data(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    shop_history(session)
    buyer = factories.user(session)
    for day in range(1, 29):
        extra = factories.product(session, price="1.01", stock=day % 4)
        place(session, buyer, "paid", at(2030, 3, day % 15 + 1, 12), [(extra, day)])
    with queries:
        _page(admin_client)
    assert len(queries) == DASHBOARD_STATEMENTS


def test_an_empty_shop_renders_every_panel(admin_client: Client, queries: QueryCounter) -> None:
    with queries:
        page = _page(admin_client)
    assert len(queries) == DASHBOARD_STATEMENTS
    assert '<strong id="revenue-total">0.00</strong>' in page
    assert "No revenue in the last 30 days." in page
    assert "No sales in the last 30 days." in page
    assert "No active product is low on stock." in page
    assert page.count('<td class="count">0</td>') == 5  # every status, none yet


def test_the_chart_is_themed_svg_with_a_title_and_a_text_alternative(
    admin_client: Client, session: Session
) -> None:
    shop_history(session)
    page = _page(admin_client)
    svg = re.search(r"<svg class=\"chart column-chart\".*?</svg>", page, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart
    assert 'aria-labelledby="revenue-chart-title revenue-chart-desc"' in chart
    assert '<title id="revenue-chart-title">Revenue per day, last 30 days</title>' in chart
    assert "1,315.32 in all, most on 2030-03-15 (1,295.23)" in chart
    assert "<title>2030-03-15: 1,295.23</title>" in chart
    assert chart.count('class="chart-bar"') == 30
    # Colours come from the stylesheet's variables (light and dark), never fixed here.
    assert not re.search(r"(fill|stroke|style)=", chart)
    # Drawn on the server: no chart library, nothing fetched from elsewhere.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all('src="/static/admin/js/' in script for script in scripts)
    assert not re.search(r'(href|src)="(https?:)?//', page)
    hidden_table = r'<div class="visually-hidden">\s*<table id="revenue-table">.*?</table>'
    table = re.search(hidden_table, page, re.S)
    assert table is not None
    assert table.group(0).count("<tr>") == 31


def test_staff_without_view_permission_on_orders_get_403_and_no_link(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_staff(django_user_model, "clerk", "commerce.view_product"))
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/admin/").content.decode()


def test_staff_who_may_view_orders_open_it_from_the_index(
    client: Client, django_user_model: Any
) -> None:
    client.force_login(django_staff(django_user_model, "analyst", "commerce.view_order"))
    index = client.get("/admin/").content.decode()
    assert f'<a href="{URL}">Sales dashboard</a>' in index
    page = _page(client)
    assert "/admin/commerce/product/" not in page  # no product links without that permission


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
