"""The add and change pages: ids, permissions, CSRF, escaping, and the form options."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import (
    OrderItem,
    Product,
    Profile,
)
from shop.registrations import site
from tests import factories
from tests.change_form_helpers import (
    ADD_URL,
    audit_of,
    change_url,
    find_product,
    grant,
    make_product,
    messages_of,
    product_data,
)

# Pages, permissions, ids


def test_every_registered_model_has_working_add_and_change_pages(
    admin_client: Client, session: Session, queries: Any
) -> None:
    call_command("seed_demo")
    for model_admin in site.model_admins():
        if model_admin.app_label == "auth":
            continue  # staff accounts are not demo data: tests/test_staff_accounts.py
        base = f"/admin/{model_admin.app_label}/{model_admin.model_name}/"
        obj: Any = session.execute(select(model_admin.model).limit(1)).scalar_one()
        with queries:
            response = admin_client.get(f"{base}{obj.id}/change/")
        assert response.status_code == 200, model_admin
        may_add = model_admin.has_add_permission(response.wsgi_request)
        assert admin_client.get(base + "add/").status_code == (200 if may_add else 403)
        related = sum(
            1 for rel in model_admin.mapper.relationships if rel.direction.name == "MANYTOONE"
        )
        # Each inline: its rows in one query, then per many-to-one a row shows (other than
        # the parent) the related rows eager-loaded and the chooser's choices.
        inlines = model_admin.get_inline_instances(response.wsgi_request, obj)
        rows = sum(1 + 2 * (_many_to_one(inline.mapper) - 1) for inline in inlines)
        # Each many-to-many chooser: its first members in one query (plus a count when
        # there are more than it shows).
        chosen = model_admin.get_autocomplete_fields(response.wsgi_request)
        m2m = sum(
            2
            for rel in model_admin.mapper.relationships
            if rel.secondary is not None and rel.key in chosen
        )
        # Each read-only field computed by a ModelAdmin method (a total, a summary): at
        # most one query of its own, however many rows it sums.
        readonly = model_admin.get_readonly_fields(response.wsgi_request, obj)
        methods = sum(1 for name in readonly if callable(getattr(model_admin, name, None)))
        budget = 1 + 2 * related + rows + m2m + methods
        assert len(queries) <= budget, (model_admin, queries.statements)


def _many_to_one(mapper: Any) -> int:
    return sum(1 for rel in mapper.relationships if rel.direction.name == "MANYTOONE")


def test_values_are_escaped(admin_client: Client, session: Session) -> None:
    product = make_product(session, name="<script>alert(1)</script>")
    content = admin_client.get(change_url(product)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    "object_id", ["999999", "abc", "1.5", "2147483648", "99999999999", "99999999999999999999999999"]
)
def test_unknown_or_malformed_ids_redirect_with_djangos_warning(
    admin_client: Client, object_id: str
) -> None:
    response = admin_client.get(f"/admin/commerce/product/{object_id}/change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert messages_of(response) == [
        f"product with ID “{object_id}” doesn’t exist. Perhaps it was deleted?"
    ]
    post = admin_client.post(f"/admin/commerce/product/{object_id}/change/", product_data())
    assert post.status_code == 302


def test_view_only_users_see_a_read_only_page_and_cannot_post(
    client: Client, staff_user: Any, session: Session
) -> None:
    grant(staff_user, "view_product")
    client.force_login(staff_user)
    product = make_product(session, name="Lamp")
    response = client.get(change_url(product))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["title"] == "View product"
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content
    assert 'name="name"' not in content  # no inputs, values as text
    assert '<div class="readonly">Lamp</div>' in content
    assert "Close" in content
    assert "deletelink" not in content
    response = client.post(change_url(product), {**product_data(product, name="X"), "_save": "1"})
    assert response.status_code == 403
    assert client.get(ADD_URL).status_code == 403


def test_users_without_permission_get_403(
    client: Client, staff_user: Any, session: Session
) -> None:
    client.force_login(staff_user)
    product = factories.product(session)
    assert client.get(change_url(product)).status_code == 403
    assert client.post(ADD_URL, product_data()).status_code == 403


def test_change_permission_without_add_hides_add_another(
    client: Client, staff_user: Any, session: Session
) -> None:
    grant(staff_user, "change_product")
    client.force_login(staff_user)
    content = client.get(change_url(factories.product(session))).content.decode()
    assert 'name="_save"' in content
    assert 'name="_continue"' in content
    assert 'name="_addanother"' not in content


def test_posts_need_a_csrf_token(superuser: Any, session: Session) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    response = client.post(ADD_URL, {**product_data(), "_save": "1"})
    assert response.status_code == 403
    assert find_product(session, "NEW-1") is None


def test_the_change_page_links_history_and_delete(admin_client: Client, session: Session) -> None:
    product = factories.product(session)
    content = admin_client.get(change_url(product)).content.decode()
    assert f'href="/admin/commerce/product/{product.id}/history/"' in content
    assert f'href="/admin/commerce/product/{product.id}/delete/"' in content


def test_save_as_new_needs_save_as(admin_client: Client, session: Session) -> None:
    vet = factories.vet(session)
    data = {"name": "Dr. Copy", "specialty": "", "_saveasnew": "1"}
    response = admin_client.post(change_url(vet, "clinic/vet"), data)
    assert response.status_code == 400
    session.refresh(vet)
    assert vet.name != "Dr. Copy"


# Options: save_as, save_on_top, fieldsets, read-only fields


def test_save_as_new_creates_a_copy_and_keeps_the_original(
    admin_client: Client, session: Session
) -> None:
    original = make_product(session, sku="ORIG", name="Original")
    content = admin_client.get(change_url(original)).content.decode()
    assert 'name="_saveasnew"' in content
    assert 'name="_addanother"' not in content  # as in Django, when save_as is on
    data = {**product_data(original, sku="COPY", name="Copy"), "_saveasnew": "1"}
    response = admin_client.post(change_url(original), data)
    copy = find_product(session, "COPY")
    assert copy is not None
    assert copy.id != original.id
    assert response["Location"] == change_url(copy)
    assert messages_of(response)[-1].endswith(
        "was added successfully. You may edit it again below."
    )
    assert find_product(session, "ORIG").name == "Original"  # type: ignore[union-attr]
    assert [action for action, _ in audit_of(session, "commerce.product", copy.id)] == ["add"]
    assert audit_of(session, "commerce.product", original.id) == []


def test_save_as_new_needs_add_permission(
    client: Client, staff_user: Any, session: Session
) -> None:
    grant(staff_user, "change_product")
    client.force_login(staff_user)
    original = make_product(session, sku="ORIG")
    assert 'name="_saveasnew"' not in client.get(change_url(original)).content.decode()
    data = {**product_data(original, sku="COPY"), "_saveasnew": "1"}
    assert client.post(change_url(original), data).status_code == 403
    assert find_product(session, "COPY") is None


def test_failed_save_as_new_offers_only_save_as_new_again(
    admin_client: Client, session: Session
) -> None:
    original = make_product(session, sku="ORIG")
    data = {**product_data(original, sku="ORIG"), "_saveasnew": "1"}  # the SKU is taken
    response = admin_client.post(change_url(original), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["Product with this Sku already exists."]
    assert 'name="_saveasnew"' in content
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content


def test_save_on_top_repeats_the_buttons(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    product = make_product(session)
    assert admin_client.get(change_url(product)).content.decode().count('name="_save"') == 1
    monkeypatch.setattr(site.get_model_admin(Product), "save_on_top", True)
    assert admin_client.get(change_url(product)).content.decode().count('name="_save"') == 2


def test_fieldsets_render_with_their_titles(admin_client: Client, session: Session) -> None:
    content = admin_client.get("/admin/school/enrollment/add/").content.decode()
    assert '<h2 id="fieldset-1-heading" class="fieldset-heading">Result</h2>' in content
    assert content.index('name="course"') < content.index('name="status"')


def test_price_paid_is_read_only_once_the_line_exists(
    admin_client: Client, session: Session
) -> None:
    # Lines are written by checkout only: there is no add page to type a price into.
    assert admin_client.get("/admin/commerce/orderitem/add/").status_code == 403
    product = make_product(session, price="5.00")
    order = factories.order(session, factories.user(session), [(product, 2)])
    line = order.items[0]
    product.price = Decimal("7.00")  # today's price moves on; the price paid does not
    session.flush()
    url = change_url(line, "commerce/orderitem")
    content = admin_client.get(url).content.decode()
    assert "<h1>View order item</h1>" in content
    assert 'name="price_at_purchase"' not in content
    assert '<div class="readonly">5.00</div>' in content
    # The order's page shows the snapshot in its inline row, never as an input.
    content = admin_client.get(change_url(order, "commerce/order")).content.decode()
    assert '<td class="field-price_at_purchase"><p class="readonly">5.00</p></td>' in content
    assert 'name="items-0-price_at_purchase"' not in content
    data = {"order": order.id, "product": product.id, "quantity": "3", "price_at_purchase": "0.01"}
    response = admin_client.post(url, {**data, "_save": "1"})
    assert response.status_code == 403
    session.expire_all()
    saved = session.get(OrderItem, line.id)
    assert saved is not None
    assert (saved.quantity, saved.price_at_purchase) == (2, Decimal("5.00"))


def test_read_only_links_only_for_http_urls(
    client: Client, staff_user: Any, session: Session
) -> None:
    grant(staff_user, "view_profile", app="social", model="profile")
    client.force_login(staff_user)
    user = factories.user(session)
    profile = Profile(user=user, display_name="Ann", website="https://example.com/a?b=<c>")
    session.add(profile)
    session.flush()
    content = client.get(change_url(profile, "social/profile")).content.decode()
    assert '<a href="https://example.com/a?b=&lt;c&gt;" rel="noopener noreferrer">' in content
    # The related user is shown as text: this staff user may not view users.
    assert f'<div class="readonly">{user.username}</div>' in content


GARBAGE = [
    "",
    " ",
    "x" * 5000,
    "\x00",
    "NaN",
    "-Infinity",
    "1e309",
    str(2**70),
    "-0",
    "0000-00-00",
    "9999-12-31",
    "25:61:61",
    "😀<script>",
    "1,5",
]


@pytest.mark.parametrize("junk", GARBAGE)
def test_junk_input_is_a_form_error_never_a_500(
    admin_client: Client, session: Session, junk: str
) -> None:
    for model_admin in site.model_admins():
        if not model_admin.has_add_permission(admin_client.get("/admin/").wsgi_request):
            continue
        data: dict[str, str] = {"_save": "1"}
        for name in ("sku", "name", "price", "stock", "quantity", "user", "product", "order"):
            data[name] = junk
        for prop in model_admin.mapper.attrs:
            data.setdefault(prop.key, junk)
            data[f"{prop.key}_0"] = junk
            data[f"{prop.key}_1"] = junk
        url = f"/admin/{model_admin.app_label}/{model_admin.model_name}/add/"
        response = admin_client.post(url, data)
        assert response.status_code in (200, 302), (model_admin, junk)
