"""The add and change pages: buttons, messages, errors that never become 500s, audit rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop.admin.forms import save
from shop.models import (
    Appointment,
    CartItem,
    Product,
    Profile,
)
from shop.registrations import site
from tests import factories
from tests.change_form_helpers import (
    ADD_URL,
    CHANGELIST_URL,
    audit_of,
    change_url,
    find_product,
    make_product,
    messages_of,
    product_data,
)

# Adding


def test_add_save_goes_to_the_changelist_with_a_linked_message(
    admin_client: Client, session: Session
) -> None:
    response = admin_client.post(ADD_URL, {**product_data(), "_save": "Save"})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST_URL
    product = find_product(session, "NEW-1")
    assert product is not None
    assert product.price == Decimal("12.30")
    assert messages_of(response) == [
        f'The product “<a href="{change_url(product)}">New thing (NEW-1)</a>” '
        "was added successfully."
    ]


def test_add_continue_and_add_another(admin_client: Client, session: Session) -> None:
    response = admin_client.post(ADD_URL, {**product_data(), "_continue": "1"})
    product = find_product(session, "NEW-1")
    assert product is not None
    assert response["Location"] == change_url(product)
    assert messages_of(response)[0].endswith("was added successfully. You may edit it again below.")
    page = admin_client.get(response["Location"]).content.decode()
    assert f'“<a href="{change_url(product)}">New thing (NEW-1)</a>” was added' in page

    response = admin_client.post(ADD_URL, {**product_data(sku="NEW-2"), "_addanother": "1"})
    assert response["Location"] == ADD_URL
    assert messages_of(response)[-1].endswith(
        "was added successfully. You may add another product below."
    )


def test_add_page_takes_initial_values_from_the_query_string(admin_client: Client) -> None:
    response = admin_client.get(ADD_URL + "?name=Preset&bogus=1&stock=3")
    form = response.context["form"]
    assert form["name"].value() == "Preset"
    assert form["stock"].value() == "3"


def test_add_writes_an_audit_record_with_every_value(
    admin_client: Client, session: Session
) -> None:
    admin_client.post(ADD_URL, {**product_data(), "_save": "Save"})
    product = find_product(session, "NEW-1")
    assert product is not None
    [(action, details)] = audit_of(session, "commerce.product", product.id)
    assert action == "add"
    assert details["sku"] == (None, "NEW-1")
    assert details["price"] == (None, "12.30")
    assert details["stock"] == (None, "5")


def test_datetimes_are_stored_as_aware_utc(admin_client: Client, session: Session) -> None:
    owner = factories.owner_with_pets(session, pets=1)
    vet = factories.vet(session)
    data = {
        "pet": owner.pets[0].id,
        "vet": vet.id,
        "scheduled_at_0": "2031-02-03",
        "scheduled_at_1": "04:05:06",
        "status": "scheduled",
        "notes": "",
    }
    response = admin_client.post("/admin/clinic/appointment/add/", {**data, "_save": "1"})
    assert response.status_code == 302, response.context["form"].errors
    session.expire_all()
    appointment = session.execute(select(Appointment)).scalar_one()
    assert appointment.scheduled_at == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert appointment.notes is None


# Changing


def test_change_buttons_messages_and_redirects(admin_client: Client, session: Session) -> None:
    product = factories.product(session)
    url = change_url(product)
    response = admin_client.post(url, {**product_data(product, name="Renamed"), "_save": "1"})
    assert response["Location"] == CHANGELIST_URL
    assert messages_of(response) == [
        f'The product “<a href="{url}">Renamed ({product.sku})</a>” was changed successfully.'
    ]
    session.refresh(product)
    response = admin_client.post(url, {**product_data(product, name="Again"), "_continue": "1"})
    assert response["Location"] == url
    assert messages_of(response)[-1].endswith("You may edit it again below.")
    session.refresh(product)
    response = admin_client.post(url, {**product_data(product), "_addanother": "1"})
    assert response["Location"] == ADD_URL
    assert messages_of(response)[-1].endswith("You may add another product below.")


def test_changelist_filters_are_carried_back(admin_client: Client, session: Session) -> None:
    product = factories.product(session)
    filters = "_changelist_filters=is_active__exact%3D1%26q%3Dtea%26q%3Dcup"
    url = f"{change_url(product)}?{filters}"
    response = admin_client.post(url, {**product_data(product), "_save": "1"})
    assert response["Location"] == f"{CHANGELIST_URL}?is_active__exact=1&q=tea&q=cup"
    session.refresh(product)
    response = admin_client.post(url, {**product_data(product), "_continue": "1"})
    assert response["Location"] == f"{change_url(product)}?{filters}"


def test_a_change_audits_exactly_the_changed_fields(admin_client: Client, session: Session) -> None:
    product = make_product(session, price="9.99")
    old_name = product.name
    data = product_data(product, name="Renamed", price="10.00")
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert response.status_code == 302
    [(action, details)] = audit_of(session, "commerce.product", product.id)
    assert action == "change"
    assert details == {"name": (old_name, "Renamed"), "price": ("9.99", "10.00")}


def test_a_change_without_changes_writes_no_audit(
    admin_client: Client, session: Session, queries: Any
) -> None:
    product = make_product(session, price="9.99")
    with queries:
        response = admin_client.post(
            change_url(product), {**product_data(product, name=f"  {product.name} "), "_save": "1"}
        )
    assert response.status_code == 302
    assert queries.writes == []
    assert audit_of(session, "commerce.product", product.id) == []


def test_a_stale_version_is_refused(admin_client: Client, session: Session) -> None:
    product = factories.product(session)
    data = product_data(product, name="Mine", _version=str(product.version_id - 1))
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    assert find_product(session, product.sku).name != "Mine"  # type: ignore[union-attr]
    data["_version"] = "not a number"
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert "changed by someone else" in str(response.context["form"].non_field_errors())


def test_a_concurrent_change_at_flush_is_a_form_error(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    product = make_product(session, name="Before")
    original = save.apply_form

    def apply_after_someone_else(form: Any, obj: Any, *, add: bool) -> bool:
        # Another transaction bumps the version between loading and saving.
        # A Core UPDATE: the session's copy of the row must not learn of it.
        table: Any = Product.__table__
        form.session.execute(
            update(table).where(table.c.id == product.id).values(version_id=99, name="Theirs")
        )
        return original(form, obj, add=add)

    monkeypatch.setattr(save, "apply_form", apply_after_someone_else)
    data = product_data(product, name="Mine")
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    assert audit_of(session, "commerce.product", product.id) == []
    assert find_product(session, product.sku).name == "Before"  # type: ignore[union-attr]


# Errors: form errors with the input kept, never a 500


def test_unique_is_checked_before_saving(
    admin_client: Client, session: Session, queries: Any
) -> None:
    make_product(session, sku="TAKEN")
    with queries:
        response = admin_client.post(ADD_URL, {**product_data(sku="TAKEN"), "_save": "1"})
    assert response.status_code == 200
    assert queries.writes == []  # refused before any INSERT
    lookups = [q for q in queries.statements if "products.sku =" in q]
    assert len(lookups) == 1  # one query for the one unique constraint the form sets
    assert response.context["form"].errors["sku"] == ["Product with this Sku already exists."]
    assert "Please correct the error below." in response.content.decode()


def test_multi_column_unique_is_a_form_wide_error(admin_client: Client, session: Session) -> None:
    cart = factories.cart(session)
    product = factories.product(session)
    session.add(CartItem(cart=cart, product=product, quantity=1))
    session.flush()
    data = {"cart": cart.id, "product": product.id, "quantity": "2", "_save": "1"}
    response = admin_client.post("/admin/commerce/cartitem/add/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cart item with this Cart and Product already exists."
    ]


def test_integrity_error_at_flush_is_a_field_error(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if another request took the SKU between the check and the INSERT.
    monkeypatch.setattr("shop.admin.forms.unique.validate_unique", lambda form: None)
    make_product(session, sku="RACE")
    response = admin_client.post(ADD_URL, {**product_data(sku="RACE", name="Kept"), "_save": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["Product with this Sku already exists."]
    assert 'value="Kept"' in response.content.decode()  # the input is kept
    session.expire_all()
    assert session.execute(select(Product).where(Product.name == "Kept")).first() is None
    assert audit_of(session, "commerce.product", "") == []


def test_check_constraint_at_flush_rolls_back_the_change_and_its_audit(
    admin_client: Client, session: Session
) -> None:
    product = make_product(session, stock=4)
    data = product_data(product, name="Changed too", stock="-1")
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["stock"] == [
        "This value breaks the rule “stock not negative”."
    ]
    session.expire_all()
    assert session.get(Product, product.id).stock == 4  # type: ignore[union-attr]
    assert audit_of(session, "commerce.product", product.id) == []
    assert "ck_products" not in response.content.decode()  # no SQL or driver text


def test_model_validators_become_field_errors(admin_client: Client, session: Session) -> None:
    user = factories.user(session)
    data = {"user": user.id, "display_name": "Ann", "website": "javascript:alert(1)", "_save": "1"}
    response = admin_client.post("/admin/social/profile/add/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == [
        "Enter a web address that starts with http:// or https://."
    ]
    session.expire_all()
    assert session.execute(select(Profile)).first() is None


def test_raw_id_input_refuses_a_missing_id(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(CartItem), "fk_select_limit", 1)
    for _ in range(2):  # more products than fk_select_limit: never a select
        factories.product(session)
    cart = factories.cart(session)
    data = {"cart": cart.id, "product": "987654", "quantity": "1"}
    response = admin_client.post("/admin/commerce/cartitem/add/", {**data, "_save": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["product"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "cart" not in response.context["form"].errors  # an existing id is accepted
    assert 'class="vForeignKeyRawIdAdminField"' in response.content.decode()
    session.expire_all()
    assert session.scalars(select(CartItem).where(CartItem.cart_id == cart.id)).all() == []
