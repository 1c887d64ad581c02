"""The cart admin: its list (totals, filters, search), its page, "Add product …" and checkout.

The workflows themselves (merging lines, locking, races) are covered by
tests/test_cart_service.py and tests/test_checkout*.py; here they are driven through the
admin's pages and actions, as staff use them: what each page shows, what each POST
changes (or, refused, leaves exactly as it was), the messages, and who is offered what.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.models.types import utcnow
from shop.registrations.commerce import CartAdmin
from shop.services.commerce import MAX_LINE_QUANTITY
from tests import factories
from tests.action_helpers import NO_ACTION, messages_of, staff_client
from tests.auth_helpers import form_controls
from tests.commerce_helpers import audit_trail, count, fill_cart, named_product
from tests.inline_helpers import cart_data, item_row, page_errors

CARTS = "/admin/commerce/cart/"
ROW_RE = re.compile(r'<tr data-pk="(\d+)"')
PLACED = "Cart #{cart} was checked out as Order #{order}."
REFUSED = "Checkout refused, nothing was changed: "


# Reading the database and the pages


def cart_page(cart: Cart) -> str:
    return f"{CARTS}{cart.id}/change/"


def actions_url(cart: Cart) -> str:
    return f"{CARTS}{cart.id}/actions/"


def listed(response: Any) -> list[int]:
    """The cart ids of a list page, in the order shown."""
    assert response.status_code == 200
    return [int(pk) for pk in ROW_RE.findall(response.content.decode())]


def cell_html(response: Any, cart: Cart, column: str) -> str:
    """The HTML inside one list cell (`field-<column>`) in the row of `cart`."""
    body = response.content.decode()
    row = re.search(rf'<tr data-pk="{cart.id}">(.*?)</tr>', body, re.S)
    assert row is not None, f"{cart} is not listed"
    found = re.search(rf'class="field-{column}[^"]*">(.*?)</t[dh]>', row.group(1), re.S)
    assert found is not None, f"no {column} column"
    return found.group(1)


def cell(response: Any, cart: Cart, column: str) -> str:
    """The text of one list cell."""
    return re.sub(r"<[^>]+>", "", cell_html(response, cart, column)).strip()


def readonly(body: str, field: str) -> str:
    """The value of a read-only field of a change page."""
    found = re.search(rf'field-{field}">.*?<div class="readonly">([^<]*)</div>', body, re.S)
    assert found is not None, f"no read-only {field}"
    return found.group(1)


def column_index(name: str) -> int:
    """The `o=` index of a list column (Django's: its position in list_display)."""
    return list(CartAdmin.list_display).index(name)


def lines(session: Session, cart: Cart) -> dict[int, int]:
    """product id -> quantity of the cart's lines, as the database has them."""
    rows = session.execute(
        select(CartItem.product_id, CartItem.quantity).where(CartItem.cart_id == cart.id)
    )
    return dict(rows.all())


def stock(session: Session, *products: Product) -> list[int]:
    ids = [product.id for product in products]
    statement = select(Product.id, Product.stock).where(Product.id.in_(ids))
    stored = dict(session.execute(statement).all())
    return [stored[product_id] for product_id in ids]


def updated_at(session: Session, cart: Cart) -> datetime:
    return session.scalars(select(Cart.updated_at).where(Cart.id == cart.id)).one()


def orders_of(session: Session, cart: Cart) -> list[Order]:
    statement = select(Order).where(Order.user_id == cart.user_id).order_by(Order.id)
    return list(session.scalars(statement.execution_options(populate_existing=True)))


def order_lines(session: Session, order: Order) -> list[tuple[int, int, Decimal]]:
    """(product id, quantity, price paid) of an order's lines."""
    statement = (
        select(OrderItem.product_id, OrderItem.quantity, OrderItem.price_at_purchase)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.product_id)
    )
    return [tuple(row) for row in session.execute(statement)]


def age(session: Session, cart: Cart, days: float) -> datetime:
    """Set the cart's updated_at `days` in the past with an UPDATE (as time passing would)."""
    when = utcnow() - timedelta(days=days)
    session.execute(update(Cart).where(Cart.id == cart.id).values(updated_at=when))
    return when


def cart_of(session: Session, username: str, email: str | None = None) -> Cart:
    owner = factories.user(session, username=username, email=email or f"{username}@example.com")
    return factories.cart(session, owner)


def snapshot(session: Session, cart: Cart, *products: Product) -> tuple[Any, ...]:
    """Everything a refused workflow must leave as it was."""
    session.expire_all()
    return (
        count(session, Order),
        count(session, OrderItem),
        stock(session, *products),
        lines(session, cart),
        updated_at(session, cart),
        len(audit_trail(session)),
    )


# 1. The list


@pytest.fixture
def shoppers(session: Session) -> dict[str, Cart]:
    """Three carts: alice's (2 lines, 3.65), bob's (empty), carol's (1 line, 59.97)."""
    widget = named_product(session, "Widget", "W-1", price="1.10", stock=50)
    gadget = named_product(session, "Gadget", "G-1", price="0.35", stock=50)
    gizmo = named_product(session, "Gizmo", "Z-1", price="19.99", stock=50)
    carts = {
        "alice": cart_of(session, "alice", "a.smith@north.example"),
        "bob": cart_of(session, "bob", "bob@south.example"),
        "carol": cart_of(session, "carol", "carol@north.example"),
    }
    fill_cart(session, carts["alice"], [(widget, 3), (gadget, 1)])
    fill_cart(session, carts["carol"], [(gizmo, 3)])
    return carts


def test_the_list_shows_customer_item_count_total_and_update_time(
    admin_client: Client, session: Session, shoppers: dict[str, Cart]
) -> None:
    response = admin_client.get(CARTS)
    alice, bob, carol = shoppers["alice"], shoppers["bob"], shoppers["carol"]
    assert sorted(listed(response)) == sorted(cart.id for cart in (alice, bob, carol))
    row = {
        name: [cell(response, cart, column) for column in ("user__username", "item_count", "total")]
        for name, cart in shoppers.items()
    }
    assert row == {
        "alice": ["alice", "2", "3.65"],
        "bob": ["bob", "0", "0.00"],
        "carol": ["carol", "1", "59.97"],
    }
    shown = re.search(r'datetime="([^"]+)"', cell_html(response, alice, "updated_at"))
    assert shown is not None
    assert datetime.fromisoformat(shown.group(1)) == updated_at(session, alice)


def test_the_total_is_exact_to_the_cent_where_a_float_would_not_be(
    admin_client: Client, session: Session
) -> None:
    # Ten lines of 9,999,999.99 times 999,999: 99,999,899,900,000.10 needs 19 significant
    # digits, more than a float holds; the last cent survives only in exact arithmetic.
    cart = cart_of(session, "whale")
    products = [
        named_product(session, f"Yacht {n}", f"Y-{n}", price="9999999.99", stock=MAX_LINE_QUANTITY)
        for n in range(10)
    ]
    fill_cart(session, cart, [(product, 999_999) for product in products])
    expected = Decimal("9999999.99") * 999_999 * 10
    assert f"{float(expected):.2f}" != f"{expected:.2f}", "a float would lose the cent"
    response = admin_client.get(CARTS)
    assert cell(response, cart, "total") == f"{expected:.2f}" == "99999899900000.10"
    assert cell(response, cart, "item_count") == "10"


def test_the_total_and_item_count_are_computed_by_the_list_query(
    admin_client: Client, shoppers: dict[str, Cart], queries: Any
) -> None:
    with queries:
        admin_client.get(CARTS)
    [page] = [s for s in queries.selects_and_writes if "FROM carts" in s and "ORDER BY" in s]
    assert "sum(" in page.lower()
    assert "count(" in page.lower()


@pytest.mark.parametrize(
    ("column", "ascending"),
    [("total", ["bob", "alice", "carol"]), ("item_count", ["bob", "carol", "alice"])],
)
def test_the_list_sorts_by_total_and_by_item_count(
    admin_client: Client, shoppers: dict[str, Cart], column: str, ascending: list[str]
) -> None:
    ids = [shoppers[name].id for name in ascending]
    index = column_index(column)
    assert listed(admin_client.get(CARTS, {"o": str(index)})) == ids
    assert listed(admin_client.get(CARTS, {"o": f"-{index}"})) == ids[::-1]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("ali", ["alice"]),  # the start of a username
        ("lice", []),  # usernames match from their start only
        ("south", ["bob"]),  # any part of an e-mail address
        ("NORTH.example", ["alice", "carol"]),
        ("nobody", []),
    ],
)
def test_search_by_username_and_by_email(
    admin_client: Client, shoppers: dict[str, Cart], q: str, found: list[str]
) -> None:
    shown = listed(admin_client.get(CARTS, {"q": q}))
    assert sorted(shown) == sorted(shoppers[name].id for name in found)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("contents=empty", ["bob"]),
        ("contents=not_empty", ["alice", "carol"]),
        ("contents=empty&contents=not_empty", ["alice", "bob", "carol"]),
        ("contents=not_empty&q=car", ["carol"]),
    ],
)
def test_the_contents_filter(
    admin_client: Client, shoppers: dict[str, Cart], query: str, found: list[str]
) -> None:
    shown = listed(admin_client.get(f"{CARTS}?{query}"))
    assert sorted(shown) == sorted(shoppers[name].id for name in found)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("abandoned=7", ["alice", "bob"]),
        ("abandoned=30", ["bob"]),
        ("abandoned=7&contents=not_empty", ["alice"]),  # abandoned carts worth chasing
    ],
)
def test_the_abandoned_filter_reads_updated_at(
    admin_client: Client,
    session: Session,
    shoppers: dict[str, Cart],
    query: str,
    found: list[str],
) -> None:
    age(session, shoppers["alice"], 8)
    age(session, shoppers["bob"], 31)
    age(session, shoppers["carol"], 6.9)  # not quite a week: still active
    shown = listed(admin_client.get(f"{CARTS}?{query}"))
    assert sorted(shown) == sorted(shoppers[name].id for name in found)


@pytest.mark.parametrize(
    "query",
    ["contents=full", "contents=", "contents=EMPTY", "abandoned=365", "abandoned=7.0",
     "abandoned=-7", "abandoned=7'--", "abandoned=" + "9" * 40],
)  # fmt: skip
def test_an_undeclared_filter_value_is_the_lists_error_redirect(
    admin_client: Client, shoppers: dict[str, Cart], query: str
) -> None:
    response = admin_client.get(f"{CARTS}?{query}")
    assert response.status_code == 302
    assert response.url == f"{CARTS}?e=1"
    assert admin_client.get(response.url).status_code == 200


def test_the_list_runs_the_same_queries_for_3_and_30_carts(
    admin_client: Client, session: Session, queries: Any
) -> None:
    products = [factories.product(session, price=f"{n}.25") for n in range(1, 4)]

    def add_carts(how_many: int) -> None:
        for n in range(how_many):
            cart = factories.cart(session)
            fill_cart(session, cart, [(product, n + 1) for product in products[: n % 4]])

    def measure(query: str) -> tuple[int, int]:
        with queries:
            response = admin_client.get(CARTS + query)
        assert queries.writes == [], "a list page never writes"
        return len(queries), len(listed(response))

    busy = f"?o=-{column_index('total')}.{column_index('item_count')}&q=user&contents=not_empty"
    add_carts(3)
    small, small_busy = measure(""), measure(busy)
    add_carts(27)
    large, large_busy = measure(""), measure(busy)
    assert (small[1], large[1]) == (3, 30)
    assert small[0] == large[0]
    assert small_busy[0] == large_busy[0]
    assert large_busy[1] > small_busy[1] > 0


# 2. The cart's page


def test_the_page_shows_todays_unit_price_line_totals_and_the_cart_total(
    admin_client: Client, session: Session
) -> None:
    cart = cart_of(session, "dora")
    widget = named_product(session, "Widget", "W-1", price="1.10")
    gadget = named_product(session, "Gadget", "G-1", price="0.35")
    fill_cart(session, cart, [(widget, 3), (gadget, 7)])
    # The price changes after the lines were added: the page shows today's.
    session.execute(update(Product).where(Product.id == widget.id).values(price=Decimal("1.15")))
    response = admin_client.get(cart_page(cart))
    assert response.status_code == 200
    body = response.content.decode()
    assert inline_rows(body) == [("1.15", "3.45"), ("0.35", "2.45")]
    assert readonly(body, "cart_total") == "5.90"
    assert '<th class="column-unit_price" scope="col">Unit price (today)</th>' in body
    assert '<th class="column-line_total" scope="col">Line total</th>' in body


def inline_rows(body: str) -> list[tuple[str, str]]:
    """(unit price, line total) of each saved line of the items inline, in page order."""
    rows = re.findall(
        r'<tr class="form-row" id="items-\d+">.*?field-unit_price"><p class="readonly">([^<]*)<'
        r'.*?field-line_total"><p class="readonly">([^<]*)<',
        body,
        re.S,
    )
    return [(unit, total) for unit, total in rows]


def test_the_page_runs_the_same_queries_for_2_and_20_lines(
    admin_client: Client, session: Session, queries: Any
) -> None:
    def measure(lines_in_cart: int) -> int:
        cart = factories.cart(session)
        products = [factories.product(session) for _ in range(lines_in_cart)]
        fill_cart(session, cart, [(product, 2) for product in products])
        with queries:
            response = admin_client.get(cart_page(cart))
        assert queries.writes == [], "a GET never writes"
        assert len(inline_rows(response.content.decode())) == lines_in_cart
        return len(queries)

    assert measure(2) == measure(20)


# 3. "Add product …"


def add_product(
    client: Client, cart: Cart, product: Any = None, quantity: Any = None, **extra: str
) -> Any:
    """POST "Add product …" from the cart's page; with product/quantity, confirm the form."""
    data: dict[str, str] = {
        "action": "add_product_to_cart",
        "index": "0",
        "_selected_action": str(cart.id),
        **extra,
    }
    if product is not None or quantity is not None:
        data["post"] = "yes"
        data["product"] = str(product.id if isinstance(product, Product) else product)
        data["quantity"] = str(quantity)
    return client.post(actions_url(cart), data)


@pytest.fixture
def stocked(session: Session) -> tuple[Cart, Product, Product]:
    """A cart holding 2 widgets, and a gadget not in it yet."""
    cart = cart_of(session, "erin")
    widget = named_product(session, "Widget", "W-1", price="1.10", stock=10)
    gadget = named_product(session, "Gadget", "G-1", price="0.35", stock=10)
    fill_cart(session, cart, [(widget, 2)])
    return cart, widget, gadget


def test_add_product_first_shows_its_form_and_changes_nothing(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    before = snapshot(session, cart, widget)
    response = add_product(admin_client, cart)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add product …</h1>" in body
    assert re.search(r'<input type="text" name="product"[^>]*required', body)
    assert "/admin/autocomplete/?app_label=commerce&amp;model_name=cartitem" in body
    assert re.search(r'<input type="number" name="quantity" value="1" min="1" max="1000000"', body)
    assert f'<input type="hidden" name="_selected_action" value="{cart.id}">' in body
    assert '<input type="hidden" name="post" value="yes">' in body
    assert f'href="{cart_page(cart)}" class="button cancel-link"' in body
    assert snapshot(session, cart, widget) == before


def test_add_product_merges_into_the_existing_line(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    [(line_id,)] = session.execute(select(CartItem.id).where(CartItem.cart_id == cart.id))
    response = add_product(admin_client, cart, widget, 3)
    assert response.status_code == 302
    assert response.url == cart_page(cart)
    assert messages_of(response) == [
        f"Added 3 × “Widget (W-1)” to Cart #{cart.id}: the line now holds 5."
    ]
    assert lines(session, cart) == {widget.id: 5}, "one line, the quantities summed"
    assert audit_trail(session) == [
        ("change", "commerce.cartitem", str(line_id), {"quantity": ("2", "5")})
    ]
    assert updated_at(session, cart) > utcnow() - timedelta(minutes=5)


def test_add_product_adds_a_line_for_a_new_product(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, gadget = stocked
    age(session, cart, 40)
    response = add_product(admin_client, cart, gadget, 4)
    assert response.url == cart_page(cart)
    assert messages_of(response) == [
        f"Added 4 × “Gadget (G-1)” to Cart #{cart.id}: the line now holds 4."
    ]
    assert lines(session, cart) == {widget.id: 2, gadget.id: 4}
    new_id = session.scalar(select(CartItem.id).where(CartItem.product_id == gadget.id))
    [(action, entity, entity_id, details)] = audit_trail(session)
    assert (action, entity, entity_id) == ("add", "commerce.cartitem", str(new_id))
    assert details["product_id"] == (None, str(gadget.id))
    assert details["quantity"] == (None, "4")
    assert details["cart_id"] == (None, str(cart.id))
    # The cart counts as touched: it leaves the abandoned list.
    assert cart.id not in listed(admin_client.get(CARTS, {"abandoned": "30"}))


def test_add_product_refuses_an_inactive_product_with_the_workflows_message(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, gadget = stocked
    session.execute(update(Product).where(Product.id == gadget.id).values(is_active=False))
    before = snapshot(session, cart, widget, gadget)
    response = add_product(admin_client, cart, gadget, 1)
    assert response.status_code == 302
    assert response.url == cart_page(cart)
    assert messages_of(response) == [
        "“Gadget (G-1)” is inactive (not for sale), so it cannot be added to a cart."
    ]
    assert snapshot(session, cart, widget, gadget) == before


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-1", "Ensure this value is greater than or equal to 1."),
        ("abc", "Enter a whole number."),
        ("2.5", "Enter a whole number."),
        ("", "This field is required."),
        (str(MAX_LINE_QUANTITY + 1), f"less than or equal to {MAX_LINE_QUANTITY}."),
        ("9" * 40, "less than or equal to"),
    ],
)  # fmt: skip
def test_an_invalid_quantity_shows_the_form_again_and_changes_nothing(
    admin_client: Client,
    session: Session,
    stocked: tuple[Cart, Product, Product],
    quantity: str,
    error: str,
) -> None:
    cart, widget, gadget = stocked
    before = snapshot(session, cart, widget, gadget)
    response = add_product(admin_client, cart, gadget, quantity)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add product …</h1>" in body
    assert error in body
    assert f'<input type="hidden" name="_selected_action" value="{cart.id}">' in body
    assert snapshot(session, cart, widget, gadget) == before


@pytest.mark.parametrize("product", ["", "abc", "999999999", "-1", "1.5"])
def test_an_invalid_product_shows_the_form_again_and_changes_nothing(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product], product: str
) -> None:
    cart, widget, gadget = stocked
    before = snapshot(session, cart, widget, gadget)
    response = add_product(admin_client, cart, product, 1)
    assert response.status_code == 200
    assert "<h1>Add product …</h1>" in response.content.decode()
    assert response.context["form"].errors["product"]
    assert snapshot(session, cart, widget, gadget) == before


def test_a_line_that_would_pass_the_limit_is_refused_and_unchanged(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, gadget = stocked
    session.execute(
        update(CartItem).where(CartItem.cart_id == cart.id).values(quantity=MAX_LINE_QUANTITY - 1)
    )
    before = snapshot(session, cart, widget, gadget)
    response = add_product(admin_client, cart, widget, 2)
    assert response.url == cart_page(cart)
    [message] = messages_of(response)
    assert message.startswith(f"A cart line holds at most {MAX_LINE_QUANTITY};")
    assert "“Widget (W-1)”" in message
    assert snapshot(session, cart, widget, gadget) == before


def test_add_product_is_not_a_list_action(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    """It only makes sense on one cart: the list neither offers nor runs it."""
    cart, widget, gadget = stocked
    assert "add_product_to_cart" not in action_choices(admin_client.get(CARTS))
    data = {"action": "add_product_to_cart", "index": "0", "_selected_action": str(cart.id)}
    response = admin_client.post(
        CARTS, {**data, "post": "yes", "product": str(gadget.id), "quantity": "1"}
    )
    assert messages_of(response) == [NO_ACTION]
    assert lines(session, cart) == {widget.id: 2}


# 4. Checkout from the cart's page


def check_out(client: Client, cart: Cart) -> Any:
    """The "Check out" button of the cart's page."""
    data = {"action": "checkout_carts", "index": "0", "_selected_action": str(cart.id)}
    return client.post(actions_url(cart), data)


def test_checkout_opens_the_new_order_placed_at_todays_prices(
    admin_client: Client, session: Session
) -> None:
    cart = cart_of(session, "fred")
    widget = named_product(session, "Widget", "W-1", price="1.10", stock=10)
    gadget = named_product(session, "Gadget", "G-1", price="0.35", stock=3)
    fill_cart(session, cart, [(widget, 4), (gadget, 3)])
    session.execute(update(Product).where(Product.id == widget.id).values(price=Decimal("1.25")))

    response = check_out(admin_client, cart)

    [order] = orders_of(session, cart)
    assert response.status_code == 302
    assert response.url == f"/admin/commerce/order/{order.id}/change/"
    assert messages_of(response) == [PLACED.format(cart=cart.id, order=order.id)]
    assert order.status == "pending"
    assert order_lines(session, order) == [
        (widget.id, 4, Decimal("1.25")),
        (gadget.id, 3, Decimal("0.35")),
    ]
    assert stock(session, widget, gadget) == [6, 0]
    assert lines(session, cart) == {}, "the cart is emptied"
    assert session.get(Cart, cart.id) is not None, "the cart itself stays"
    audited = {(action, entity) for action, entity, _id, _details in audit_trail(session)}
    assert audited == {
        ("add", "commerce.order"),
        ("add", "commerce.orderitem"),
        ("change", "commerce.product"),
        ("delete", "commerce.cartitem"),
    }
    assert readonly(admin_client.get(response.url).content.decode(), "order_total") == "6.05"


@pytest.mark.parametrize("problem", ["empty", "inactive", "short"])
def test_a_refused_checkout_goes_back_to_the_cart_and_changes_nothing(
    admin_client: Client, session: Session, problem: str
) -> None:
    cart = cart_of(session, "gina")
    widget = named_product(session, "Widget", "W-1", price="1.10", stock=2)
    gadget = named_product(session, "Gadget", "G-1", price="0.35", stock=10)
    if problem != "empty":
        fill_cart(session, cart, [(widget, 1 if problem == "inactive" else 3), (gadget, 1)])
    if problem == "inactive":
        session.execute(update(Product).where(Product.id == widget.id).values(is_active=False))
    age(session, cart, 3)
    before = snapshot(session, cart, widget, gadget)

    response = check_out(admin_client, cart)

    assert response.status_code == 302
    assert response.url == cart_page(cart)
    reason = {
        "empty": f"Cart #{cart.id} is empty, there is nothing to check out",
        "inactive": "“Widget (W-1)” is inactive (not for sale)",
        "short": "only 2 of “Widget (W-1)” in stock, 3 requested",
    }[problem]
    assert messages_of(response) == [f"{REFUSED}{reason}."]
    assert snapshot(session, cart, widget, gadget) == before
    assert admin_client.get(response.url).status_code == 200


def test_checkout_of_a_cart_deleted_meanwhile_is_not_an_error(
    admin_client: Client, session: Session
) -> None:
    cart = cart_of(session, "hank")
    fill_cart(session, cart, [(factories.product(session), 1)])
    session.execute(delete(Cart).where(Cart.id == cart.id))
    response = check_out(admin_client, cart)
    assert response.status_code == 302
    assert count(session, Order) == 0


# 5. Checkout of the carts ticked in the list


def check_out_from_list(client: Client, carts: list[Cart], url: str = CARTS) -> Any:
    data = {
        "action": "checkout_carts",
        "index": "0",
        "_selected_action": [str(cart.id) for cart in carts],
    }
    return client.post(url, data)


@pytest.fixture
def three_carts(session: Session) -> tuple[list[Cart], Product]:
    """Three carts wanting 2, 3 and 4 of a widget (stock 100)."""
    widget = named_product(session, "Widget", "W-1", price="2.50", stock=100)
    carts = [cart_of(session, name) for name in ("ivan", "judy", "kurt")]
    for cart, quantity in zip(carts, (2, 3, 4), strict=True):
        fill_cart(session, cart, [(widget, quantity)])
    return carts, widget


def test_checkout_of_several_carts_places_an_order_each(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    url = CARTS + "?contents=not_empty"
    response = check_out_from_list(admin_client, carts, url)
    assert response.status_code == 302
    assert response.url == url, "back to the list"
    orders = [orders_of(session, cart) for cart in carts]
    assert [len(placed) for placed in orders] == [1, 1, 1]
    placed = ", ".join(
        f"Order #{o.id} (from Cart #{c.id})" for c, [o] in zip(carts, orders, strict=True)
    )
    assert messages_of(response) == [f"Checked out 3 carts: {placed}."]
    assert [order_lines(session, order) for [order] in orders] == [
        [(widget.id, quantity, Decimal("2.50"))] for quantity in (2, 3, 4)
    ]
    assert stock(session, widget) == [91]
    assert all(lines(session, cart) == {} for cart in carts)


def test_a_cart_short_of_stock_is_refused_while_the_others_are_placed(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    gadget = named_product(session, "Gadget", "G-1", price="0.35", stock=1)
    fill_cart(session, carts[1], [(gadget, 2)])
    response = check_out_from_list(admin_client, carts)
    judy = carts[1]
    [ivan_order] = orders_of(session, carts[0])
    [kurt_order] = orders_of(session, carts[2])
    assert orders_of(session, judy) == []
    placed = f"Order #{ivan_order.id} (from Cart #{carts[0].id}), " + (
        f"Order #{kurt_order.id} (from Cart #{carts[2].id})"
    )
    assert messages_of(response) == [
        f"Cart #{judy.id}: {REFUSED}only 1 of “Gadget (G-1)” in stock, 2 requested.",
        f"Checked out 2 carts: {placed}.",
    ]
    assert stock(session, widget, gadget) == [100 - 2 - 4, 1]
    assert lines(session, judy) == {widget.id: 3, gadget.id: 2}, "the refused cart is intact"
    assert lines(session, carts[0]) == lines(session, carts[2]) == {}


def test_when_every_cart_is_refused_nothing_is_placed(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    session.execute(update(Product).where(Product.id == widget.id).values(stock=1))
    before = [snapshot(session, cart, widget) for cart in carts]
    response = check_out_from_list(admin_client, carts)
    assert response.url == CARTS
    found = messages_of(response)
    assert len(found) == 3
    for cart, message, wanted in zip(carts, found, (2, 3, 4), strict=True):
        expected = f"only 1 of “Widget (W-1)” in stock, {wanted} requested."
        assert message == f"Cart #{cart.id}: {REFUSED}{expected}"
    assert [snapshot(session, cart, widget) for cart in carts] == before


def test_a_ticked_cart_deleted_meanwhile_is_reported(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    session.execute(delete(Cart).where(Cart.id == carts[1].id))
    response = check_out_from_list(admin_client, carts)
    assert response.url == CARTS
    [warning, placed] = messages_of(response)
    assert warning == "1 selected cart no longer exists: nothing was done for it."
    assert placed.startswith("Checked out 2 carts: ")
    assert [len(orders_of(session, cart)) for cart in (carts[0], carts[2])] == [1, 1]
    assert count(session, Order) == 2
    assert stock(session, widget) == [100 - 2 - 4]


def test_two_ticked_carts_deleted_meanwhile_leave_one_order_opened(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    session.execute(delete(Cart).where(Cart.id.in_([carts[0].id, carts[2].id])))
    response = check_out_from_list(admin_client, carts)
    [order] = orders_of(session, carts[1])
    assert response.url == f"/admin/commerce/order/{order.id}/change/"
    assert messages_of(response) == [
        "2 selected carts no longer exist: nothing was done for them.",
        PLACED.format(cart=carts[1].id, order=order.id),
    ]
    assert stock(session, widget) == [97]


def test_checkout_across_the_whole_filtered_list(
    admin_client: Client, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, _widget = three_carts
    empty = cart_of(session, "lena")
    url = CARTS + "?contents=not_empty"
    data = {"action": "checkout_carts", "index": "0", "select_across": "1"}
    response = admin_client.post(url, data)
    assert response.url == url
    [message] = messages_of(response)
    assert message.startswith("Checked out 3 carts: ")
    assert [len(orders_of(session, cart)) for cart in carts] == [1, 1, 1]
    assert orders_of(session, empty) == [], "the filter left the empty cart out"


# 6. Who is offered what


def action_choices(response: Any) -> list[str]:
    bar = re.search(r'<select name="action">(.*?)</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="([^"]*)"', bar.group(1)) if bar else []


def buttons(response: Any) -> set[str]:
    """The workflow buttons of a cart's page."""
    assert response.status_code == 200
    return set(re.findall(r'id="object-action-(\w+)"', response.content.decode()))


CART_CLERK = ("commerce.view_cart", "commerce.change_cart", "commerce.view_order")
LINE_CLERK = ("commerce.add_cartitem", "commerce.change_cartitem", "commerce.view_cartitem")


def test_checkout_needs_the_permission_to_add_orders(
    django_user_model: Any, session: Session, three_carts: tuple[list[Cart], Product]
) -> None:
    carts, widget = three_carts
    clerk = staff_client(django_user_model, *CART_CLERK, *LINE_CLERK)
    assert "checkout_carts" not in action_choices(clerk.get(CARTS))
    assert "checkout_carts" not in action_choices(clerk.get(cart_page(carts[0])))
    assert buttons(clerk.get(cart_page(carts[0]))) == {"add_product_to_cart"}
    before = [snapshot(session, cart, widget) for cart in carts]
    # Forged POSTs, from the list and from the cart's page.
    assert messages_of(check_out_from_list(clerk, carts)) == [NO_ACTION]
    assert messages_of(check_out(clerk, carts[0])) == [NO_ACTION]
    assert [snapshot(session, cart, widget) for cart in carts] == before

    cashier = staff_client(django_user_model, *CART_CLERK, "commerce.add_order", username="cashier")
    assert "checkout_carts" in action_choices(cashier.get(CARTS))
    assert buttons(cashier.get(cart_page(carts[0]))) == {"checkout_carts"}
    response = check_out(cashier, carts[0])
    [order] = orders_of(session, carts[0])
    assert response.url == f"/admin/commerce/order/{order.id}/change/"


def test_a_viewer_is_offered_no_workflow(
    django_user_model: Any, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, gadget = stocked
    viewer = staff_client(django_user_model, "commerce.view_cart", username="viewer")
    page = viewer.get(cart_page(cart))
    assert buttons(page) == set()
    assert "Add product …" not in page.content.decode()
    assert "_selected_action" not in viewer.get(CARTS).content.decode()
    before = snapshot(session, cart, widget, gadget)
    response = add_product(viewer, cart, gadget, 1)
    assert messages_of(response) == [NO_ACTION]
    assert snapshot(session, cart, widget, gadget) == before


def test_add_product_needs_the_permission_to_add_and_change_lines(
    django_user_model: Any, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, gadget = stocked
    changer = staff_client(django_user_model, "commerce.view_cart", "commerce.change_cart")
    assert buttons(changer.get(cart_page(cart))) == set()
    assert messages_of(add_product(changer, cart, gadget, 1)) == [NO_ACTION]
    assert lines(session, cart) == {widget.id: 2}


# Editing lines on the cart's page: what the workflows promise must hold there too.


def test_the_items_inline_keeps_a_line_within_the_workflows_limit(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    [line] = session.scalars(select(CartItem).where(CartItem.cart_id == cart.id))
    data = cart_data(cart, [item_row(line, quantity=MAX_LINE_QUANTITY + 1)])
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "items")
    assert rows[0]["quantity"]
    assert lines(session, cart) == {widget.id: 2}


def test_editing_the_lines_on_the_cart_page_touches_the_cart(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    aged = age(session, cart, 40)
    [line] = session.scalars(select(CartItem).where(CartItem.cart_id == cart.id))
    response = admin_client.post(cart_page(cart), cart_data(cart, [item_row(line, quantity=5)]))
    assert response.status_code == 302
    assert lines(session, cart) == {widget.id: 5}
    assert updated_at(session, cart) > aged
    assert cart.id not in listed(admin_client.get(CARTS, {"abandoned": "30"}))


def test_editing_a_line_on_its_own_page_touches_the_cart(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    aged = age(session, cart, 40)
    [line] = session.scalars(select(CartItem).where(CartItem.cart_id == cart.id))
    url = f"/admin/commerce/cartitem/{line.id}/change/"
    data = {**form_controls(admin_client.get(url).content.decode(), "cartitem_form").data}
    response = admin_client.post(url, {**data, "quantity": ["7"], "_save": "1"})
    assert response.status_code == 302
    assert lines(session, cart) == {widget.id: 7}
    assert updated_at(session, cart) > aged


def test_a_line_on_its_own_page_keeps_within_the_workflows_limit(
    admin_client: Client, session: Session, stocked: tuple[Cart, Product, Product]
) -> None:
    cart, widget, _gadget = stocked
    [line] = session.scalars(select(CartItem).where(CartItem.cart_id == cart.id))
    url = f"/admin/commerce/cartitem/{line.id}/change/"
    data = {**form_controls(admin_client.get(url).content.decode(), "cartitem_form").data}
    response = admin_client.post(url, {**data, "quantity": [str(MAX_LINE_QUANTITY + 1)]})
    assert response.status_code == 200
    assert f"A cart line holds at most {MAX_LINE_QUANTITY:,} units." in response.content.decode()
    assert lines(session, cart) == {widget.id: 2}
