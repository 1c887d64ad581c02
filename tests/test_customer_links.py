"""The customer's page links to their cart and orders, with totals summed in SQL."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from sqlalchemy.orm import Session

from shop.models import Cart, CartItem, User
from tests import factories
from tests.action_helpers import staff_client
from tests.querycount import QueryCounter


def user_url(user: User) -> str:
    return f"/admin/social/user/{user.id}/change/"


def readonly(page: str, name: str) -> str | None:
    """The HTML of one read-only field's value on the change page."""
    found = re.search(rf'field-{name}".*?<div class="readonly">(.*?)</div>', page, re.S)
    return found.group(1).strip() if found else None


def customer(session: Session) -> tuple[User, Cart]:
    """A cart of 3 x 1.10 + 1 x 0.05; orders of 10.00 and 0.30, and a cancelled 5.00."""
    buyer = factories.user(session)
    cart = factories.cart(session, buyer)
    mug = factories.product(session, price="1.10")
    pin = factories.product(session, price="0.05")
    session.add_all(
        [CartItem(cart=cart, product=mug, quantity=3), CartItem(cart=cart, product=pin)]
    )
    lamp = factories.product(session, price="2.50")
    screw = factories.product(session, price="0.10")
    factories.order(session, buyer, [(lamp, 4)])
    factories.order(session, buyer, [(screw, 3)])
    factories.order(session, buyer, [(lamp, 2)]).status = "cancelled"
    session.flush()
    return buyer, cart


def test_the_page_links_to_the_cart_and_orders_with_exact_totals(
    admin_client: Client, session: Session
) -> None:
    buyer, cart = customer(session)
    page = admin_client.get(user_url(buyer)).content.decode()
    assert readonly(page, "customer_cart") == (
        f'<a href="/admin/commerce/cart/{cart.id}/change/">Cart #{cart.id}: 2 items, 3.35</a>'
    )
    assert readonly(page, "customer_orders") == (
        f'<a href="/admin/commerce/order/?user__id__exact={buyer.id}">'
        "3 orders, total 10.30 (1 cancelled, not in the total)</a>"
    )


def test_the_orders_link_lists_this_customers_orders_only(
    admin_client: Client, session: Session
) -> None:
    buyer, _cart = customer(session)
    factories.order(session, factories.user(session), [(factories.product(session), 1)])
    response = admin_client.get("/admin/commerce/order/", {"user__id__exact": buyer.id})
    assert response.status_code == 200
    assert len(re.findall(r'<tr data-pk="\d+">', response.content.decode())) == 3


def test_a_customer_without_cart_or_orders(admin_client: Client, session: Session) -> None:
    page = admin_client.get(user_url(factories.user(session))).content.decode()
    assert readonly(page, "customer_cart") == "No cart"
    assert ">0 orders, total 0.00</a>" in str(readonly(page, "customer_orders"))


def test_each_summary_is_one_query_whatever_the_number_of_rows(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    buyer, cart = customer(session)
    with queries:
        admin_client.get(user_url(buyer))
    before = len(queries)
    summaries = [s for s in queries.selects_and_writes if "sum(" in s.lower()]
    assert len(summaries) == 2  # one for the cart, one for the orders
    for _ in range(15):
        product = factories.product(session)
        factories.order(session, buyer, [(product, 2)])
        session.add(CartItem(cart=cart, product=product, quantity=1))
    session.flush()
    with queries:
        admin_client.get(user_url(buyer))
    assert len(queries) == before


def test_the_links_follow_the_viewers_permissions(django_user_model: Any, session: Session) -> None:
    buyer, _cart = customer(session)
    users_only = staff_client(django_user_model, "social.view_user", username="a")
    page = users_only.get(user_url(buyer)).content.decode()
    assert readonly(page, "customer_cart") is None
    assert readonly(page, "customer_orders") is None
    with_orders = staff_client(
        django_user_model, "social.view_user", "commerce.view_order", username="b"
    )
    page = with_orders.get(user_url(buyer)).content.decode()
    assert readonly(page, "customer_cart") is None
    assert "3 orders, total 10.30" in str(readonly(page, "customer_orders"))


def test_the_add_page_has_no_summaries(admin_client: Client) -> None:
    page = admin_client.get("/admin/social/user/add/").content.decode()
    assert "customer_cart" not in page
    assert "customer_orders" not in page
