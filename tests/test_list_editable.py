"""list_editable: rows edited in the changelist, saved all together or not at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from sqlalchemy import update
from sqlalchemy.orm import Session

from shop.admin.changelist import editable as editable_module
from shop.admin.forms.factory import AdminModelForm
from shop.models import Enrollment, Product
from shop.registrations import site
from tests import factories
from tests.action_helpers import audit_of, form_data, fresh, messages_of, staff_client

PRODUCTS = "/admin/commerce/product/"
ENROLLMENTS = "/admin/school/enrollment/"
STALE = "changed by someone else since you opened it"


def products(session: Session, count: int) -> list[Product]:
    rows = [factories.product(session, price="5.00", stock=10) for _ in range(count)]
    return sorted(rows, key=lambda row: row.sku)  # the list's ordering


def index_of(data: dict[str, list[str]], row: Any) -> int:
    """The form number (`form-N-`) of `row` in the posted data."""
    for key, values in data.items():
        if key.endswith("-id") and values == [str(row.id)]:
            return int(key.split("-")[1])
    raise AssertionError(f"row {row.id} is not in the form")


def edit(data: dict[str, list[str]], row: Any, **values: Any) -> dict[str, list[str]]:
    number = index_of(data, row)
    changed = dict(data)
    for name, value in values.items():
        key = f"form-{number}-{name}"
        if value is None:
            changed.pop(key, None)  # an unticked checkbox is not sent
        else:
            changed[key] = [str(value)]
    return changed


def save(client: Client, url: str, data: dict[str, list[str]]) -> Any:
    return client.post(url, {**data, "_save": "Save"})


def test_the_list_has_a_form_per_row(admin_client, session) -> None:
    rows = products(session, 2)
    response = admin_client.get(PRODUCTS)
    data = form_data(response)
    assert data["form-TOTAL_FORMS"] == ["2"]
    assert data["form-INITIAL_FORMS"] == ["2"]
    number = index_of(data, rows[0])
    assert f"form-{number}-price" not in data, "only list_editable columns are inputs"
    assert data[f"form-{number}-stock"] == ["10"]
    assert data[f"form-{number}-is_active"] == ["on"]
    assert data[f"form-{number}-_version"] == [str(rows[0].version_id)]
    body = response.content.decode()
    assert 'name="_save"' in body
    assert (
        f'<th scope="row" class="field-sku"><a href="/admin/commerce/product/{rows[0].id}/change/">'
        in body
    )


def test_save_changes_several_rows_in_one_transaction_with_audit(admin_client, session) -> None:
    rows = products(session, 3)
    data = form_data(admin_client.get(PRODUCTS))
    data = edit(data, rows[0], stock=7)
    data = edit(data, rows[1], stock=3, is_active=None)
    response = save(admin_client, PRODUCTS + "?o=1", data)
    assert response.status_code == 302
    assert response.url == PRODUCTS + "?o=1"
    assert messages_of(response) == ["2 products were changed successfully."]
    first, second, third = (fresh(session, Product, row.id) for row in rows)
    assert (first.stock, first.price) == (7, Decimal("5.00"))
    assert (second.stock, second.is_active) == (3, False)
    assert third.version_id == 1, "an untouched row is not written"
    assert audit_of(session, "commerce.product", rows[0].id) == [("change", {"stock": ("10", "7")})]
    assert audit_of(session, "commerce.product", rows[1].id) == [
        ("change", {"stock": ("10", "3"), "is_active": ("True", "False")})
    ]
    assert audit_of(session, "commerce.product", rows[2].id) == []


def test_an_invalid_row_saves_nothing_and_keeps_the_input(admin_client, session) -> None:
    rows = products(session, 2)
    data = form_data(admin_client.get(PRODUCTS))
    data = edit(data, rows[0], stock=7)
    data = edit(data, rows[1], stock="lots")
    response = save(admin_client, PRODUCTS, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the error below." in body
    assert "Enter a whole number." in body
    assert 'value="lots"' in body
    assert 'value="7"' in body
    assert [fresh(session, Product, row.id).stock for row in rows] == [10, 10]
    assert audit_of(session, "commerce.product", rows[0].id) == []


def test_a_rule_broken_at_flush_rolls_back_every_row_and_its_audit(admin_client, session) -> None:
    rows = [factories.product(session, stock=10) for _ in range(2)]
    data = form_data(admin_client.get(PRODUCTS))
    data = edit(data, rows[0], stock=7)
    data = edit(data, rows[1], stock=-1)  # refused by CHECK (stock >= 0) at the flush
    response = save(admin_client, PRODUCTS, data)
    assert response.status_code == 200
    assert "stock not negative" in response.content.decode()
    assert [fresh(session, Product, row.id).stock for row in rows] == [10, 10]
    assert audit_of(session, "commerce.product", rows[0].id) == []


def test_two_clients_editing_one_row_exactly_one_wins(django_user_model, session) -> None:
    [row, other] = products(session, 2)
    perms = ("commerce.view_product", "commerce.change_product")
    alice = staff_client(django_user_model, *perms, username="alice")
    bob = staff_client(django_user_model, *perms, username="bob")
    seen_by_alice = form_data(alice.get(PRODUCTS))
    seen_by_bob = form_data(bob.get(PRODUCTS))

    response = save(alice, PRODUCTS, edit(seen_by_alice, row, stock=8))
    assert response.status_code == 302
    response = save(bob, PRODUCTS, edit(edit(seen_by_bob, row, stock=1), other, stock=2))
    body = response.content.decode()
    assert response.status_code == 200
    assert STALE in body
    assert "Current value: 8" in body, "the value the row has now"
    assert 'value="1"' in body, "Bob's input is kept"

    current, untouched = fresh(session, Product, row.id), fresh(session, Product, other.id)
    assert (current.stock, current.version_id) == (8, 2)
    assert untouched.stock == 10, "nothing of Bob's save was kept"
    assert [action for action, _ in audit_of(session, "commerce.product", row.id)] == ["change"]

    # The page Bob got back carries the current version: saving it again is deliberate.
    again = form_data(response)
    assert again[f"form-{index_of(again, row)}-_version"] == ["2"]
    response = save(bob, PRODUCTS, again)
    assert response.status_code == 302
    assert [fresh(session, Product, r.id).stock for r in (row, other)] == [1, 2]
    assert audit_of(session, "commerce.product", row.id)[-1][1] == {"stock": ("8", "1")}


def test_a_concurrent_change_at_flush_is_a_row_error(admin_client, session, monkeypatch) -> None:
    [row] = products(session, 1)
    original = editable_module.apply_form

    def apply_after_someone_else(form: Any, obj: Any, *, add: bool) -> bool:
        # Another transaction bumps the version between loading and writing the row.
        table: Any = Product.__table__
        form.session.execute(update(table).where(table.c.id == obj.id).values(version_id=7))
        return original(form, obj, add=add)

    monkeypatch.setattr(editable_module, "apply_form", apply_after_someone_else)
    data = edit(form_data(admin_client.get(PRODUCTS)), row, stock=4)
    response = save(admin_client, PRODUCTS, data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert fresh(session, Product, row.id).stock == 10
    assert audit_of(session, "commerce.product", row.id) == []


def test_a_row_changed_elsewhere_but_not_edited_here_is_no_conflict(admin_client, session) -> None:
    rows = products(session, 2)
    data = form_data(admin_client.get(PRODUCTS))
    session.execute(
        update(Product).where(Product.id == rows[1].id).values(name="Renamed", version_id=3)
    )
    response = save(admin_client, PRODUCTS, edit(data, rows[0], stock=1))
    assert response.status_code == 302
    assert fresh(session, Product, rows[0].id).stock == 1
    assert fresh(session, Product, rows[1].id).name == "Renamed"


def test_a_row_deleted_meanwhile_saves_nothing(admin_client, session) -> None:
    rows = products(session, 2)
    data = edit(form_data(admin_client.get(PRODUCTS)), rows[0], stock=1)
    session.delete(rows[1])
    session.flush()
    response = save(admin_client, PRODUCTS, data)
    assert response.status_code == 200
    assert "was deleted by someone else since you opened the list" in response.content.decode()
    assert fresh(session, Product, rows[0].id).stock == 10


@pytest.mark.parametrize(
    "change",
    [
        {"form-TOTAL_FORMS": ["x"]},
        {"form-TOTAL_FORMS": ["5000"]},
        {"form-0-id": ["abc"]},
        {"form-0-id": [""]},
    ],
)
def test_a_tampered_formset_is_a_bad_request(admin_client, session, change) -> None:
    products(session, 1)
    data = {**form_data(admin_client.get(PRODUCTS)), **change}
    assert save(admin_client, PRODUCTS, data).status_code == 400


def test_view_only_users_get_no_inputs_and_cannot_save(django_user_model, session) -> None:
    [row] = products(session, 1)
    client = staff_client(django_user_model, "commerce.view_product")
    body = client.get(PRODUCTS).content.decode()
    assert "form-TOTAL_FORMS" not in body
    assert 'name="_save"' not in body
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(row.id),
        "form-0-stock": "1", "form-0-is_active": "on", "_save": "Save",
    }  # fmt: skip
    assert client.post(PRODUCTS, data).status_code == 403
    assert fresh(session, Product, row.id).stock == 10


def test_save_and_actions_share_the_list_form(admin_client, session) -> None:
    student = factories.student(session)
    courses = [factories.course(session) for _ in range(2)]
    rows = [Enrollment(student_id=student.id, course_id=course.id) for course in courses]
    session.add_all(rows)
    session.flush()
    data = form_data(admin_client.get(ENROLLMENTS))
    assert data["action"] == [""]
    assert f"form-{index_of(data, rows[0])}-status" in data
    response = save(admin_client, ENROLLMENTS, edit(data, rows[0], status="completed"))
    assert messages_of(response) == ["1 enrollment was changed successfully."]
    assert fresh(session, Enrollment, rows[0].id).status == "completed"
    # Go with an action chosen runs the action on the ticked row: the same form's edits
    # are not saved.
    data = edit(form_data(admin_client.get(ENROLLMENTS)), rows[1], grade="A")
    chosen = {"action": ["drop_enrollments"], "index": ["0"], "_selected_action": [str(rows[1].id)]}
    response = admin_client.post(ENROLLMENTS, {**data, **chosen})
    assert messages_of(response) == ["1 enrollment was dropped."]
    dropped = fresh(session, Enrollment, rows[1].id)
    assert (dropped.status, dropped.grade) == ("dropped", None)
    assert fresh(session, Enrollment, rows[0].id).status == "completed"


def test_checks_report_bad_list_editable(monkeypatch) -> None:
    from shop.admin.checks import check_model_admin

    admin = site.get_model_admin(Product)
    cases = {
        "E120": "stock",
        "E121": ("nope",),
        "E122": ("id",),
        "E124": ("sku",),
        "E125": ("version_id",),
    }
    for expected, value in cases.items():
        monkeypatch.setattr(admin, "list_editable", value)
        if expected == "E125":
            monkeypatch.setattr(admin, "list_display", ("sku", "version_id"))
        assert [error.id for error in check_model_admin(admin)] == [f"admin.{expected}"], value
    monkeypatch.setattr(admin, "list_display", ("sku", "name"))
    monkeypatch.setattr(admin, "list_display_links", ("name",))
    monkeypatch.setattr(admin, "list_editable", ("name",))
    assert [error.id for error in check_model_admin(admin)] == ["admin.E123"]
    # A foreign key column is edited on the change page (its chooser), not in the list.
    enrollment_admin = site.get_model_admin(Enrollment)
    monkeypatch.setattr(enrollment_admin, "list_display", ("id", "student_id"))
    monkeypatch.setattr(enrollment_admin, "list_editable", ("student_id",))
    assert [error.id for error in check_model_admin(enrollment_admin)] == ["admin.E125"]


def test_a_refused_save_shows_the_page_in_a_fixed_number_of_queries(
    admin_client, session, queries
) -> None:

    def refused_save(rows: int) -> int:
        made = [factories.product(session, stock=10) for _ in range(rows)]
        data = form_data(admin_client.get(PRODUCTS))
        data = edit(data, made[0], stock=7)
        data = edit(data, made[1], stock=-1)  # refused at flush: a rollback
        with queries:
            response = save(admin_client, PRODUCTS, data)
        assert response.status_code == 200
        assert "stock not negative" in response.content.decode()
        return len(queries)

    few = refused_save(3)
    many = refused_save(10)
    # The rows shown are read again in one page query, not refreshed one by one.
    assert few == many, queries.statements


class NoSevensForm(AdminModelForm):
    """A list form rule, and a declared field that a row must not grow."""

    remark = forms.CharField(required=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("stock") == 7:
            self.add_error("stock", "Seven is not stocked here.")
        return cleaned


def test_the_changelist_form_checks_each_edited_row(admin_client, session, monkeypatch) -> None:
    monkeypatch.setattr(site.get_model_admin(Product), "changelist_form", NoSevensForm)
    rows = products(session, 2)
    page = admin_client.get(PRODUCTS)
    assert "-remark" not in page.content.decode()  # only list_editable columns are rows
    data = edit(edit(form_data(page), rows[0], stock=3), rows[1], stock=7)
    response = save(admin_client, PRODUCTS, data)
    assert response.status_code == 200
    assert "Seven is not stocked here." in response.content.decode()
    assert [fresh(session, Product, row.id).stock for row in rows] == [10, 10]
    response = save(admin_client, PRODUCTS, edit(data, rows[1], stock=8))
    assert response.status_code == 302
    assert [fresh(session, Product, row.id).stock for row in rows] == [3, 8]
