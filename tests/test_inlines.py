"""Inlines: a parent's rows added, changed and deleted with it, in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.admin import AdminSite, ModelAdmin
from shop.admin.inlines import TabularInline
from shop.models import Cart, CartItem, Enrollment, Order, OrderItem, Owner, Pet, Product, User
from shop.registrations import site
from shop.registrations.commerce import CartItemInline
from tests import factories
from tests.change_form_helpers import audit_of, grant, messages_of
from tests.inline_helpers import (
    cart_data,
    cart_page,
    formset,
    item_row,
    page_errors,
    quantities,
)


def _cart_with(session: Session, *quantities_: int) -> tuple[Cart, list[CartItem]]:
    cart = factories.cart(session)
    products = [factories.product(session) for _ in quantities_]
    items = [
        CartItem(cart=cart, product=product, quantity=quantity)
        for product, quantity in zip(products, quantities_, strict=True)
    ]
    session.add_all(items)
    session.flush()
    return cart, items


# The page


def test_the_change_page_renders_django_formset_fields(
    admin_client: Client, session: Session
) -> None:
    cart, (item,) = _cart_with(session, 2)
    page = admin_client.get(cart_page(cart)).content.decode()
    for name in ("items-TOTAL_FORMS", "items-INITIAL_FORMS", "items-MIN_NUM_FORMS"):
        assert f'name="{name}"' in page
    assert f'name="items-0-id" value="{item.id}"' in page
    assert 'name="items-0-quantity" value="2"' in page
    assert 'name="items-0-DELETE"' in page
    assert 'name="items-1-product"' in page  # one `extra` row, for pages without JavaScript
    assert 'name="items-__prefix__-product"' in page  # the template "Add another" copies
    assert f'href="/admin/commerce/cartitem/{item.id}/change/"' in page  # show_change_link


def test_the_add_page_offers_blank_rows(admin_client: Client) -> None:
    page = admin_client.get("/admin/commerce/cart/add/").content.decode()
    assert 'name="items-INITIAL_FORMS" value="0"' in page
    assert 'name="items-0-product"' in page


# Saving rows with the parent


def test_add_change_and_delete_rows_in_one_post(admin_client: Client, session: Session) -> None:
    cart, (keep, drop) = _cart_with(session, 2, 1)
    added = factories.product(session)
    drop_id = drop.id
    data = cart_data(
        cart,
        [item_row(keep, quantity=5), item_row(drop, DELETE=True)],
        new=[{"product": added.id, "quantity": 3}],
    )
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 302, page_errors(response, "items")
    assert quantities(session, cart) == {keep.product_id: 5, added.id: 3}
    assert messages_of(response) == [
        f'The cart “<a href="{cart_page(cart)}">Cart #{cart.id}</a>” was changed successfully.'
    ]
    assert audit_of(session, "commerce.cartitem", keep.id) == [("change", {"quantity": ("2", "5")})]
    assert audit_of(session, "commerce.cartitem", drop_id)[0][0] == "delete"
    new_item = session.execute(select(CartItem).where(CartItem.product_id == added.id)).scalar_one()
    # (SQLite may give the new row the deleted row's id: pick the addition.)
    added_records = [
        d for a, d in audit_of(session, "commerce.cartitem", new_item.id) if a == "add"
    ]
    assert added_records == [
        {
            "cart_id": (None, str(cart.id)),
            "id": (None, str(new_item.id)),
            "product_id": (None, str(added.id)),
            "quantity": (None, "3"),
        }
    ]


def test_unchanged_rows_and_blank_extra_rows_write_nothing(
    admin_client: Client, session: Session, queries: Any
) -> None:
    cart, (item,) = _cart_with(session, 2)
    data = cart_data(cart, [item_row(item)], new=[{"product": "", "quantity": "1"}])
    with queries:
        response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 302
    assert queries.writes == []


def test_an_invalid_row_saves_nothing_of_the_parent_or_other_rows(
    admin_client: Client, session: Session
) -> None:
    cart, (first, second) = _cart_with(session, 2, 1)
    other_user = factories.user(session)
    data = cart_data(
        cart,
        [item_row(first, quantity=7), item_row(second, quantity="many")],
    )
    data["user"] = str(other_user.id)
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "items")
    assert rows[1] == {"quantity": ["Enter a whole number."]}
    assert response.context["error_count"] == 1
    session.expire_all()
    assert session.get(Cart, cart.id).user_id == cart.user_id  # type: ignore[union-attr]
    assert quantities(session, cart) == {first.product_id: 2, second.product_id: 1}


def test_a_row_the_database_refuses_rolls_back_everything(
    admin_client: Client, session: Session
) -> None:
    cart, (first, second) = _cart_with(session, 2, 1)
    data = cart_data(cart, [item_row(first, quantity=7), item_row(second, quantity=0)])
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "items")
    assert rows[1] == {"quantity": ["This value breaks the rule “quantity positive”."]}
    assert quantities(session, cart) == {first.product_id: 2, second.product_id: 1}
    assert audit_of(session, "commerce.cartitem", first.id) == []


def test_a_product_already_in_the_cart_is_a_row_error(
    admin_client: Client, session: Session
) -> None:
    cart, (item,) = _cart_with(session, 2)
    data = cart_data(cart, [item_row(item)], new=[{"product": item.product_id, "quantity": 1}])
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "items")
    assert rows[1] == {"__all__": ["Cart item with this Cart and Product already exists."]}


def test_the_same_product_twice_in_new_rows_is_a_row_error(
    admin_client: Client, session: Session
) -> None:
    cart, _items = _cart_with(session)
    product = factories.product(session)
    rows = [{"product": product.id, "quantity": 1}, {"product": product.id, "quantity": 2}]
    response = admin_client.post(cart_page(cart), cart_data(cart, new=rows))
    assert response.status_code == 200
    _non_form, errors = page_errors(response, "items")
    assert errors[1] == {
        "__all__": ["Please correct the duplicate data for product, which must be unique."]
    }
    assert quantities(session, cart) == {}


def test_a_deleted_row_frees_its_product_for_a_new_row(
    admin_client: Client, session: Session
) -> None:
    cart, (item,) = _cart_with(session, 2)
    data = cart_data(
        cart,
        [item_row(item, DELETE=True)],
        new=[{"product": item.product_id, "quantity": 9}],
    )
    response = admin_client.post(cart_page(cart), data)
    # The pre-check still sees the row being deleted, as Django's does.
    assert response.status_code == 200
    assert quantities(session, cart) == {item.product_id: 2}


def test_rows_are_saved_with_a_new_parent(admin_client: Client, session: Session) -> None:
    owner_user = factories.user(session)
    product = factories.product(session)
    data = {
        "user": str(owner_user.id),
        **formset("items", new=[{"product": product.id, "quantity": 4}]),
        "_save": "1",
    }
    response = admin_client.post("/admin/commerce/cart/add/", data)
    assert response.status_code == 302, page_errors(response, "items")
    cart = session.execute(select(Cart).where(Cart.user_id == owner_user.id)).scalar_one()
    assert quantities(session, cart) == {product.id: 4}


# max_num, min_num


def test_max_num_refuses_more_rows(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CartItemInline, "max_num", 2)
    cart, (item,) = _cart_with(session, 1)
    new = [{"product": factories.product(session).id, "quantity": 1} for _ in range(2)]
    response = admin_client.post(cart_page(cart), cart_data(cart, [item_row(item)], new=new))
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["Please submit at most 2 cart items."]
    assert quantities(session, cart) == {item.product_id: 1}
    page = admin_client.get(cart_page(cart)).content.decode()
    assert 'data-max-num="2"' in page
    assert 'name="items-1-product"' in page
    assert 'name="items-2-product"' not in page


def test_min_num_refuses_deleting_the_last_row(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CartItemInline, "min_num", 1)
    cart, (item,) = _cart_with(session, 1)
    response = admin_client.post(cart_page(cart), cart_data(cart, [item_row(item, DELETE=True)]))
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["Please submit at least 1 cart item."]
    assert quantities(session, cart) == {item.product_id: 1}


def test_min_num_rows_are_required_on_the_add_page(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CartItemInline, "min_num", 1)
    owner_user = factories.user(session)
    data = {"user": str(owner_user.id), **formset("items", new=[{}]), "_save": "1"}
    response = admin_client.post("/admin/commerce/cart/add/", data)
    assert response.status_code == 200
    assert page_errors(response, "items")[1][0]["product"] == ["This field is required."]
    assert session.execute(select(Cart).where(Cart.user_id == owner_user.id)).first() is None


# Forged POSTs change nothing and are never a 500


def test_a_row_of_another_cart_is_refused(admin_client: Client, session: Session) -> None:
    cart, (mine,) = _cart_with(session, 1)
    other, (theirs,) = _cart_with(session, 4)
    forged = {"id": theirs.id, "product": theirs.product_id, "quantity": 99, "DELETE": True}
    response = admin_client.post(cart_page(cart), cart_data(cart, [item_row(mine), forged]))
    assert response.status_code == 200
    assert "belongs elsewhere" in page_errors(response, "items")[0][0]
    assert quantities(session, other) == {theirs.product_id: 4}


@pytest.mark.parametrize(
    "management",
    [
        {"items-TOTAL_FORMS": "999999999"},
        {"items-TOTAL_FORMS": "-3", "items-INITIAL_FORMS": "-1"},
        {"items-INITIAL_FORMS": "50"},
        {"items-TOTAL_FORMS": "x"},
        {"items-TOTAL_FORMS": None, "items-INITIAL_FORMS": None},
    ],
)
def test_a_tampered_management_form_is_a_form_error(
    admin_client: Client, session: Session, management: dict[str, str | None]
) -> None:
    cart, (item,) = _cart_with(session, 1)
    data = cart_data(cart, [item_row(item, quantity=8)])
    for key, value in management.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 200
    assert page_errors(response, "items")[0]
    assert quantities(session, cart) == {item.product_id: 1}


def _staff_with(django_user_model: Any, *codenames: tuple[str, str]) -> Any:
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    for model, codename in codenames:
        grant(user, f"{codename}_{model}", app="commerce", model=model)
    return django_user_model.objects.get(pk=user.pk)  # a fresh permission cache


def test_a_new_row_without_add_permission_is_refused(
    client: Client, session: Session, django_user_model: Any
) -> None:
    client.force_login(_staff_with(django_user_model, ("cart", "change"), ("cartitem", "change")))
    cart, (item,) = _cart_with(session, 1)
    page = client.get(cart_page(cart)).content.decode()
    assert 'name="items-1-product"' not in page  # no extra rows, no template
    assert "empty-form" not in page
    new = [{"product": factories.product(session).id, "quantity": 1}]
    response = client.post(cart_page(cart), cart_data(cart, [item_row(item)], new=new))
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["You may not add cart items."]
    assert quantities(session, cart) == {item.product_id: 1}


def test_delete_without_delete_permission_is_refused(
    client: Client, session: Session, django_user_model: Any
) -> None:
    client.force_login(_staff_with(django_user_model, ("cart", "change"), ("cartitem", "change")))
    cart, (item,) = _cart_with(session, 1)
    assert 'name="items-0-DELETE"' not in client.get(cart_page(cart)).content.decode()
    response = client.post(cart_page(cart), cart_data(cart, [item_row(item, DELETE=True)]))
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["You may not delete cart items."]
    assert quantities(session, cart) == {item.product_id: 1}


def test_delete_past_can_delete_is_refused(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CartItemInline, "can_delete", False)
    cart, (item,) = _cart_with(session, 1)
    response = admin_client.post(cart_page(cart), cart_data(cart, [item_row(item, DELETE=True)]))
    assert page_errors(response, "items")[0] == ["You may not delete cart items."]
    assert quantities(session, cart) == {item.product_id: 1}


def test_view_only_rows_are_read_only_and_ignore_posted_values(
    client: Client, session: Session, django_user_model: Any
) -> None:
    client.force_login(_staff_with(django_user_model, ("cart", "change"), ("cartitem", "view")))
    cart, (item,) = _cart_with(session, 2)
    page = client.get(cart_page(cart)).content.decode()
    assert 'name="items-0-quantity"' not in page
    assert '<p class="readonly">2</p>' in page
    response = client.post(cart_page(cart), cart_data(cart, [item_row(item, quantity=50)]))
    assert response.status_code == 302
    assert quantities(session, cart) == {item.product_id: 2}


def test_an_inline_the_user_may_not_see_is_not_there(
    client: Client, session: Session, django_user_model: Any
) -> None:
    client.force_login(_staff_with(django_user_model, ("cart", "change")))
    cart, (item,) = _cart_with(session, 2)
    response = client.get(cart_page(cart))
    assert response.context["inline_admin_formsets"] == []
    forged = cart_data(cart, [item_row(item, quantity=50)])
    assert client.post(cart_page(cart), forged).status_code == 302
    assert quantities(session, cart) == {item.product_id: 2}


def test_a_view_only_parent_shows_its_rows_read_only(
    client: Client, session: Session, django_user_model: Any
) -> None:
    client.force_login(_staff_with(django_user_model, ("cart", "view"), ("cartitem", "change")))
    cart, _items = _cart_with(session, 2)
    page = client.get(cart_page(cart)).content.decode()
    assert 'name="items-0-quantity"' not in page
    assert 'name="items-0-DELETE"' not in page


# Order lines: placed at checkout, never edited on the order's page


def _order(session: Session, price: str = "9.99") -> tuple[Order, OrderItem]:
    product = factories.product(session, price=price)
    order = factories.order(session, factories.user(session), [(product, 2)])
    return order, order.items[0]


def _order_page(order: Order) -> str:
    return f"/admin/commerce/order/{order.id}/change/"


def _order_data(order: Order, existing: list[dict[str, Any]], **kwargs: Any) -> dict[str, str]:
    return {
        "user": str(order.user_id),
        "status": order.status,
        "_version": str(order.version_id),
        **formset("items", existing, kwargs.pop("new", ())),
        "_save": "1",
    }


def _lines(session: Session, order: Order) -> list[tuple[int, int, Decimal]]:
    """(product id, quantity, price paid) of the order's lines, as stored."""
    session.expire_all()
    rows = session.execute(
        select(OrderItem.product_id, OrderItem.quantity, OrderItem.price_at_purchase)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_the_order_inline_shows_its_lines_read_only_with_nothing_to_add_or_delete(
    admin_client: Client, session: Session
) -> None:
    order, line = _order(session)
    response = admin_client.get(_order_page(order))
    page = response.content.decode()
    (inline,) = response.context["inline_admin_formsets"]
    rights = inline.formset.rights
    assert (rights.add, rights.change, rights.delete) == (False, False, False)
    assert f'name="items-0-id" value="{line.id}"' in page
    for field in ("product", "quantity", "price_at_purchase", "DELETE"):
        assert f'name="items-0-{field}"' not in page
    assert 'name="items-1-product"' not in page  # no extra row
    assert "items-__prefix__" not in page  # no template for "Add another"
    assert 'name="items-TOTAL_FORMS" value="1"' in page
    assert '<td class="field-quantity"><p class="readonly">2</p></td>' in page
    assert '<td class="field-price_at_purchase"><p class="readonly">9.99</p></td>' in page


def test_a_post_to_the_order_inline_changes_and_adds_no_line(
    admin_client: Client, session: Session
) -> None:
    order, line = _order(session)
    other = factories.product(session, price="4.25")
    existing = [{"id": line.id, "quantity": 3, "price_at_purchase": "0.01", "product": other.id}]
    new = [{"product": other.id, "quantity": 1, "price_at_purchase": "0.01"}]
    response = admin_client.post(_order_page(order), _order_data(order, existing, new=new))
    assert response.status_code == 302  # read-only values are ignored, as in Django
    assert _lines(session, order) == [(line.product_id, 2, Decimal("9.99"))]
    assert audit_of(session, "commerce.orderitem", line.id) == []


def test_a_post_deleting_an_order_line_is_refused(admin_client: Client, session: Session) -> None:
    order, line = _order(session)
    data = _order_data(order, [{"id": line.id, "DELETE": True}])
    response = admin_client.post(_order_page(order), data)
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["You may not delete order items."]
    assert _lines(session, order) == [(line.product_id, 2, Decimal("9.99"))]


# The engine's hooks for rows that are set once: `existing_readonly_fields` and
# `prepare_child`, on order lines as a shop whose staff type in orders would have them.

MOST_PER_LINE = 50


class SnapshotLineInline(TabularInline):
    """A new line takes its product's price; an existing line keeps its product."""

    model = OrderItem
    fields = ("product", "quantity", "price_at_purchase")
    existing_readonly_fields = ("product",)
    extra = 1

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        # Typed on the add page only; once the order exists a new line takes today's price.
        return ("price_at_purchase",) if obj is not None else ()

    def prepare_child(self, request: Any, parent: Any, child: Any, *, add: bool) -> None:
        if child.quantity > MOST_PER_LINE:
            raise ValueError(f"At most {MOST_PER_LINE} of a product per line.")
        if not add:
            return
        product = request.db.get(Product, child.product_id)
        if not product.is_active:
            raise ValueError(f"“{product}” is no longer sold.")
        if child.price_at_purchase is None:
            child.price_at_purchase = product.price


class TypedOrderAdmin(ModelAdmin):
    fields = ("user", "status")
    inlines = (SnapshotLineInline,)


# A site with that order page, mounted by the tests marked urls(__name__).
typed_orders = AdminSite(name="admin")
typed_orders.audit_log = site.audit_log
typed_orders.register(Order, TypedOrderAdmin)
typed_orders.register([Product, User])
urlpatterns = [path("admin/", typed_orders.urls)]


@pytest.mark.urls(__name__)
def test_existing_readonly_fields_are_shown_on_existing_rows_and_chosen_on_new_rows(
    admin_client: Client, session: Session
) -> None:
    order, line = _order(session)
    page = admin_client.get(_order_page(order)).content.decode()
    assert 'name="items-0-product"' not in page
    assert f'<a href="/admin/commerce/product/{line.product_id}/change/">' in page
    assert 'name="items-0-quantity" value="2"' in page  # still editable
    assert 'name="items-1-product"' in page  # a new line chooses its product
    assert 'name="items-__prefix__-product"' in page
    assert 'name="items-0-price_at_purchase"' not in page
    assert 'name="items-1-price_at_purchase"' not in page
    add_page = admin_client.get("/admin/commerce/order/add/").content.decode()
    assert 'name="items-0-product"' in add_page
    assert 'name="items-0-price_at_purchase"' in add_page


@pytest.mark.urls(__name__)
def test_prepare_child_snapshots_the_price_of_a_new_row_and_posted_readonly_values_are_ignored(
    admin_client: Client, session: Session
) -> None:
    order, line = _order(session)
    line.product.price = Decimal("15.00")  # today's price differs from the price paid
    later = factories.product(session, price="4.25")
    session.flush()
    existing = [{"id": line.id, "quantity": 3, "price_at_purchase": "0.01", "product": later.id}]
    new = [{"product": later.id, "quantity": 1, "price_at_purchase": "0.01"}]
    response = admin_client.post(_order_page(order), _order_data(order, existing, new=new))
    assert response.status_code == 302, page_errors(response, "items")
    assert _lines(session, order) == [
        (line.product_id, 3, Decimal("9.99")),  # its product and price never change
        (later.id, 1, Decimal("4.25")),  # the snapshot, not the posted 0.01
    ]
    (added,) = session.scalars(
        select(OrderItem.id).where(OrderItem.order_id == order.id, OrderItem.id != line.id)
    )
    (action, changes), *_ = audit_of(session, "commerce.orderitem", added)
    assert (action, changes["price_at_purchase"]) == ("add", (None, "4.25"))


@pytest.mark.urls(__name__)
def test_prepare_child_keeps_a_price_typed_on_the_add_page(
    admin_client: Client, session: Session
) -> None:
    buyer, product = factories.user(session), factories.product(session, price="5.00")
    data = {
        "user": str(buyer.id),
        "status": "pending",
        **formset(
            "items", new=[{"product": product.id, "quantity": 2, "price_at_purchase": "4.50"}]
        ),
        "_save": "1",
    }
    response = admin_client.post("/admin/commerce/order/add/", data)
    assert response.status_code == 302, page_errors(response, "items")
    order = session.execute(select(Order).where(Order.user_id == buyer.id)).scalar_one()
    assert _lines(session, order) == [(product.id, 2, Decimal("4.50"))]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("inactive", "is no longer sold."),
        ("too_many_new", f"At most {MOST_PER_LINE} of a product per line."),
        ("too_many_existing", f"At most {MOST_PER_LINE} of a product per line."),
    ],
)
def test_a_value_error_from_prepare_child_is_a_row_error_and_saves_nothing(
    admin_client: Client, session: Session, row: str, error: str
) -> None:
    order, line = _order(session)
    retired = factories.product(session, is_active=False)
    fresh_product = factories.product(session)
    quantity = MOST_PER_LINE + 1 if row == "too_many_existing" else 3
    existing = [{"id": line.id, "quantity": quantity}]
    new = [
        {
            "product": retired.id if row == "inactive" else fresh_product.id,
            "quantity": MOST_PER_LINE + 1 if row == "too_many_new" else 1,
        }
    ]
    data = _order_data(order, existing, new=new)
    data["status"] = "paid"
    response = admin_client.post(_order_page(order), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "items")
    problems = [message for errors in rows for message in errors.get("__all__", [])]
    assert len(problems) == 1, rows
    assert problems[0].endswith(error)
    assert _lines(session, order) == [(line.product_id, 2, Decimal("9.99"))]
    assert session.scalar(select(Order.status).where(Order.id == order.id)) == "pending"
    assert audit_of(session, "commerce.orderitem", line.id) == []


# Large child sets: one page of rows at a time (tests/test_inline_paging.py)


# Query counts: the change page does not grow with the rows it shows


@pytest.mark.parametrize("fk_select_limit", [100, 1])  # a select, or a raw id per row
def test_the_change_page_query_count_does_not_grow_with_rows(
    admin_client: Client,
    session: Session,
    queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    fk_select_limit: int,
) -> None:
    monkeypatch.setattr(CartItemInline, "autocomplete_fields", ())
    monkeypatch.setattr(CartItemInline, "fk_select_limit", fk_select_limit)
    small, _ = _cart_with(session, 1, 1)
    large, _ = _cart_with(session, *([1] * 12))
    counts = []
    for cart in (small, large):
        session.expire_all()
        with queries:
            assert admin_client.get(cart_page(cart)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _order_with(session: Session, lines: int) -> str:
    products = [factories.product(session) for _ in range(lines)]
    order = factories.order(session, factories.user(session), [(p, 1) for p in products])
    return f"/admin/commerce/order/{order.id}/change/"


def _student_with(session: Session, courses: int) -> str:
    student = factories.student(session)
    session.add_all(
        Enrollment(student=student, course=factories.course(session)) for _ in range(courses)
    )
    session.flush()
    return f"/admin/school/student/{student.id}/change/"


def _course_with(session: Session, students: int) -> str:
    course = factories.course(session)
    session.add_all(
        Enrollment(student=factories.student(session), course=course) for _ in range(students)
    )
    session.flush()
    return f"/admin/school/course/{course.id}/change/"


def _owner_with(session: Session, pets: int) -> str:
    return f"/admin/clinic/owner/{factories.owner_with_pets(session, pets).id}/change/"


def _pet_with(session: Session, appointments: int) -> str:
    (pet,) = factories.owner_with_pets(session, 1).pets
    doctor = factories.vet(session)
    for days in range(appointments):
        factories.appointment(session, pet, doctor, days_ahead=days)
    return f"/admin/clinic/pet/{pet.id}/change/"


@pytest.mark.parametrize(
    "page_with", [_order_with, _student_with, _course_with, _owner_with, _pet_with]
)
def test_each_domain_inline_page_keeps_its_query_count(
    admin_client: Client, session: Session, queries: Any, page_with: Any
) -> None:
    urls = [page_with(session, 1), page_with(session, 9)]
    counts = []
    for url in urls:
        session.expire_all()
        with queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The domain's other inlines


def test_enrollments_are_edited_in_a_student_and_in_a_course(
    admin_client: Client, session: Session
) -> None:
    student, course = factories.student(session), factories.course(session)
    data = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        **formset(
            "enrollments",
            new=[{"course": course.id, "enrolled_date": "2025-01-10", "status": "active"}],
        ),
        "_save": "1",
    }
    response = admin_client.post(f"/admin/school/student/{student.id}/change/", data)
    assert response.status_code == 302, page_errors(response, "enrollments")
    enrollment = session.execute(select(Enrollment)).scalar_one()
    assert (enrollment.student_id, enrollment.course_id) == (student.id, course.id)
    page = admin_client.get(f"/admin/school/course/{course.id}/change/").content.decode()
    assert f'name="enrollments-0-id" value="{enrollment.id}"' in page
    assert 'name="enrollments-0-_version" value="1"' in page


def test_pets_in_an_owner_and_appointments_in_a_pet(admin_client: Client, session: Session) -> None:
    owner = factories.owner_with_pets(session, 1)
    (pet,) = owner.pets
    doctor = factories.vet(session)
    data = {
        "name": owner.name,
        "email": owner.email,
        "phone": "",
        **formset(
            "pets",
            [{"id": pet.id, "name": "Rex", "species": "dog"}],
            [{"name": "Tom", "species": "cat", "birth_date": "2020-02-02"}],
        ),
        "_save": "1",
    }
    response = admin_client.post(f"/admin/clinic/owner/{owner.id}/change/", data)
    assert response.status_code == 302, page_errors(response, "pets")
    session.expire_all()
    assert sorted(p.name for p in session.get(Owner, owner.id).pets) == ["Rex", "Tom"]  # type: ignore[union-attr]
    appointment = {
        "scheduled_at_0": "2031-05-01",
        "scheduled_at_1": "10:30:00",
        "vet": doctor.id,
        "status": "scheduled",
    }
    data = {
        "owner": str(owner.id),
        "name": "Rex",
        "species": "dog",
        **formset("appointments", new=[appointment]),
        "_save": "1",
    }
    response = admin_client.post(f"/admin/clinic/pet/{pet.id}/change/", data)
    assert response.status_code == 302, page_errors(response, "appointments")
    session.expire_all()
    assert [a.vet_id for a in session.get(Pet, pet.id).appointments] == [doctor.id]  # type: ignore[union-attr]


def test_every_registered_inline_resolves_its_relationship() -> None:
    prefixes = {}
    for admin in site.model_admins():
        for inline_class in admin.inlines:
            inline = inline_class(admin.model, site)
            prefixes[(admin.model.__name__, inline.model.__name__)] = inline.prefix
    assert prefixes == {
        ("Cart", "CartItem"): "items",
        ("Order", "OrderItem"): "items",
        ("Student", "Enrollment"): "enrollments",
        ("Course", "Enrollment"): "enrollments",
        ("Owner", "Pet"): "pets",
        ("Pet", "Appointment"): "appointments",
        ("User", "Profile"): "profile",
        ("Post", "Comment"): "comments",
    }


# Configuration checks (manage.py check)


def test_the_domains_inlines_pass_their_checks() -> None:
    from shop.admin.inlines.checks import check_inlines

    assert [error for admin in site.model_admins() for error in check_inlines(admin)] == []


def test_misconfigured_inlines_are_reported_with_djangos_ids() -> None:
    from shop.admin.inlines import TabularInline
    from shop.admin.inlines.checks import check_inlines
    from shop.registrations.commerce import CartAdmin

    class WrongRelation(TabularInline):
        model = CartItem
        fk_name = "no_such_relation"

    class UnknownField(TabularInline):
        model = CartItem
        fields = ("product", "colour")
        extra = -1

    class NotAnInline:
        pass

    admin = CartAdmin(Cart, site)
    admin.inlines = (WrongRelation, UnknownField, NotAnInline)  # type: ignore[assignment]
    ids = sorted(error.id for error in check_inlines(admin))
    assert ids == ["admin.E035", "admin.E104", "admin.E202", "admin.E203"]


# Save as new copies the rows


def test_save_as_new_copies_the_rows_to_the_new_parent(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shop.registrations.commerce import CartAdmin

    monkeypatch.setattr(CartAdmin, "save_as", True)
    cart, (item,) = _cart_with(session, 2)
    buyer = factories.user(session)
    data = cart_data(cart, [item_row(item, quantity=6)])
    data.pop("_save")
    data.update(user=str(buyer.id), _saveasnew="1")
    response = admin_client.post(cart_page(cart), data)
    assert response.status_code == 302, page_errors(response, "items")
    copy = session.execute(select(Cart).where(Cart.user_id == buyer.id)).scalar_one()
    assert quantities(session, copy) == {item.product_id: 6}
    assert quantities(session, cart) == {item.product_id: 2}
