"""Products: stale price and stock edits never overwrite; an ordered product is deactivated,
not deleted, from its delete page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy.orm import Session

from shop.models import Product
from tests import factories
from tests.action_helpers import audit_of, form_data, fresh, messages_of, staff_client
from tests.change_form_helpers import change_url, product_data

CONFLICT = "changed by someone else since you opened it"
PRODUCTS = "/admin/commerce/product/"


def delete_url(product: Product) -> str:
    return f"{PRODUCTS}{product.id}/delete/"


def ordered_product(session: Session, **values: Any) -> Product:
    product = factories.product(session, price="12.50", stock=4, **values)
    factories.order(session, factories.user(session), [(product, 2)])
    return product


# Conflict-safe price and stock


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [({"stock": "3"}, {"price": "11.00"}), ({"price": "15.00"}, {"stock": "40"})],
)
def test_a_stale_product_form_never_overwrites_price_or_stock(
    admin_client: Client, session: Session, theirs: dict, mine: dict
) -> None:
    product = factories.product(session, price="10.00", stock=7)
    seen = product.version_id
    url = change_url(product)
    opened = product_data(product)  # the form as this user loaded it
    first = admin_client.post(url, {**product_data(product, **theirs), "_save": "1"})
    assert first.status_code == 302

    response = admin_client.post(url, {**opened, **mine, "_save": "1"})

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    stored = fresh(session, Product, product.id)
    expected = {"price": "10.00", "stock": "7", **theirs}
    assert {"price": str(stored.price), "stock": str(stored.stock)} == expected
    assert stored.version_id == seen + 1
    changes = [details for _action, details in audit_of(session, "commerce.product", product.id)]
    assert len(changes) == 1  # only the first save


# The delete page of a product that was ordered


def test_the_delete_page_of_an_ordered_product_explains_and_offers_to_deactivate(
    admin_client: Client, session: Session
) -> None:
    product = ordered_product(session)
    page = admin_client.get(delete_url(product)).content.decode()
    assert "<h1>Cannot delete product</h1>" in page
    assert "This product has been ordered." in page
    assert 'name="post"' not in page  # no way to confirm the delete
    form = re.search(r'<form method="post" action="([^"]+)" class="object-action-button"', page)
    assert form is not None
    assert form.group(1) == f"{PRODUCTS}{product.id}/actions/"
    assert f'name="_action_version" value="{product.id}:{product.version_id}"' in page
    assert 'name="action" value="deactivate_products"' in page
    assert ">Deactivate this product</button>" in page


def test_deactivating_from_the_delete_page_works_and_is_audited(
    admin_client: Client, session: Session
) -> None:
    product = ordered_product(session)
    data = form_data(admin_client.get(delete_url(product)), "object-action-deactivate_products")
    response = admin_client.post(f"{PRODUCTS}{product.id}/actions/", data)
    assert response.status_code == 302
    assert response.url == change_url(product)
    assert messages_of(response) == ["1 product was deactivated."]
    assert fresh(session, Product, product.id).is_active is False
    [(action, details)] = audit_of(session, "commerce.product", product.id)
    assert (action, details) == ("change", {"is_active": ("True", "False")})


def test_a_product_changed_since_the_delete_page_is_not_deactivated(
    admin_client: Client, session: Session
) -> None:
    product = ordered_product(session)
    data = form_data(admin_client.get(delete_url(product)), "object-action-deactivate_products")
    product.stock = 9  # someone else's edit bumps the version
    session.flush()
    response = admin_client.post(f"{PRODUCTS}{product.id}/actions/", data)
    [message] = messages_of(response)
    assert "was changed by someone else since you opened" in message
    stored = fresh(session, Product, product.id)
    assert (stored.is_active, stored.stock) == (True, 9)
    assert audit_of(session, "commerce.product", product.id) == []


def test_an_inactive_ordered_product_offers_no_button(admin_client: Client, session) -> None:
    product = ordered_product(session, is_active=False)
    page = admin_client.get(delete_url(product)).content.decode()
    assert "It is already inactive" in page
    assert "object-action-button" not in page


def test_staff_who_may_not_change_products_get_the_explanation_only(
    django_user_model: Any, session: Session
) -> None:
    product = ordered_product(session)
    perms = ("commerce.view_product", "commerce.delete_product", "commerce.delete_cartitem")
    clerk = staff_client(django_user_model, *perms)
    page = clerk.get(delete_url(product)).content.decode()
    assert "This product has been ordered." in page
    assert "object-action-button" not in page
    forged = {
        "action": "deactivate_products",
        "index": "0",
        "_selected_action": str(product.id),
    }
    response = clerk.post(f"{PRODUCTS}{product.id}/actions/", forged)
    assert messages_of(response) == ["No action selected."]
    assert fresh(session, Product, product.id).is_active is True


def test_a_product_never_ordered_is_deleted_as_usual(admin_client: Client, session) -> None:
    product = factories.product(session, price=str(Decimal("3.00")))
    page = admin_client.get(delete_url(product)).content.decode()
    assert "Deactivate it instead" not in page
    response = admin_client.post(delete_url(product), {"post": "yes"})
    assert response.status_code == 302
    assert fresh(session, Product, product.id) is None
