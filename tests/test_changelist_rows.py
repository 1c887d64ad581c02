"""An editable list draws each row's inputs exactly as a form of its own, rendered through
Django's widget templates, would: however many rows share a value, whatever the value."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import get_default_renderer
from django.urls import reverse
from django.utils.html import format_html
from sqlalchemy.orm import Session

from shop.admin.changelist import display
from shop.admin.changelist.editable import form_class_for
from shop.admin.changelist.inputs import shares_one_form
from shop.admin.forms.factory import AdminModelForm
from shop.models import Product
from shop.registrations import site
from tests import factories
from tests.action_helpers import form_data

PRODUCTS = "/admin/commerce/product/"
HOSTILE = "\"Quoted' & <script>alert('x')</script>"
EDITABLE = ("name", "stock", "is_active")
LABELS = {"name": "Name", "stock": "Stock", "is_active": "Is active"}


def row_numbers(data: dict[str, list[str]]) -> dict[int, int]:
    """Product id -> its row number (`form-N-`) on the page."""
    return {
        int(values[0]): int(key.split("-")[1])
        for key, values in data.items()
        if key.startswith("form-") and key.endswith("-id")
    }


def drawn_by_django(form_class: type[Any], session: Session, obj: Any, number: int) -> list[str]:
    """The row's cells and hidden inputs from a form of its own, through the templates."""
    form = form_class(session=session, instance=obj, prefix=f"form-{number}")
    form.renderer = get_default_renderer()
    cells = [
        format_html(
            '<td class="field-{} editable">{}{}</td>',
            name,
            form[name].errors,
            form[name].as_widget(attrs={"aria-label": LABELS[name]}),
        )
        for name in EDITABLE
    ]
    return [*cells, "".join(str(hidden) for hidden in form.hidden_fields())]


def editable_products(monkeypatch, session: Session) -> list[Product]:
    admin = site.get_model_admin(Product)
    monkeypatch.setattr(admin, "list_editable", EDITABLE)
    values = [(HOSTILE, 0, True), (HOSTILE, 10, False), ("Plain", 10, True), ("", 7, True)]
    values += [(f"{HOSTILE} {n}", n, bool(n % 2)) for n in range(6)]
    rows = [factories.product(session, stock=stock, is_active=a) for _n, stock, a in values]
    for row, (name, _stock, _active) in zip(rows, values, strict=True):
        row.name = name
    session.flush()
    return rows


def test_every_row_draws_the_inputs_of_its_own_form(admin_client, session, monkeypatch) -> None:
    rows = editable_products(monkeypatch, session)
    response = admin_client.get(PRODUCTS)
    body = response.content.decode()
    numbers = row_numbers(form_data(response))
    admin = site.get_model_admin(Product)
    form_class = form_class_for(admin)
    assert shares_one_form(form_class)
    for row in rows:
        for html in drawn_by_django(form_class, session, row, numbers[row.id]):
            assert html in body, html
    assert "<script>alert" not in body
    assert body.count('<td class="field-stock editable">') == len(rows)


def test_a_row_posted_back_keeps_its_input_beside_rows_showing_their_values(
    admin_client, session, monkeypatch
) -> None:
    rows = editable_products(monkeypatch, session)
    edited = rows[1]
    posted = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(edited.id),
        "form-0-_version": str(edited.version_id), "form-0-name": edited.name,
        "form-0-stock": HOSTILE, "_save": "Save",
    }  # fmt: skip
    response = admin_client.post(PRODUCTS, posted)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number." in body
    assert 'aria-invalid="true"' in body
    assert "<script>alert" not in body, "the input is escaped"
    numbers = row_numbers(form_data(response))
    form_class = form_class_for(site.get_model_admin(Product))
    for row in rows:
        if row is not edited:
            for html in drawn_by_django(form_class, session, row, numbers[row.id]):
                assert html in body, html


class PerRowForm(AdminModelForm):
    """Sets itself up for its row: each row needs a form of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stock"].widget.attrs["data-sku"] = self.instance.sku


def test_a_changelist_form_set_up_per_row_gets_a_form_per_row(
    admin_client, session, monkeypatch
) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "changelist_form", PerRowForm)
    rows = [factories.product(session, stock=5) for _ in range(3)]
    body = admin_client.get(PRODUCTS).content.decode()
    assert not shares_one_form(form_class_for(site.get_model_admin(Product), PerRowForm))
    for row in rows:
        assert f'data-sku="{row.sku}"' in body


def test_change_links_are_the_reversed_urls(monkeypatch) -> None:
    admin = site.get_model_admin(Product)
    preserved = "_changelist_filters=q%3D%3Cx%3E%26o%3D1"
    monkeypatch.setattr(display, "object_id", lambda key: key)  # rows stand for their keys
    link = display.change_urls(admin, preserved)
    for key in ["12", "a b", "x/y", "é", "100%", "a,b", "?#&", "'\"<>"]:
        expected = reverse("admin:commerce_product_change", args=(key,), current_app="admin")
        assert link(key) == f"{expected}?{preserved}", key
    assert display.change_urls(admin, "")("7") == "/admin/commerce/product/7/change/"
