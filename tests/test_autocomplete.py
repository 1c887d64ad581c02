"""`/admin/autocomplete/`: paged JSON over the related admin's search, and the choosers using it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.admin.autocomplete import PAGE_SIZE
from shop.admin.changelist import filters
from shop.admin.forms.factory import build_layout
from shop.admin.forms.related import RawIdWidget
from shop.models import OrderItem, Pet, Product
from shop.registrations import site
from tests import factories

URL = "/admin/autocomplete/"


def ask(client: Client, **params: Any) -> Any:
    query = {"app_label": "commerce", "model_name": "orderitem", "field_name": "product"}
    query.update({key: str(value) for key, value in params.items()})
    return client.get(f"{URL}?{urlencode(query)}")


def grant(user: Any, app_label: str, codename: str) -> None:
    content_type, _ = ContentType.objects.get_or_create(
        app_label=app_label, model=codename.split("_", 1)[1]
    )
    permission, _ = Permission.objects.get_or_create(
        codename=codename, content_type=content_type, defaults={"name": codename}
    )
    user.user_permissions.add(permission)


def widgets(session: Session, count: int) -> list[Product]:
    made = [factories.product(session) for _ in range(count)]
    for n, product in enumerate(made):
        product.name, product.sku = f"Widget {n:03}", f"W-{n:03}"
    session.flush()
    return made


def test_results_are_paged_in_the_related_admins_order(
    admin_client: Client, session: Session
) -> None:
    made = widgets(session, PAGE_SIZE * 2 + 5)
    factories.product(session)  # "Product N": not a widget
    pages = [ask(admin_client, term="widget", page=page).json() for page in (1, 2, 3)]
    assert [page["pagination"]["more"] for page in pages] == [True, True, False]
    assert [len(page["results"]) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 5]
    ids = [row["id"] for page in pages for row in page["results"]]
    assert ids == [str(p.id) for p in sorted(made, key=lambda p: p.sku)]  # ProductAdmin: sku
    assert pages[0]["results"][0] == {"id": str(made[0].id), "text": str(made[0])}


def test_terms_are_and_ed_and_wildcards_taken_literally(
    admin_client: Client, session: Session
) -> None:
    names = ["Blue 100% wool", "Blue 100 cotton", "Red 100% wool"]
    for name, product in zip(names, widgets(session, 3), strict=True):
        product.name = name
    session.flush()
    texts = [row["text"] for row in ask(admin_client, term="blue 100%").json()["results"]]
    assert texts == ["Blue 100% wool (W-000)"]
    assert ask(admin_client, term="_").json()["results"] == []


def test_one_query_per_page_whatever_the_page_size(
    admin_client: Client, session: Session, queries: Any
) -> None:
    widgets(session, PAGE_SIZE + 1)
    with queries:
        response = ask(admin_client, term="")
    assert response.status_code == 200
    assert len(queries) == 1  # one LIMIT query: no COUNT, no query per row
    assert "LIMIT" in queries.selects_and_writes[0].upper()


def test_the_related_admins_row_scoping_applies(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    active = factories.product(session)
    factories.product(session, is_active=False)
    product_admin = site.get_model_admin(Product)
    monkeypatch.setattr(
        product_admin, "get_query", lambda request: select(Product).where(Product.is_active)
    )
    assert ask(admin_client).json()["results"] == [{"id": str(active.id), "text": str(active)}]


def test_view_permission_on_the_related_model_is_required(
    client: Client, staff_user: Any, session: Session
) -> None:
    factories.product(session)
    client.force_login(staff_user)
    assert ask(client).status_code == 403
    grant(staff_user, "commerce", "view_product")
    client.force_login(type(staff_user).objects.get(pk=staff_user.pk))  # fresh permission cache
    response = ask(client)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = ask(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"app_label": ""}, 403),  # Django: missing parameters are refused
        ({"model_name": "nope"}, 403),
        ({"app_label": "nope"}, 403),
        ({"field_name": "quantity"}, 403),  # a column, not a relationship
        ({"field_name": "price_at_purchase"}, 403),
        ({"model_name": "order", "field_name": "items"}, 403),  # one-to-many: not a chooser
        ({"field_name": "__class__"}, 403),
        ({"page": "0"}, 400),
        ({"page": "abc"}, 400),
        ({"page": "-1"}, 400),
        ({"page": "1001"}, 400),
        ({"term": "x" * 201}, 400),
        ({"term": " ".join("abcdefghijklmnopqrstuvwxyz")}, 400),  # more than 20 terms
    ],
)
def test_bad_parameters_are_refused(
    admin_client: Client, params: dict[str, str], status: int
) -> None:
    assert ask(admin_client, **params).status_code == status


def test_a_related_admin_without_search_is_a_404(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "search_fields", ())
    assert ask(admin_client).status_code == 404


def test_only_get_is_allowed(admin_client: Client) -> None:
    assert admin_client.post(URL).status_code == 405


def test_a_relationship_filter_of_the_changelist_can_search(
    admin_client: Client, session: Session
) -> None:
    vet = factories.vet(session)
    response = ask(admin_client, app_label="clinic", model_name="appointment", field_name="vet")
    assert response.json()["results"] == [{"id": str(vet.id), "text": str(vet)}]


# The choosers that use it


def form_html(rf_request: Any, session: Session, model: type, name: str) -> str:
    layout = build_layout(rf_request, site.get_model_admin(model), None)
    form = layout.form_class(session=session, instance=None)
    return str(form[name])


def test_autocomplete_fields_never_load_the_related_table(
    rf_request: Any, session: Session, queries: Any
) -> None:
    widgets(session, 3)
    layout = build_layout(rf_request, site.get_model_admin(OrderItem), None)
    with queries:
        form = layout.form_class(session=session, instance=None)
    assert isinstance(form.fields["product"].widget, RawIdWidget)
    assert not any("products" in statement for statement in queries.statements)
    html = str(form["product"])
    assert 'data-autocomplete-url="/admin/autocomplete/?app_label=commerce&amp;' in html
    assert "field_name=product" in html


def test_a_large_table_becomes_an_autocomplete_without_being_declared(
    rf_request: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = site.get_model_admin(OrderItem)
    monkeypatch.setattr(admin, "autocomplete_fields", ())
    monkeypatch.setattr(admin, "fk_select_limit", 2)
    widgets(session, 3)
    assert "data-autocomplete-url" in form_html(rf_request, session, OrderItem, "product")
    # Without an admin search on the related model it stays a raw id input.
    monkeypatch.setattr(site.get_model_admin(Product), "search_fields", ())
    html = form_html(rf_request, session, OrderItem, "product")
    assert "vForeignKeyRawIdAdminField" in html
    assert "data-autocomplete-url" not in html


def test_a_large_relationship_filter_searches_and_names_the_chosen_row(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filters, "FILTER_CHOICE_LIMIT", 2)
    owners = [factories.owner_with_pets(session, pets=1) for _ in range(3)]
    chosen = owners[1]
    response = admin_client.get(f"/admin/clinic/pet/?owner__id__exact={chosen.id}")
    page = response.content.decode()
    assert 'data-autocomplete-url="/admin/autocomplete/?app_label=clinic&amp;model_name=pet' in page
    assert f'name="owner__id__exact" value="{chosen.id}"' in page
    assert f">{chosen.name}</a>" in page  # the chosen owner is named, not only numbered
    assert f">{owners[0].name}</a>" not in page  # and the others are not listed
    rows = session.scalars(select(Pet).where(Pet.owner_id == chosen.id)).all()
    assert [row.name for row in rows] == [chosen.pets[0].name]
    assert f">{chosen.pets[0].name}</a>" in page
    assert f">{owners[0].pets[0].name}</a>" not in page


def test_the_chooser_script_ships_with_every_admin_page(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()
    assert '<script src="/static/admin/js/autocomplete.js" defer></script>' in page
