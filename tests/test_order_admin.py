"""The order admin: a read-only record of what was placed at checkout, moved along its
statuses only by the transition actions (list and page), deleted only once cancelled."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from itertools import product as pairs
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.admin.actions import selection as selection_module
from shop.models import AuditRecord, Order, OrderItem, Product, User
from shop.models.commerce import ORDER_STATUSES
from shop.services.commerce import ALLOWED_TRANSITIONS
from tests import factories
from tests.action_helpers import (
    NO_ACTION,
    audit_of,
    form_data,
    fresh,
    messages_of,
    staff_client,
)
from tests.commerce_helpers import named_product
from tests.inline_helpers import page_errors

ORDERS = "/admin/commerce/order/"
ORDER_ITEMS = "/admin/commerce/orderitem/"
# The action that moves an order to each status, and its button on the order's page.
ACTION_TO = {
    "paid": ("mark_paid", "Mark paid"),
    "shipped": ("mark_shipped", "Mark shipped"),
    "delivered": ("mark_delivered", "Mark delivered"),
    "cancelled": ("cancel_orders", "Cancel order"),
}
ALLOWED = sorted((old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in targets)
FORBIDDEN = sorted(
    (old, new)
    for old, new in pairs(ORDER_STATUSES, ACTION_TO)
    if old != new and (old, new) not in ALLOWED
)
STALE = (
    "“Order #{id}” was changed by someone else since you opened the list. Nothing was "
    "changed: reload the list and run the action again."
)
# Hidden fields a read-only order page may still carry (CSRF, the formset's bookkeeping).
BOOKKEEPING = re.compile(
    r"csrfmiddlewaretoken|items-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS|items-\d+-id"
)


def page(order: Order) -> str:
    return f"{ORDERS}{order.id}/change/"


def actions_url(order: Order) -> str:
    return f"{ORDERS}{order.id}/actions/"


def order_in(
    session: Session,
    status: str = "pending",
    lines: list[tuple[Product, int]] | None = None,
    buyer: User | None = None,
) -> Order:
    """An order as checkout leaves it, then moved straight to `status` (no audit)."""
    lines = lines if lines is not None else [(factories.product(session), 1)]
    order = factories.order(session, buyer or factories.user(session), lines)
    if status != "pending":
        order.status = status
        session.flush()
    return order


def customer(session: Session, name: str) -> User:
    return factories.user(session, username=name, email=f"{name}@shop.test")


def state(session: Session, order: Order) -> tuple[str, int]:
    row = fresh(session, Order, order.id)
    return row.status, row.version_id


def stock(session: Session, *products: Product) -> list[int]:
    return [fresh(session, Product, product.id).stock for product in products]


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def run_on_list(client: Client, action: str, orders: list[Order], **extra: Any) -> Any:
    """The list's action bar, with the rows ticked and the versions the list showed."""
    data = {
        "action": action,
        "index": "0",
        "_selected_action": [str(order.id) for order in orders],
        "_action_version": [f"{order.id}:{order.version_id}" for order in orders],
    }
    return client.post(ORDERS, {**data, **extra})


def buttons(response: Any) -> list[str]:
    """The labels of the status buttons on an order's page, in page order."""
    box = re.search(
        r'<div class="object-workflow"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert box is not None, "no status box on the page"
    return re.findall(r"<button [^>]*>([^<]*)</button>", box.group(1))


def press(client: Client, order: Order, action: str) -> Any:
    """Load the order's page and press its button for `action`, as a browser would."""
    shown = client.get(page(order))
    return press_on(client, shown, order, action)


def press_on(client: Client, shown: Any, order: Order, action: str) -> Any:
    """Press the button for `action` on an already loaded page of `order`."""
    form_id = f"object-action-{action}"
    html = shown.content.decode()
    target = re.search(rf'<form method="post" action="([^"]+)"[^>]*id="{form_id}"', html)
    assert target is not None, f"no {action} button on the page"
    assert target.group(1) == actions_url(order)
    return client.post(target.group(1), {**form_data(shown, form_id), "index": "0"})


def list_rows(response: Any) -> dict[int, dict[str, str]]:
    """{pk: {column: text}} of the changelist, tags stripped."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    rows = {}
    for pk, row in re.findall(r'<tr data-pk="(\d+)">(.*?)</tr>', html, re.S):
        found = re.findall(r'<t[hd][^>]* class="field-(\w+)[" ][^>]*>(.*?)</t[hd]>', row, re.S)
        rows[int(pk)] = {name: unescape(re.sub(r"<[^>]+>", "", text)) for name, text in found}
    return rows


def pks(response: Any) -> list[int]:
    return list(list_rows(response))


def line_rows(response: Any) -> list[dict[str, str]]:
    """The order lines on the order's page: {column: inner HTML} per line."""
    html = response.content.decode()
    rows = re.findall(r'<tr class="form-row[^"]*" id="items-\d+">(.*?)</tr>', html, re.S)
    return [
        dict(re.findall(r'<td class="field-(\w+)"><p class="readonly">(.*?)</p></td>', row, re.S))
        for row in rows
    ]


def readonly_value(response: Any, field: str) -> str:
    html = response.content.decode()
    found = re.search(
        rf'<div class="form-row field-{field}">.*?<div class="readonly">(.*?)</div>', html, re.S
    )
    assert found is not None, f"no read-only {field} on the page"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1)))


# The list


def test_the_list_shows_each_orders_customer_status_line_count_and_total_to_the_cent(
    admin_client: Client, session: Session
) -> None:
    alice, bob = customer(session, "alice"), customer(session, "bob")
    mug = named_product(session, "Mug", "MUG-1", price="19.99")
    dime = named_product(session, "Dime sticker", "DIME-1", price="0.10")
    dear = named_product(session, "Dear thing", "DEAR-1", price="99999.99")
    # 3 x 19.99 + 3 x 0.10: 60.27 exactly (in floats 0.1 * 3 is 0.30000000000000004).
    small = order_in(session, "paid", [(mug, 3), (dime, 3)], buyer=alice)
    large = order_in(session, "pending", [(dear, 1), (dime, 1)], buyer=bob)
    empty = order_in(session, "cancelled", [], buyer=alice)
    rows = list_rows(admin_client.get(ORDERS))
    shown = {
        pk: (row["id"], row["user__username"], row["status"], row["item_count"], row["total"])
        for pk, row in rows.items()
    }
    assert shown == {
        small.id: (str(small.id), "alice", "Paid", "2", "60.27"),
        large.id: (str(large.id), "bob", "Pending", "2", "100000.09"),
        empty.id: (str(empty.id), "alice", "Cancelled", "0", "0.00"),
    }
    assert all(row["created_at"].endswith("UTC") for row in rows.values())


def test_the_list_offers_no_add_link(admin_client: Client, session: Session) -> None:
    order_in(session)
    assert f'href="{ORDERS}add/"' not in admin_client.get(ORDERS).content.decode()


def test_the_list_sorts_by_total_and_by_item_count(admin_client: Client, session: Session) -> None:
    cheap, dear = factories.product(session, price="1.50"), factories.product(session, price="7.25")
    one_dear = order_in(session, lines=[(dear, 1)])  # 7.25, 1 line
    three_cheap = order_in(session, lines=[(cheap, 1), (cheap, 1), (cheap, 1)])  # 4.50, 3 lines
    two_lines = order_in(session, lines=[(cheap, 2), (dear, 2)])  # 17.50, 2 lines
    by_total = [three_cheap.id, one_dear.id, two_lines.id]
    assert pks(admin_client.get(ORDERS, {"o": "4"})) == by_total
    assert pks(admin_client.get(ORDERS, {"o": "-4"})) == by_total[::-1]
    by_count = [one_dear.id, two_lines.id, three_cheap.id]
    assert pks(admin_client.get(ORDERS, {"o": "3"})) == by_count
    assert pks(admin_client.get(ORDERS, {"o": "-3"})) == by_count[::-1]


def test_search_by_sku_finds_an_order_once_however_many_lines_match(
    admin_client: Client, session: Session
) -> None:
    mug = named_product(session, "Mug", "MUG-1")
    big_mug = named_product(session, "Big mug", "MUG-10")
    plate = named_product(session, "Plate", "PLATE-1")
    # Two lines of one product, and a third line whose SKU starts the same way.
    mugs = order_in(session, lines=[(mug, 1), (mug, 2), (big_mug, 1)])
    plates = order_in(session, lines=[(plate, 1)])
    assert pks(admin_client.get(ORDERS, {"q": "MUG-1"})) == [mugs.id]
    assert pks(admin_client.get(ORDERS, {"q": "mug-10"})) == [mugs.id]
    assert pks(admin_client.get(ORDERS, {"q": "PLATE"})) == [plates.id]
    assert pks(admin_client.get(ORDERS, {"q": "UG-1"})) == []  # SKUs match from their start


def test_search_by_id_username_and_email(admin_client: Client, session: Session) -> None:
    alice, bob = customer(session, "alice"), customer(session, "bob")
    first, second = order_in(session, buyer=alice), order_in(session, buyer=bob)
    assert pks(admin_client.get(ORDERS, {"q": str(second.id)})) == [second.id]
    assert pks(admin_client.get(ORDERS, {"q": "ali"})) == [first.id]
    assert pks(admin_client.get(ORDERS, {"q": "bob@shop"})) == [second.id]
    assert pks(admin_client.get(ORDERS, {"q": "lice"})) == [first.id]  # inside the e-mail


def test_filter_by_status_and_by_customer(admin_client: Client, session: Session) -> None:
    alice, bob = customer(session, "alice"), customer(session, "bob")
    alice_paid = order_in(session, "paid", buyer=alice)
    alice_pending = order_in(session, "pending", buyer=alice)
    bob_paid = order_in(session, "paid", buyer=bob)
    paid = admin_client.get(ORDERS, {"status__exact": "paid"})
    assert set(pks(paid)) == {alice_paid.id, bob_paid.id}
    assert '<a href="?status__exact=shipped">Shipped</a>' in paid.content.decode()
    assert set(pks(admin_client.get(ORDERS, {"user__id__exact": alice.id}))) == {
        alice_paid.id,
        alice_pending.id,
    }
    both = admin_client.get(ORDERS, {"user__id__exact": alice.id, "status__exact": "paid"})
    assert pks(both) == [alice_paid.id]
    names = re.findall(r'user__id__exact=\d+">(\w+)</a>', paid.content.decode())
    assert sorted(names) == ["alice", "bob"]


def _placed_at(session: Session, when: datetime) -> Order:
    order = order_in(session)
    order.created_at = when
    session.flush()
    return order


def test_the_date_hierarchy_drills_down_to_a_day(admin_client: Client, session: Session) -> None:
    new_years_eve = _placed_at(session, datetime(2029, 12, 31, 23, 59, tzinfo=UTC))
    new_year = _placed_at(session, datetime(2030, 1, 1, 0, 0, tzinfo=UTC))
    spring = _placed_at(session, datetime(2030, 3, 5, 12, tzinfo=UTC))
    top = admin_client.get(ORDERS).content.decode()
    assert '<a href="?created_at__year=2029">2029</a>' in top
    assert '<a href="?created_at__year=2030">2030</a>' in top
    year = admin_client.get(ORDERS, {"created_at__year": 2030})
    assert set(pks(year)) == {new_year.id, spring.id}
    assert '<a href="?created_at__month=3&amp;created_at__year=2030">March 2030</a>' in (
        year.content.decode()
    )
    month = admin_client.get(ORDERS, {"created_at__year": 2030, "created_at__month": 3})
    assert pks(month) == [spring.id]
    assert ">March 5</a>" in month.content.decode()
    day = {"created_at__year": 2029, "created_at__month": 12, "created_at__day": 31}
    assert pks(admin_client.get(ORDERS, day)) == [new_years_eve.id]
    # With a filter the hierarchy only offers the dates that still have orders.
    spring.status = "paid"
    session.flush()
    paid = admin_client.get(ORDERS, {"status__exact": "paid"}).content.decode()
    assert "2029</a>" not in paid
    assert ">March 2030</a>" in paid


@pytest.mark.parametrize("query", ["", "?q=SKU&o=-4.3", "?status__exact=pending&o=1"])
def test_the_list_runs_the_same_queries_for_3_and_30_orders(
    admin_client: Client, session: Session, queries: Any, query: str
) -> None:
    def orders_with_lines(count: int) -> None:
        for _ in range(count):
            first, second = factories.product(session), factories.product(session)
            order_in(session, lines=[(first, 2), (second, 1)])

    measured = []
    for count in (3, 27):  # 3 orders, then 30
        orders_with_lines(count)
        session.expire_all()
        with queries:
            response = admin_client.get(ORDERS + query)
        assert queries.writes == [], "a list page must not write"
        measured.append((len(queries), len(pks(response))))
    (small, shown_small), (large, shown_large) = measured
    assert (shown_small, shown_large) == (3, 30)
    assert small == large, queries.statements


# The order's page


def test_the_page_shows_the_price_paid_beside_todays_price_marked_where_it_changed(
    admin_client: Client, session: Session
) -> None:
    mug = named_product(session, "Mug", "MUG-1", price="19.99")
    plate = named_product(session, "Plate", "PLATE-1", price="5.00")
    order = order_in(session, lines=[(mug, 3), (plate, 1)])
    before = admin_client.get(page(order))
    assert readonly_value(before, "order_total") == "64.97"
    assert "price-changed" not in before.content.decode()
    mug.price = Decimal("21.50")  # the product's price changes after the purchase
    session.flush()
    after = admin_client.get(page(order))
    mug_line, plate_line = line_rows(after)
    assert mug_line["price_at_purchase"] == "19.99"
    assert mug_line["price_today"] == (
        '21.50 <span class="price-changed" title="Was 19.99 when ordered">changed</span>'
    )
    assert mug_line["line_total"] == "59.97"
    assert (plate_line["price_at_purchase"], plate_line["price_today"]) == ("5.00", "5.00")
    assert plate_line["line_total"] == "5.00"
    assert after.content.decode().count('class="price-changed"') == 1
    assert "Total (as paid):" in after.content.decode()
    assert readonly_value(after, "order_total") == "64.97"  # what was paid, not today's sum
    assert list_rows(admin_client.get(ORDERS))[order.id]["total"] == "64.97"


def test_a_price_cut_is_marked_too(admin_client: Client, session: Session) -> None:
    mug = named_product(session, "Mug", "MUG-1", price="19.99")
    order = order_in(session, lines=[(mug, 1)])
    mug.price = Decimal("0.00")
    session.flush()
    (line,) = line_rows(admin_client.get(page(order)))
    assert line["price_today"].startswith('0.00 <span class="price-changed"')


def test_the_page_runs_the_same_queries_for_2_and_20_lines(
    admin_client: Client, session: Session, queries: Any
) -> None:
    counts = []
    for lines in (2, 20):
        products = [factories.product(session) for _ in range(lines)]
        order = order_in(session, lines=[(product, 1) for product in products])
        products[0].price += Decimal("1.00")  # one line shows the "changed" mark
        session.flush()
        session.expire_all()
        with queries:
            response = admin_client.get(page(order))
        assert response.status_code == 200
        assert len(line_rows(response)) == lines
        assert queries.writes == []
        counts.append(len(queries))
    assert counts[0] == counts[1], queries.statements


def test_nothing_on_the_page_can_be_typed_into(admin_client: Client, session: Session) -> None:
    order = order_in(session, lines=[(factories.product(session), 2)] * 2)
    response = admin_client.get(page(order))
    html = response.content.decode()
    submitted = form_data(response, "order_form")
    assert [name for name in submitted if not BOOKKEEPING.fullmatch(name)] == []
    assert submitted["items-TOTAL_FORMS"] == ["2"]
    assert "<textarea" not in html
    assert "items-__prefix__" not in html  # no template row to add a line from
    assert "Add another" not in html
    assert readonly_value(response, "status") == "Pending"
    assert readonly_value(response, "user") == order.user.username
    assert 'class="deletelink"' not in html  # a pending order is not deleted
    assert 'name="_save"' not in html  # nothing to save: the page closes instead
    assert 'class="button closelink"' in html


def test_a_forged_post_to_the_page_changes_nothing(admin_client: Client, session: Session) -> None:
    product = factories.product(session, price="4.00", stock=10)
    order = order_in(session, lines=[(product, 2)])
    (line,) = order.items
    other, dear = customer(session, "mallory"), factories.product(session, price="80.00")
    before = state(session, order)
    sent = {
        name: values[0]
        for name, values in form_data(admin_client.get(page(order)), "order_form").items()
    }
    forged = {
        **sent,
        "status": "delivered",
        "user": str(other.id),
        "created_at": "2001-01-01 00:00:00",
        "items-TOTAL_FORMS": "2",
        "items-0-quantity": "99",
        "items-0-price_at_purchase": "0.01",
        "items-0-product": str(dear.id),
        "items-1-product": str(product.id),
        "items-1-quantity": "1",
        "items-1-price_at_purchase": "0.01",
        "_save": "1",
    }
    response = admin_client.post(page(order), forged)
    assert response.status_code == 302  # as Django: read-only fields are ignored, not errors
    deleting = admin_client.post(page(order), {**sent, "items-0-DELETE": "on", "_save": "1"})
    assert deleting.status_code == 200
    assert page_errors(deleting, "items")[0] == ["You may not delete order items."]
    assert state(session, order) == before
    assert fresh(session, Order, order.id).user_id == order.user_id
    stored = session.execute(
        select(
            OrderItem.id, OrderItem.product_id, OrderItem.quantity, OrderItem.price_at_purchase
        ).where(OrderItem.order_id == order.id)
    ).all()
    assert [tuple(row) for row in stored] == [(line.id, product.id, 2, Decimal("4.00"))]
    assert stock(session, product) == [10]
    assert audit_count(session) == 0


def test_the_add_page_is_refused_and_a_post_there_creates_nothing(
    admin_client: Client, session: Session
) -> None:
    buyer, product = customer(session, "alice"), factories.product(session)
    assert admin_client.get(f"{ORDERS}add/").status_code == 403
    data = {
        "user": str(buyer.id),
        "status": "delivered",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-product": str(product.id),
        "items-0-quantity": "1",
        "items-0-price_at_purchase": "0.01",
        "_save": "1",
    }
    assert admin_client.post(f"{ORDERS}add/", data).status_code == 403
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert session.scalar(select(func.count()).select_from(OrderItem)) == 0
    assert audit_count(session) == 0


def test_an_order_line_is_only_viewed_on_its_own_page(
    admin_client: Client, session: Session
) -> None:
    product = factories.product(session, price="3.00")
    order = order_in(session, lines=[(product, 2)])
    (line,) = order.items
    url = f"{ORDER_ITEMS}{line.id}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "<h1>View order item</h1>" in response.content.decode()
    assert list(form_data(response, "orderitem_form")) == ["csrfmiddlewaretoken"]
    assert 'name="_save"' not in response.content.decode()
    forged = {
        "order": str(order_in(session).id),
        "product": str(product.id),
        "quantity": "9",
        "price_at_purchase": "0.01",
        "_save": "1",
    }
    assert admin_client.post(url, forged).status_code == 403
    stored = fresh(session, OrderItem, line.id)
    assert (stored.order_id, stored.quantity, stored.price_at_purchase) == (
        order.id,
        2,
        Decimal("3.00"),
    )
    assert admin_client.get(f"{ORDER_ITEMS}add/").status_code == 403
    assert admin_client.post(f"{ORDER_ITEMS}{line.id}/delete/", {"post": "yes"}).status_code == 403
    assert fresh(session, OrderItem, line.id) is not None
    assert audit_count(session) == 0


# Status transitions


@pytest.mark.parametrize(("old", "new"), ALLOWED)
@pytest.mark.parametrize("where", ["list", "page"])
def test_an_allowed_transition_moves_the_order_with_audit(
    admin_client: Client, session: Session, old: str, new: str, where: str
) -> None:
    order = order_in(session, old)
    version = order.version_id
    action, _label = ACTION_TO[new]
    if where == "list":
        response = run_on_list(admin_client, action, [order])
        assert response["Location"] == ORDERS
    else:
        response = press(admin_client, order, action)
        assert response["Location"] == page(order)
    assert state(session, order) == (new, version + 1)
    assert audit_of(session, "commerce.order", order.id) == [("change", {"status": (old, new)})]
    expected = (
        "1 order cancelled; their items are back in stock."
        if new == "cancelled"
        else f"1 order marked {new}."
    )
    assert messages_of(response) == [expected]


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_a_forbidden_transition_is_refused_and_changes_nothing(
    admin_client: Client, session: Session, old: str, new: str
) -> None:
    product = factories.product(session, stock=5)
    order = order_in(session, old, [(product, 2)])
    before = state(session, order)
    response = run_on_list(admin_client, ACTION_TO[new][0], [order])
    assert messages_of(response) == [
        f"An order that is {old} cannot become {new}. Nothing was changed."
    ]
    assert state(session, order) == before
    assert stock(session, product) == [5]
    assert audit_count(session) == 0


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_a_forbidden_transition_is_not_offered_on_the_page_nor_run_if_forged(
    admin_client: Client, session: Session, old: str, new: str
) -> None:
    order = order_in(session, old)
    action, label = ACTION_TO[new]
    shown = admin_client.get(page(order))
    assert label not in buttons(shown)
    before = state(session, order)
    forged = {
        "action": action,
        "index": "0",
        "_selected_action": str(order.id),
        "_action_version": f"{order.id}:{order.version_id}",
    }
    response = admin_client.post(actions_url(order), forged)
    assert response["Location"] == page(order)
    assert messages_of(response) == [NO_ACTION]
    assert state(session, order) == before
    assert audit_count(session) == 0


def test_one_forbidden_order_refuses_the_whole_action(
    admin_client: Client, session: Session
) -> None:
    product = factories.product(session, stock=10)
    # In id order: the first two are cancelled (and restocked) before the third refuses.
    pending = order_in(session, "pending", [(product, 2)])
    paid = order_in(session, "paid", [(product, 3)])
    delivered = order_in(session, "delivered", [(product, 4)])
    orders = [pending, paid, delivered]
    before = [state(session, order) for order in orders]
    response = run_on_list(admin_client, "cancel_orders", orders)
    assert messages_of(response) == [
        f"Order #{delivered.id}: An order that is delivered cannot become cancelled. "
        "Nothing was changed."
    ]
    assert [state(session, order) for order in orders] == before
    assert stock(session, product) == [10]
    assert audit_count(session) == 0


@pytest.mark.parametrize("forbidden_first", [True, False])
def test_a_forbidden_order_anywhere_in_the_selection_leaves_every_order_as_it_was(
    admin_client: Client, session: Session, forbidden_first: bool
) -> None:
    # The action walks the rows by id: the refused one is met first, or after two moves.
    statuses = ["cancelled", "pending", "pending"]
    orders = [order_in(session, status) for status in statuses[:: 1 if forbidden_first else -1]]
    before = [state(session, order) for order in orders]
    response = run_on_list(admin_client, "mark_paid", orders)
    (message,) = messages_of(response)
    assert message.endswith("An order that is cancelled cannot become paid. Nothing was changed.")
    assert [state(session, order) for order in orders] == before
    assert audit_count(session) == 0


def test_an_action_across_a_filtered_list_moves_exactly_the_orders_it_matches(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two: the orders moved by one batch leave the filter before the next loads.
    monkeypatch.setattr(selection_module, "BATCH_SIZE", 2)
    pending = [order_in(session, "pending") for _ in range(5)]
    shipped = order_in(session, "shipped")
    url = f"{ORDERS}?status__exact=pending"
    response = admin_client.post(url, {"action": "mark_paid", "index": "0", "select_across": "1"})
    assert response["Location"] == url
    assert messages_of(response) == ["5 orders marked paid."]
    assert [state(session, order)[0] for order in pending] == ["paid"] * 5
    assert state(session, shipped)[0] == "shipped"
    assert audit_count(session) == 5


def test_a_forbidden_order_across_the_whole_list_is_named_and_nothing_moves(
    admin_client: Client, session: Session
) -> None:
    pending = order_in(session, "pending")
    delivered = order_in(session, "delivered")
    data = {"action": "cancel_orders", "index": "0", "select_across": "1"}
    response = admin_client.post(ORDERS, data)
    assert messages_of(response) == [
        f"Order #{delivered.id}: An order that is delivered cannot become cancelled. "
        "Nothing was changed."
    ]
    assert state(session, pending)[0] == "pending"
    assert audit_count(session) == 0


def test_cancelling_puts_each_product_back_in_stock_with_audit(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=10)
    plate = factories.product(session, stock=1)
    order = order_in(session, "paid", [(mug, 2), (plate, 3)])
    response = run_on_list(admin_client, "cancel_orders", [order])
    assert messages_of(response) == ["1 order cancelled; their items are back in stock."]
    assert stock(session, mug, plate) == [12, 4]
    assert audit_of(session, "commerce.product", mug.id) == [("change", {"stock": ("10", "12")})]
    assert audit_of(session, "commerce.product", plate.id) == [("change", {"stock": ("1", "4")})]


def test_cancelling_two_orders_of_one_product_returns_both_quantities(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=0)
    first = order_in(session, "pending", [(mug, 2)])
    second = order_in(session, "paid", [(mug, 1), (mug, 4)])  # the same product twice
    response = run_on_list(admin_client, "cancel_orders", [first, second])
    assert messages_of(response) == ["2 orders cancelled; their items are back in stock."]
    assert stock(session, mug) == [7]
    assert audit_of(session, "commerce.product", mug.id) == [
        ("change", {"stock": ("0", "2")}),
        ("change", {"stock": ("2", "7")}),
    ]
    assert [state(session, order)[0] for order in (first, second)] == ["cancelled"] * 2


def test_cancelling_from_the_page_puts_the_items_back_in_stock(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=3)
    order = order_in(session, "pending", [(mug, 2)])
    response = press(admin_client, order, "cancel_orders")
    assert response["Location"] == page(order)
    assert stock(session, mug) == [5]
    assert state(session, order)[0] == "cancelled"


def test_an_order_already_at_the_status_is_reported_and_left_alone(
    admin_client: Client, session: Session
) -> None:
    pending, paid = order_in(session, "pending"), order_in(session, "paid")
    paid_before = state(session, paid)
    response = run_on_list(admin_client, "mark_paid", [pending, paid])
    assert messages_of(response) == [
        "1 order marked paid.",
        "1 order already paid: left as they were.",
    ]
    assert state(session, pending)[0] == "paid"
    assert state(session, paid) == paid_before
    assert audit_of(session, "commerce.order", paid.id) == []


def test_cancelling_a_cancelled_order_again_does_not_restock_twice(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=4)
    order = order_in(session, "cancelled", [(mug, 2)])
    before = state(session, order)
    response = run_on_list(admin_client, "cancel_orders", [order])
    assert messages_of(response) == ["1 order already cancelled: left as they were."]
    assert state(session, order) == before
    assert stock(session, mug) == [4]
    assert audit_count(session) == 0


def test_a_stale_version_from_the_list_is_refused(admin_client: Client, session: Session) -> None:
    order = order_in(session, "pending")
    seen = f"{order.id}:{order.version_id}"
    order.status = "paid"  # someone else moved it after the list was shown
    session.flush()
    response = run_on_list(admin_client, "cancel_orders", [order], _action_version=seen)
    assert messages_of(response) == [STALE.format(id=order.id)]
    assert state(session, order) == ("paid", order.version_id)
    assert audit_count(session) == 0


def test_a_button_on_a_page_opened_before_someone_else_moved_the_order_is_refused(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=5)
    order = order_in(session, "pending", [(mug, 1)])
    opened = admin_client.get(page(order))
    assert buttons(opened) == ["Mark paid", "Cancel order"]
    other_clerk = Client()
    other_clerk.force_login(opened.wsgi_request.user)
    assert messages_of(run_on_list(other_clerk, "mark_paid", [order])) == ["1 order marked paid."]
    response = press_on(admin_client, opened, order, "cancel_orders")
    assert messages_of(response) == [STALE.format(id=order.id)]
    assert state(session, order)[0] == "paid"
    assert stock(session, mug) == [5]
    assert [action for action, _ in audit_of(session, "commerce.order", order.id)] == ["change"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", ["Mark paid", "Cancel order"]),
        ("paid", ["Mark shipped", "Cancel order"]),
        ("shipped", ["Mark delivered"]),
        ("delivered", []),
        ("cancelled", []),
    ],
)
def test_the_page_offers_only_the_moves_allowed_from_the_status(
    admin_client: Client, session: Session, status: str, expected: list[str]
) -> None:
    response = admin_client.get(page(order_in(session, status)))
    assert buttons(response) == expected
    assert "Mark selected orders" not in response.content.decode()  # no list action box here


def test_the_list_offers_the_moves_but_never_delete_selected(
    admin_client: Client, session: Session
) -> None:
    order = order_in(session, "cancelled")
    html = admin_client.get(ORDERS).content.decode()
    bar = re.search(r'<select name="action">(.*?)</select>', html, re.S)
    assert bar is not None
    choices = re.findall(r'<option value="([^"]*)"', bar.group(1))
    assert choices == ["", "mark_paid", "mark_shipped", "mark_delivered", "cancel_orders"]
    response = admin_client.post(
        ORDERS, {"action": "delete_selected", "index": "0", "_selected_action": str(order.id)}
    )
    assert messages_of(response) == [NO_ACTION]
    assert response["Location"] == ORDERS
    assert fresh(session, Order, order.id) is not None


def test_a_clerk_who_may_change_orders_gets_the_buttons(
    django_user_model: Any, session: Session
) -> None:
    clerk = staff_client(django_user_model, "commerce.view_order", "commerce.change_order")
    order = order_in(session, "paid")
    assert buttons(clerk.get(page(order))) == ["Mark shipped", "Cancel order"]
    press(clerk, order, "mark_shipped")
    assert state(session, order)[0] == "shipped"
    assert audit_of(session, "commerce.order", order.id)[0][1] == {"status": ("paid", "shipped")}


def test_a_clerk_who_may_only_view_orders_gets_no_buttons_and_cannot_forge_one(
    django_user_model: Any, session: Session
) -> None:
    viewer = staff_client(django_user_model, "commerce.view_order")
    mug = factories.product(session, stock=2)
    order = order_in(session, "pending", [(mug, 1)])
    shown = viewer.get(page(order))
    assert shown.status_code == 200
    assert buttons(shown) == []
    assert "<h1>View order</h1>" in shown.content.decode()
    before = state(session, order)
    for action in ("mark_paid", "cancel_orders"):
        forged = {
            "action": action,
            "index": "0",
            "_selected_action": str(order.id),
            "_action_version": f"{order.id}:{order.version_id}",
        }
        response = viewer.post(actions_url(order), forged)
        assert messages_of(response) == [NO_ACTION]
        assert messages_of(run_on_list(viewer, action, [order])) == [NO_ACTION]
    assert viewer.post(page(order), {"status": "paid", "_save": "1"}).status_code == 403
    assert state(session, order) == before
    assert stock(session, mug) == [2]
    assert audit_count(session) == 0


# Deleting


@pytest.mark.parametrize("status", ["pending", "paid", "shipped", "delivered"])
def test_an_order_that_is_not_cancelled_cannot_be_deleted(
    admin_client: Client, session: Session, status: str
) -> None:
    order = order_in(session, status)
    delete_url = f"{ORDERS}{order.id}/delete/"
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert fresh(session, Order, order.id) is not None
    assert 'class="deletelink"' not in admin_client.get(page(order)).content.decode()
    assert audit_count(session) == 0


def test_a_cancelled_order_is_deleted_from_its_page_with_its_lines(
    admin_client: Client, session: Session
) -> None:
    mug = factories.product(session, stock=4)
    order = order_in(session, "cancelled", [(mug, 1), (factories.product(session), 2)])
    order_id, line_ids = order.id, [line.id for line in order.items]
    delete_url = f"{ORDERS}{order_id}/delete/"
    assert f'href="{delete_url}"' in admin_client.get(page(order)).content.decode()
    confirm = admin_client.get(delete_url)
    assert confirm.status_code == 200
    assert "Order #" in confirm.content.decode()
    response = admin_client.post(delete_url, {"post": "yes"})
    assert response["Location"] == ORDERS
    session.expire_all()
    assert session.get(Order, order_id) is None
    assert session.scalars(select(OrderItem).where(OrderItem.id.in_(line_ids))).all() == []
    assert stock(session, mug) == [4]  # its items went back when it was cancelled, not now
    assert [action for action, _ in audit_of(session, "commerce.order", order_id)] == ["delete"]
