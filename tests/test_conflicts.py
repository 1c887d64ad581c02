"""Conflict-safe edits: two staff members on one record; exactly one save wins, none is lost.

The loser gets the form back with "changed by someone else since you opened it", their
input kept, the current values beside it and the current version in the hidden field,
so that saving again is a deliberate choice. The race between reading and writing is
closed by SQLAlchemy's version_id_col (tests marked `committed` use a real second
connection for it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from shop.admin.forms import save
from shop.admin.inlines import save as inline_save
from shop.db import SessionFactory
from shop.models import Enrollment, Order, Product, Student
from tests import factories
from tests.change_form_helpers import audit_of, change_url, make_product, messages_of, product_data
from tests.inline_helpers import formset, page_errors

CONFLICT = "changed by someone else since you opened it"


@pytest.fixture
def other_client(superuser: Any) -> Client:
    """A second staff member's browser, on the same record."""
    second = Client()
    second.force_login(superuser)
    return second


def _current(session: Session, model: type, key: Any) -> Any:
    session.expire_all()
    return session.get(model, key)


# The change form


def test_two_clients_on_one_product_exactly_one_save_wins(
    admin_client: Client, other_client: Client, session: Session
) -> None:
    product = make_product(session, name="Lamp", price="9.99")
    seen = product.version_id
    url = change_url(product)
    assert admin_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 200  # both opened the same version
    first = product_data(product, name="Desk lamp")
    second = product_data(product, price="12.00")

    assert admin_client.post(url, {**first, "_save": "1"}).status_code == 302
    response = other_client.post(url, {**second, "_save": "1"})

    assert response.status_code == 200
    form = response.context["form"]
    assert CONFLICT in str(form.non_field_errors())
    assert form["price"].value() == "12.00"  # their input, kept
    assert form.errors["name"] == ["Current value: Desk lamp"]
    assert form.errors["price"] == ["Current value: 9.99"]
    assert "sku" not in form.errors  # unchanged fields say nothing
    assert form["_version"].value() == str(seen + 1)
    page = response.content.decode()
    assert f'name="_version" value="{seen + 1}"' in page
    assert "Current value: Desk lamp" in page
    stored = _current(session, Product, product.id)
    assert (stored.name, str(stored.price), stored.version_id) == ("Desk lamp", "9.99", seen + 1)


def test_saving_again_after_a_conflict_is_deliberate_and_keeps_both_changes(
    admin_client: Client, other_client: Client, session: Session
) -> None:
    product = make_product(session, name="Lamp", price="9.99")
    seen = product.version_id
    url = change_url(product)
    admin_client.post(url, {**product_data(product, name="Desk lamp"), "_save": "1"})
    response = other_client.post(url, {**product_data(product, price="12.00"), "_save": "1"})
    again = response.context["form"].data.dict()
    again["name"] = "Desk lamp"  # the user takes over the current name, keeps their price
    response = other_client.post(url, {**again, "_save": "1"})
    assert response.status_code == 302
    stored = _current(session, Product, product.id)
    assert (stored.name, str(stored.price), stored.version_id) == ("Desk lamp", "12.00", seen + 2)
    changes = [fields for action, fields in audit_of(session, "commerce.product", product.id)]
    assert changes == [{"name": ("Lamp", "Desk lamp")}, {"price": ("9.99", "12.00")}]


@pytest.mark.committed
def test_a_version_bumped_between_validation_and_flush_is_a_conflict(
    admin_client: Client, sa_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SessionFactory() as setup, setup.begin():
        product = Product(sku="LAMP-1", name="Lamp", price=Decimal("9.99"), stock=1)
        setup.add(product)
    original, bumped = save.apply_form, list[bool]()

    def apply_after_another_connection(form: Any, obj: Any, *, add: bool) -> bool:
        if not bumped:  # the form is valid; another connection commits before our flush
            bumped.append(True)
            with sa_engine.begin() as other:
                table: Any = Product.__table__
                other.execute(
                    update(table)
                    .where(table.c.id == product.id)
                    .values(name="Theirs", version_id=2)
                )
        return original(form, obj, add=add)

    monkeypatch.setattr(save, "apply_form", apply_after_another_connection)
    data = product_data(product, name="Mine", stock="7")
    response = admin_client.post(change_url(product), {**data, "_save": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert CONFLICT in str(form.non_field_errors())
    assert form.errors["name"] == ["Current value: Theirs"]
    assert form["stock"].value() == "7"
    assert form["_version"].value() == "2"
    with SessionFactory() as check:
        stored = check.get(Product, product.id)
        assert (stored.name, stored.stock, stored.version_id) == ("Theirs", 1, 2)  # type: ignore[union-attr]


@pytest.mark.committed
def test_a_record_deleted_meanwhile_says_so(
    admin_client: Client, sa_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SessionFactory() as setup, setup.begin():
        product = Product(sku="LAMP-2", name="Lamp", price=Decimal("9.99"), stock=1)
        setup.add(product)
    original = save.apply_form

    def apply_after_a_delete(form: Any, obj: Any, *, add: bool) -> bool:
        table: Any = Product.__table__
        with sa_engine.begin() as other:
            other.execute(delete(table).where(table.c.id == product.id))
        return original(form, obj, add=add)

    monkeypatch.setattr(save, "apply_form", apply_after_a_delete)
    response = admin_client.post(
        change_url(product), {**product_data(product, name="Mine"), "_save": "1"}
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        f"product with ID “{product.id}” doesn’t exist. Perhaps it was deleted?"
    ]


# Inline rows: enrollments of a student (Enrollment is versioned)


def _enrolled(session: Session) -> tuple[Student, Enrollment]:
    student, course = factories.student(session), factories.course(session)
    enrollment = Enrollment(
        student=student, course=course, enrolled_date=date(2025, 1, 10), grade="B"
    )
    session.add(enrollment)
    session.flush()
    return student, enrollment


def _student_data(student: Student, rows: list[dict[str, Any]]) -> dict[str, str]:
    return {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        **formset("enrollments", rows),
        "_save": "1",
    }


def _row(enrollment: Enrollment, **changes: Any) -> dict[str, Any]:
    return {
        "id": enrollment.id,
        "course": enrollment.course_id,
        "enrolled_date": enrollment.enrolled_date.isoformat(),
        "status": enrollment.status,
        "grade": enrollment.grade or "",
        "notes": enrollment.notes or "",
        "_version": enrollment.version_id,
        **changes,
    }


def _student_url(student: Student) -> str:
    return f"/admin/school/student/{student.id}/change/"


def test_two_clients_on_one_enrollment_row_exactly_one_save_wins(
    admin_client: Client, other_client: Client, session: Session
) -> None:
    student, enrollment = _enrolled(session)
    url = _student_url(student)
    first = _student_data(student, [_row(enrollment, grade="A")])
    second = _student_data(student, [_row(enrollment, notes="Needs help")])

    assert admin_client.post(url, first).status_code == 302
    response = other_client.post(url, second)

    assert response.status_code == 200
    _non_form, rows = page_errors(response, "enrollments")
    assert CONFLICT in rows[0]["__all__"][0]
    assert rows[0]["grade"] == ["Current value: A"]
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert row["notes"].value() == "Needs help"  # their input, kept
    assert row["_version"].value() == "2"
    assert 'name="enrollments-0-_version" value="2"' in response.content.decode()
    stored = _current(session, Enrollment, enrollment.id)
    assert (stored.grade, stored.notes, stored.version_id) == ("A", None, 2)

    again = _student_data(student, [_row(stored, notes="Needs help")])  # a deliberate re-save
    assert other_client.post(url, again).status_code == 302
    stored = _current(session, Enrollment, enrollment.id)
    assert (stored.grade, stored.notes, stored.version_id) == ("A", "Needs help", 3)


def test_deleting_a_row_someone_else_changed_is_a_conflict(
    admin_client: Client, other_client: Client, session: Session
) -> None:
    student, enrollment = _enrolled(session)
    url = _student_url(student)
    assert (
        admin_client.post(url, _student_data(student, [_row(enrollment, grade="A")])).status_code
        == 302
    )
    response = other_client.post(url, _student_data(student, [_row(enrollment, DELETE=True)]))
    assert response.status_code == 200
    assert CONFLICT in page_errors(response, "enrollments")[0][0]
    assert _current(session, Enrollment, enrollment.id).grade == "A"


def test_editing_a_row_someone_else_deleted_saves_nothing(
    admin_client: Client, other_client: Client, session: Session
) -> None:
    student, enrollment = _enrolled(session)
    url = _student_url(student)
    deleting = _student_data(student, [_row(enrollment, DELETE=True)])
    assert admin_client.post(url, deleting).status_code == 302
    response = other_client.post(url, _student_data(student, [_row(enrollment, grade="C")]))
    assert response.status_code == 200
    assert "no longer exists" in page_errors(response, "enrollments")[0][0]
    assert _current(session, Enrollment, enrollment.id) is None


@pytest.mark.committed
def test_a_row_bumped_between_validation_and_flush_is_a_conflict(
    admin_client: Client, sa_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SessionFactory() as setup, setup.begin():
        student, enrollment = _enrolled(setup)
    original, bumped = inline_save.apply_form, list[bool]()

    def apply_after_another_connection(form: Any, obj: Any, *, add: bool) -> bool:
        if not bumped:
            bumped.append(True)
            with sa_engine.begin() as other:
                table: Any = Enrollment.__table__
                other.execute(
                    update(table)
                    .where(table.c.id == enrollment.id)
                    .values(grade="A+", version_id=table.c.version_id + 1)
                )
        return original(form, obj, add=add)

    monkeypatch.setattr(inline_save, "apply_form", apply_after_another_connection)
    # Only the row changes: on SQLite a write of ours would hold the one write lock, and
    # the other connection would wait for our commit instead of racing it.
    data = _student_data(student, [_row(enrollment, notes="Mine")])
    response = admin_client.post(_student_url(student), data)
    assert response.status_code == 200
    _non_form, rows = page_errors(response, "enrollments")
    assert CONFLICT in rows[0]["__all__"][0]
    assert rows[0]["grade"] == ["Current value: A+"]
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert row["notes"].value() == "Mine"
    assert row["_version"].value() == "2"
    with SessionFactory() as check:
        stored = check.get(Enrollment, enrollment.id)
        assert (stored.grade, stored.notes, stored.version_id) == ("A+", None, 2)  # type: ignore[union-attr]


# A versioned parent's rows: an order's lines are read-only (placed at checkout), and no
# other versioned model is edited with an inline, so a forged row change must not touch
# the order or its version.


def test_a_forged_change_to_an_orders_lines_changes_nothing(
    admin_client: Client, session: Session
) -> None:
    product = factories.product(session, price="3.00")
    other = factories.product(session, price="4.00")
    order = factories.order(session, factories.user(session), [(product, 1)])
    (line,) = order.items
    seen = order.version_id
    url = f"/admin/commerce/order/{order.id}/change/"
    base = {"user": str(order.user_id), "status": "cancelled", "_version": str(seen)}
    changed = {"id": line.id, "product": other.id, "quantity": 5, "price_at_purchase": "0.01"}
    added = {"product": other.id, "quantity": 2, "price_at_purchase": "0.01"}

    def unchanged() -> None:
        stored = _current(session, Order, order.id)
        assert (stored.status, stored.version_id) == ("pending", seen)
        lines = [(i.id, i.product_id, i.quantity, i.price_at_purchase) for i in stored.items]
        assert lines == [(line.id, product.id, 1, Decimal("3.00"))]
        assert audit_of(session, "commerce.order", order.id) == []
        assert audit_of(session, "commerce.orderitem", line.id) == []

    # A changed and an added row are ignored: the lines are not fields of this form.
    data = {**base, **formset("items", [changed], [added]), "_save": "1"}
    assert admin_client.post(url, data).status_code == 302
    unchanged()
    # Deleting a row is refused out loud, and nothing else is saved with it.
    data = {**base, **formset("items", [{**changed, "DELETE": True}]), "_save": "1"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert page_errors(response, "items")[0] == ["You may not delete order items."]
    unchanged()
