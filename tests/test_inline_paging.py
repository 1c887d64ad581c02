"""A parent with more children than an inline's page holds shows them a page at a time.

`?items-page=N` picks the page; a save edits only the rows of the page it was made on.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.admin.inlines import paging
from shop.models import Appointment, CartItem, Order
from shop.registrations.clinic import AppointmentInline
from shop.registrations.commerce import CartItemInline, OrderItemInline
from tests import factories
from tests.change_form_helpers import audit_of
from tests.inline_helpers import cart_data, cart_page, item_row, page_errors, quantities

PER_PAGE = 3


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    for inline in (CartItemInline, OrderItemInline, AppointmentInline):
        monkeypatch.setattr(inline, "max_shown", PER_PAGE)


def _cart_with(session: Session, lines: int) -> tuple[Any, list[CartItem]]:
    """A cart and its lines in the inline's order (by product)."""
    cart = factories.cart(session)
    products = [factories.product(session) for _ in range(lines)]
    items = [CartItem(cart=cart, product=product, quantity=1) for product in products]
    session.add_all(items)
    session.flush()
    return cart, sorted(items, key=lambda item: item.product_id)


def _inline(response: Any, prefix: str = "items") -> Any:
    for inline in response.context["inline_admin_formsets"]:
        if inline.prefix == prefix:
            return inline
    raise AssertionError(f"no inline {prefix!r}")


def _shown(response: Any, prefix: str = "items") -> list[int]:
    """The ids of the existing rows the page shows (and would post back), in order."""
    pattern = rf'name="{prefix}-(\d+)-id" value="(\d+)"'
    found = re.findall(pattern, response.content.decode())
    return [int(key) for _index, key in sorted(found, key=lambda pair: int(pair[0]))]


def _ids(items: list[Any]) -> list[int]:
    return [item.id for item in items]


# What a page shows


def test_a_cart_with_more_lines_than_a_page_shows_the_first_page_and_links(
    admin_client: Client, session: Session
) -> None:
    cart, items = _cart_with(session, 7)
    response = admin_client.get(cart_page(cart))
    page = response.content.decode()
    assert _shown(response) == _ids(items[:3])
    assert 'name="items-INITIAL_FORMS" value="3"' in page
    assert "Cart items 1–3 of 7" in page
    assert "Page 1 of 3" in page
    assert 'href="?items-page=2" rel="next"' in page
    assert 'href="?items-page=3" class="last"' in page
    assert 'rel="prev"' not in page
    assert f'href="/admin/commerce/cartitem/?cart_id__exact={cart.id}"' in page
    assert 'name="items-3-product"' in page  # the blank `extra` row: "add another" still works


def test_each_page_shows_its_own_lines(admin_client: Client, session: Session) -> None:
    cart, items = _cart_with(session, 7)
    pages = [admin_client.get(f"{cart_page(cart)}?items-page={n}") for n in (1, 2, 3)]
    assert [_shown(response) for response in pages] == [
        _ids(items[:3]),
        _ids(items[3:6]),
        _ids(items[6:]),
    ]
    last = pages[2].content.decode()
    assert "Cart items 7–7 of 7" in last
    assert 'href="?items-page=2" rel="prev"' in last
    assert f'href="{cart_page(cart)}" class="first"' in last
    assert 'rel="next"' not in last


def test_a_cart_that_fits_on_one_page_has_no_page_links(
    admin_client: Client, session: Session
) -> None:
    cart, items = _cart_with(session, 3)
    response = admin_client.get(cart_page(cart))
    assert _shown(response) == _ids(items)
    assert _inline(response).paging is None
    assert "inline-paging" not in response.content.decode()


def test_the_page_links_keep_the_other_query_parameters(
    admin_client: Client, session: Session
) -> None:
    cart, _items = _cart_with(session, 7)
    page = admin_client.get(f"{cart_page(cart)}?_changelist_filters=q%3Dann&items-page=2")
    html = page.content.decode()
    assert 'href="?_changelist_filters=q%3Dann&amp;items-page=3" rel="next"' in html
    assert 'href="?_changelist_filters=q%3Dann" rel="prev"' in html


@pytest.mark.parametrize(
    ("raw", "shown_page"),
    [("abc", 1), ("0", 1), ("-2", 1), ("²", 1), ("1.5", 1), ("", 1), ("4", 3), ("9" * 30, 3)],
)
def test_a_bad_page_number_shows_a_page_not_an_error(
    admin_client: Client, session: Session, raw: str, shown_page: int
) -> None:
    cart, items = _cart_with(session, 7)
    response = admin_client.get(cart_page(cart), {"items-page": raw})
    assert response.status_code == 200
    first = (shown_page - 1) * PER_PAGE
    assert _shown(response) == _ids(items[first : first + PER_PAGE])
    assert f"Page {shown_page} of 3" in response.content.decode()


def test_the_count_stops_at_the_cap(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    cart, items = _cart_with(session, 8)
    first = admin_client.get(cart_page(cart)).content.decode()
    assert "Cart items 1–3 of more than 5" in first
    assert "Page 1 of 2+" in first
    assert "View all in their list" in first
    # Past the cap the list reaches the rest; the inline's last page is the cap's.
    response = admin_client.get(cart_page(cart), {"items-page": "9"})
    assert _shown(response) == _ids(items[3:6])


# Saving from a page


def test_a_save_on_a_page_changes_only_its_lines(admin_client: Client, session: Session) -> None:
    cart, items = _cart_with(session, 7)
    added = factories.product(session)
    before = quantities(session, cart)
    changed, deleted, kept = items[3:6]
    expected = {**before, changed.product_id: 5, added.id: 2}
    del expected[deleted.product_id]
    changed_id, first_id = changed.id, items[0].id
    data = cart_data(
        cart,
        [item_row(changed, quantity=5), item_row(deleted, DELETE=True), item_row(kept)],
        new=[{"product": added.id, "quantity": 2}],
    )
    response = admin_client.post(f"{cart_page(cart)}?items-page=2", data)
    assert response.status_code == 302, page_errors(response, "items")
    assert quantities(session, cart) == expected
    assert [action for action, _ in audit_of(session, "commerce.cartitem", changed_id)] == [
        "change"
    ]
    assert audit_of(session, "commerce.cartitem", first_id) == []


def test_a_post_never_touches_lines_it_does_not_name(
    admin_client: Client, session: Session
) -> None:
    cart, _items = _cart_with(session, 7)
    before = quantities(session, cart)
    response = admin_client.post(f"{cart_page(cart)}?items-page=3", cart_data(cart))
    assert response.status_code == 302
    assert quantities(session, cart) == before


def test_a_line_of_another_cart_is_refused_on_a_page(
    admin_client: Client, session: Session
) -> None:
    cart, _items = _cart_with(session, 7)
    _other, (foreign, *_rest) = _cart_with(session, 1)
    before = quantities(session, _other)
    forged = cart_data(cart, [item_row(foreign, quantity=9)])
    response = admin_client.post(f"{cart_page(cart)}?items-page=2", forged)
    assert response.status_code == 200
    assert "no longer exists or belongs elsewhere" in page_errors(response, "items")[0][0]
    assert quantities(session, _other) == before


def test_a_refused_save_shows_the_same_page_again(admin_client: Client, session: Session) -> None:
    cart, items = _cart_with(session, 7)
    before = quantities(session, cart)
    data = cart_data(cart, [item_row(item, quantity=0) for item in items[3:6]])
    response = admin_client.post(f"{cart_page(cart)}?items-page=2", data)
    assert response.status_code == 200
    assert _shown(response) == _ids(items[3:6])
    assert "Page 2 of 3" in response.content.decode()
    assert quantities(session, cart) == before


def test_max_num_counts_the_lines_of_other_pages(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CartItemInline, "max_num", 7)
    cart, items = _cart_with(session, 7)
    page = admin_client.get(cart_page(cart)).content.decode()
    assert 'data-max-num="3"' in page  # 7, less the 4 lines on other pages
    added = factories.product(session)
    data = cart_data(
        cart, [item_row(item) for item in items[:3]], new=[{"product": added.id, "quantity": 1}]
    )
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    assert "Please submit at most 7 cart items." in page_errors(response, "items")[0]
    assert len(quantities(session, cart)) == 7


# Read-only and stacked inlines


def test_an_order_pages_its_lines_with_both_prices_and_the_total_of_all(
    admin_client: Client, session: Session
) -> None:
    buyer = factories.user(session)
    products = [factories.product(session, price="2.00") for _ in range(7)]
    order = factories.order(session, buyer, [(product, 1) for product in products])
    products[4].price = Decimal("3.00")  # the 5th line: on page 2, its price changed since
    session.flush()
    url = f"/admin/commerce/order/{order.id}/change/"
    response = admin_client.get(url, {"items-page": "2"})
    page = response.content.decode()
    lines = session.scalars(select(Order).where(Order.id == order.id)).one().items
    assert _shown(response) == sorted(line.id for line in lines)[3:6]
    assert "Order items 4–6 of 7" in page
    assert "Was 2.00 when ordered" in page  # marked "changed", with the price paid
    assert "14.00" in page  # the total as paid, of all seven lines
    assert 'name="items-0-quantity"' not in page  # read-only rows


def test_a_pets_appointments_page_latest_first(admin_client: Client, session: Session) -> None:
    (pet,) = factories.owner_with_pets(session, 1).pets
    doctor = factories.vet(session)
    booked = [factories.appointment(session, pet, doctor, days_ahead=days) for days in range(5)]
    latest_first = [a.id for a in sorted(booked, key=lambda a: a.scheduled_at, reverse=True)]
    url = f"/admin/clinic/pet/{pet.id}/change/"
    pages = [admin_client.get(url, {"appointments-page": str(n)}) for n in (1, 2)]
    assert [_shown(response, "appointments") for response in pages] == [
        latest_first[:3],
        latest_first[3:],
    ]
    assert "Appointments 4–5 of 5" in pages[1].content.decode()
    assert session.scalar(select(Appointment.id).where(Appointment.pet_id == pet.id)) is not None


# Cost


def test_a_paged_cart_costs_the_queries_of_a_small_one(
    admin_client: Client, session: Session, queries: Any
) -> None:
    small, _items = _cart_with(session, 2)
    large, _lines = _cart_with(session, 12)
    counts = []
    for url in (cart_page(small), f"{cart_page(large)}?items-page=3"):
        session.expire_all()
        with queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
