"""Admin actions: Django's POST shape, every domain action, permissions, select_across,
delete_selected's cascade-aware confirmation, parameter forms, audit and conflicts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shop.admin.actions import selection as selection_module
from shop.admin.actions import writer as writer_module
from shop.models import Appointment, Enrollment, Order, OrderItem, Product, Student
from shop.registrations import site
from tests import factories
from tests.action_helpers import (
    NO_ACTION,
    NO_SELECTION,
    audit_of,
    fresh,
    grant,
    messages_of,
    staff_client,
)

ORDERS = "/admin/commerce/order/"
PRODUCTS = "/admin/commerce/product/"
STUDENTS = "/admin/school/student/"
ENROLLMENTS = "/admin/school/enrollment/"
APPOINTMENTS = "/admin/clinic/appointment/"
STALE = "was changed by someone else since you opened the list"


def orders(session: Session, count: int, **values: Any) -> list[Order]:
    buyer = factories.user(session)
    made = [
        factories.order(session, buyer, [(factories.product(session), 1)]) for _ in range(count)
    ]
    for order in made:
        for name, value in values.items():
            setattr(order, name, value)
    session.flush()
    return made


def seen(rows: list[Any]) -> list[str]:
    return [f"{row.id}:{row.version_id}" for row in rows]


def post_action(client: Client, url: str, action: str, rows: list[Any] = (), **extra: Any) -> Any:
    data = {"action": action, "index": "0", "_selected_action": [str(r.id) for r in rows]}
    return client.post(url, {**data, **extra})


def statuses(session: Session, rows: list[Order]) -> list[str]:
    return [fresh(session, Order, row.id).status for row in rows]


def choices(response: Any) -> list[str]:
    bar = re.search(r'<select name="action">(.*?)</select>', response.content.decode(), re.S)
    assert bar is not None
    return re.findall(r'<option value="([^"]*)"', bar.group(1))


# The list: checkbox column, action bar, carried versions


def test_the_list_has_a_checkbox_per_row_and_the_action_bar(admin_client, session) -> None:
    made = orders(session, 2)
    response = admin_client.get(ORDERS)
    body = response.content.decode()
    assert '<form id="changelist-form" method="post" novalidate>' in body
    assert 'id="action-toggle"' in body
    for order in made:
        assert f'name="_selected_action" value="{order.id}" class="action-select"' in body
        assert f'name="_action_version" value="{order.id}:{order.version_id}"' in body
    assert choices(response) == ["", "delete_selected", "set_order_status"]
    assert "Delete selected orders" in body
    assert "Set status of selected orders" in body
    assert 'name="index" value="0"' in body
    assert "0 of 2 selected" in body
    assert "admin/js/actions.js" in body


def test_select_all_is_offered_only_when_the_list_has_more_pages(
    admin_client, session, monkeypatch
) -> None:
    orders(session, 3)
    body = admin_client.get(ORDERS).content.decode()
    assert 'name="select_across" value="0"' in body
    assert "Select all 3" not in body
    monkeypatch.setattr(site.get_model_admin(Order), "list_per_page", 2)
    body = admin_client.get(ORDERS).content.decode()
    assert '<input type="checkbox" name="select_across" value="1" class="select-across">' in body
    assert "Select all 3 orders" in body
    assert "0 of 2 selected" in body


def test_actions_on_bottom_use_the_second_index(admin_client, session, monkeypatch) -> None:
    orders(session, 1)
    monkeypatch.setattr(site.get_model_admin(Order), "actions_on_bottom", True)
    body = admin_client.get(ORDERS).content.decode()
    assert 'name="index" value="0"' in body
    assert 'name="index" value="1"' in body


def test_no_actions_means_no_checkboxes(admin_client, session, monkeypatch) -> None:
    orders(session, 1)
    monkeypatch.setattr(site.get_model_admin(Order), "actions", None)
    body = admin_client.get(ORDERS).content.decode()
    assert "_selected_action" not in body
    assert "action-toggle" not in body
    assert 'name="action"' not in body
    assert re.search(r'<tr data-pk="\d+">', body)


def test_actions_are_offered_by_permission(django_user_model, session) -> None:
    orders(session, 1)
    viewer = staff_client(django_user_model, "commerce.view_order", username="viewer")
    body = viewer.get(ORDERS).content.decode()
    assert "_selected_action" not in body, "a viewer has no action to run"
    deleter = staff_client(
        django_user_model, "commerce.view_order", "commerce.delete_order", username="deleter"
    )
    assert choices(deleter.get(ORDERS)) == ["", "delete_selected"]
    changer = staff_client(django_user_model, "commerce.change_order", username="changer")
    assert choices(changer.get(ORDERS)) == ["", "set_order_status"]


# Django's messages for what is not an action


def test_nothing_selected_changes_nothing(admin_client, session) -> None:
    made = orders(session, 1)
    response = admin_client.post(
        ORDERS + "?status__exact=pending", {"action": "delete_selected", "index": "0"}
    )
    assert response.status_code == 302
    assert response.url == ORDERS + "?status__exact=pending"
    assert messages_of(response) == [NO_SELECTION]
    assert fresh(session, Order, made[0].id) is not None


@pytest.mark.parametrize("action", ["", "no_such_action", "__init__", "get_actions"])
def test_an_unknown_action_is_no_action(admin_client, session, action: str) -> None:
    made = orders(session, 1)
    response = post_action(admin_client, ORDERS, action, made)
    assert response.status_code == 302
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Order, made[0].id) is not None


def test_index_picks_the_bar_whose_go_was_pressed(admin_client, session) -> None:
    made = orders(session, 1)
    data = {"action": ["", "delete_selected"], "_selected_action": str(made[0].id)}
    response = admin_client.post(ORDERS, {**data, "index": "1"})
    assert response.status_code == 200
    assert "Delete multiple objects" in response.content.decode()
    for index in ("0", "7", "-1", "x", "99999999999"):
        response = admin_client.post(ORDERS, {**data, "index": index})
        assert response.status_code == 302, index
        assert messages_of(response) == [NO_ACTION]


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "9" * 30, "1\x00"])
def test_a_malformed_id_is_a_bad_request(admin_client, session, raw: str) -> None:
    response = admin_client.post(
        ORDERS, {"action": "delete_selected", "index": "0", "_selected_action": raw}
    )
    assert response.status_code == 400


def test_a_malformed_version_is_a_bad_request(admin_client, session) -> None:
    made = orders(session, 1)
    response = post_action(
        admin_client, ORDERS, "delete_selected", made, _action_version=f"{made[0].id}:"
    )
    assert response.status_code == 400


# delete_selected


def test_delete_selected_confirms_with_the_cascade_then_deletes_with_audit(
    admin_client, session
) -> None:
    made = orders(session, 3)
    chosen = made[:2]
    response = post_action(admin_client, ORDERS, "delete_selected", chosen)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Are you sure you want to delete the selected orders?" in body
    assert "<li>Orders: 2</li>" in body
    assert "<li>Order items: 2</li>" in body
    assert f'<a href="/admin/commerce/order/{chosen[0].id}/change/">' in body
    for order in chosen:
        assert f'name="_selected_action" value="{order.id}"' in body
    assert '<input type="hidden" name="post" value="yes">' in body
    assert '<input type="hidden" name="action" value="delete_selected">' in body
    assert fresh(session, Order, chosen[0].id) is not None, "the first POST only asks"

    response = post_action(admin_client, ORDERS, "delete_selected", chosen, post="yes")
    assert response.status_code == 302
    assert response.url == ORDERS
    assert messages_of(response) == ["Successfully deleted 2 orders."]
    assert [fresh(session, Order, o.id) for o in made] == [None, None, made[2]]
    count = select(func.count()).select_from(OrderItem).where(OrderItem.order_id == chosen[0].id)
    assert session.scalar(count) == 0
    action, details = audit_of(session, "commerce.order", chosen[0].id)[-1]
    assert action == "delete"
    assert details["status"] == ("pending", None)


def test_delete_selected_is_refused_while_blockers_exist(admin_client, session) -> None:
    buyer = factories.user(session)
    ordered = factories.product(session)
    factories.order(session, buyer, [(ordered, 1)])
    free = factories.product(session)
    rows = [ordered, free]
    response = post_action(admin_client, PRODUCTS, "delete_selected", rows)
    body = response.content.decode()
    assert "Cannot delete products" in body
    assert "would require deleting the following protected related objects" in body
    assert "Order items</span>: 1" in body
    assert "Yes, I’m sure" not in body
    response = post_action(admin_client, PRODUCTS, "delete_selected", rows, post="yes")
    assert response.status_code == 200
    assert "Cannot delete products" in response.content.decode()
    assert fresh(session, Product, ordered.id)
    assert fresh(session, Product, free.id)
    assert audit_of(session, "commerce.product", free.id) == []


def test_delete_selected_without_permission_on_what_cascades_is_403(
    django_user_model, session
) -> None:
    made = orders(session, 1)
    client = staff_client(django_user_model, "commerce.view_order", "commerce.delete_order")
    response = post_action(client, ORDERS, "delete_selected", made)
    body = response.content.decode()
    assert "your account doesn't have permission to delete the following types" in body
    assert "<li>order item</li>" in body
    response = post_action(client, ORDERS, "delete_selected", made, post="yes")
    assert response.status_code == 403
    assert fresh(session, Order, made[0].id) is not None


def test_delete_selected_without_delete_permission_is_not_run(django_user_model, session) -> None:
    made = orders(session, 1)
    client = staff_client(django_user_model, "commerce.change_order")
    response = post_action(client, ORDERS, "delete_selected", made, post="yes")
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Order, made[0].id) is not None
    assert audit_of(session, "commerce.order", made[0].id) == []


def test_delete_selected_across_deletes_every_matching_row_only(
    admin_client, session, monkeypatch
) -> None:
    monkeypatch.setattr(selection_module, "BATCH_SIZE", 2)
    paid = orders(session, 5, status="paid")
    pending = orders(session, 2)
    url = ORDERS + "?status__exact=paid"
    response = admin_client.post(
        url, {"action": "delete_selected", "index": "0", "select_across": "1"}
    )
    body = response.content.decode()
    assert "<li>Orders: 5</li>" in body
    assert 'name="select_across" value="1"' in body
    assert "_selected_action" not in body
    response = admin_client.post(
        url, {"action": "delete_selected", "select_across": "1", "post": "yes"}
    )
    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == ["Successfully deleted 5 orders."]
    assert [fresh(session, Order, o.id) for o in paid] == [None] * 5
    assert all(fresh(session, Order, o.id) for o in pending)


def test_delete_selected_of_a_row_changed_meanwhile_deletes_nothing(admin_client, session) -> None:
    made = orders(session, 2)
    versions = seen(made)
    session.execute(update(Order).where(Order.id == made[1].id).values(status="paid", version_id=5))
    response = post_action(
        admin_client, ORDERS, "delete_selected", made, post="yes", _action_version=versions
    )
    assert response.status_code == 302
    [message] = messages_of(response)
    assert f"“Order #{made[1].id}” {STALE}" in message
    assert all(fresh(session, Order, o.id) for o in made)
    assert audit_of(session, "commerce.order", made[0].id) == []


# A parameter form: "Set status" on orders


def test_set_status_asks_for_the_status_then_applies_it_with_audit(admin_client, session) -> None:
    made = orders(session, 3)
    chosen = made[:2]
    version = chosen[0].version_id
    url = ORDERS + "?o=1"
    response = post_action(
        admin_client, url, "set_order_status", chosen, _action_version=seen(made)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Set status of selected orders</h1>" in body
    assert "This applies to the selected orders (2)" in body
    assert '<select name="status"' in body
    assert '<option value="shipped">Shipped</option>' in body
    for order in chosen:
        assert f'name="_selected_action" value="{order.id}"' in body
    assert f'name="_action_version" value="{made[2].id}:{made[2].version_id}"' in body
    assert f'href="{url}"' in body, "No, take me back returns to the same list"
    assert statuses(session, made) == ["pending"] * 3

    response = post_action(
        admin_client,
        url,
        "set_order_status",
        chosen,
        post="yes",
        status="shipped",
        _action_version=seen(made),
    )
    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == ["2 orders were set to “shipped”."]
    assert statuses(session, made) == ["shipped", "shipped", "pending"]
    assert fresh(session, Order, chosen[0].id).version_id == version + 1
    [(action, details)] = audit_of(session, "commerce.order", chosen[0].id)
    assert (action, details) == ("change", {"status": ("pending", "shipped")})
    assert audit_of(session, "commerce.order", made[2].id) == []


def test_set_status_with_an_invalid_choice_shows_the_form_again(admin_client, session) -> None:
    made = orders(session, 1)
    response = post_action(
        admin_client, ORDERS, "set_order_status", made, post="yes", status="lost"
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert statuses(session, made) == ["pending"]


def test_set_status_across_changes_every_matching_row_in_batches(
    admin_client, session, monkeypatch, queries
) -> None:
    monkeypatch.setattr(selection_module, "BATCH_SIZE", 2)
    pending = orders(session, 5)
    paid = orders(session, 2, status="paid")
    url = ORDERS + "?status__exact=pending"
    data = {
        "action": "set_order_status",
        "select_across": "1",
        "post": "yes",
        "status": "cancelled",
    }
    with queries:
        response = admin_client.post(url, data)
    assert messages_of(response) == ["5 orders were set to “cancelled”."]
    assert statuses(session, pending) == ["cancelled"] * 5
    assert statuses(session, paid) == ["paid", "paid"]
    loads = [s for s in queries.statements if s.startswith("SELECT orders.") and "LIMIT" in s]
    assert len(loads) >= 3, "rows are loaded a batch at a time"


def test_set_status_of_a_row_changed_meanwhile_saves_nothing(admin_client, session) -> None:
    made = orders(session, 3)
    versions = seen(made)
    # Someone else ships the second order after the list was shown.
    session.execute(
        update(Order).where(Order.id == made[1].id).values(status="shipped", version_id=2)
    )
    response = post_action(
        admin_client, ORDERS, "set_order_status", made, post="yes", status="cancelled",
        _action_version=versions,
    )  # fmt: skip
    assert response.status_code == 302
    [message] = messages_of(response)
    assert f"“Order #{made[1].id}” {STALE}" in message
    assert "Nothing was changed" in message
    assert statuses(session, made) == ["pending", "shipped", "pending"]
    assert audit_of(session, "commerce.order", made[0].id) == []


def test_a_concurrent_change_at_flush_rolls_the_action_back(
    admin_client, session, monkeypatch
) -> None:
    made = orders(session, 2)
    original = writer_module.ActionWriter.change

    def change_after_someone_else(self: Any, obj: Any, apply: Any) -> bool:
        if obj.id == made[1].id:
            # Another transaction bumps the version between the load and the write.
            self.session.execute(
                update(Order.__table__).where(Order.__table__.c.id == obj.id).values(version_id=9)
            )
        return original(self, obj, apply)

    monkeypatch.setattr(writer_module.ActionWriter, "change", change_after_someone_else)
    response = post_action(
        admin_client, ORDERS, "set_order_status", made, post="yes", status="paid"
    )
    [message] = messages_of(response)
    assert f"“Order #{made[1].id}” {STALE}" in message
    assert statuses(session, made) == ["pending", "pending"]
    assert audit_of(session, "commerce.order", made[0].id) == [], "audit rolled back too"


def test_set_status_without_change_permission_changes_nothing(django_user_model, session) -> None:
    made = orders(session, 1)
    client = staff_client(django_user_model, "commerce.view_order", "commerce.delete_order")
    response = post_action(client, ORDERS, "set_order_status", made, post="yes", status="paid")
    assert response.status_code == 302
    assert messages_of(response) == [NO_ACTION]
    assert statuses(session, made) == ["pending"]
    assert audit_of(session, "commerce.order", made[0].id) == []


def test_a_ticked_row_that_left_the_list_fails_the_action(admin_client, session) -> None:
    made = orders(session, 2)
    session.execute(update(Order).where(Order.id == made[1].id).values(status="paid"))
    url = ORDERS + "?status__exact=pending"
    response = post_action(
        admin_client, url, "set_order_status", made, post="yes", status="shipped"
    )
    [message] = messages_of(response)
    assert "1 of the selected orders no longer match this list" in message
    assert statuses(session, made) == ["pending", "paid"]


def test_select_across_respects_row_scoping(admin_client, session, monkeypatch) -> None:
    mine, theirs = orders(session, 2), orders(session, 2)
    admin = site.get_model_admin(Order)
    monkeypatch.setattr(
        type(admin), "get_query",
        lambda self, request: select(Order).where(Order.user_id == mine[0].user_id),
    )  # fmt: skip
    data = {"action": "set_order_status", "select_across": "1", "post": "yes", "status": "paid"}
    response = admin_client.post(ORDERS, data)
    assert messages_of(response) == ["2 orders were set to “paid”."]
    assert statuses(session, mine) == ["paid", "paid"]
    assert statuses(session, theirs) == ["pending", "pending"]
    # Nor can a ticked id reach a row outside the scope.
    response = post_action(
        admin_client, ORDERS, "set_order_status", theirs, post="yes", status="paid"
    )
    assert "no longer match this list" in messages_of(response)[0]
    assert statuses(session, theirs) == ["pending", "pending"]


# Products: no form


def test_deactivate_products_with_audit_and_across(admin_client, session) -> None:
    rows = [factories.product(session) for _ in range(3)]
    response = post_action(
        admin_client, PRODUCTS, "deactivate_products", rows[:2], _action_version=seen(rows)
    )
    assert messages_of(response) == ["2 products were deactivated."]
    assert [fresh(session, Product, p.id).is_active for p in rows] == [False, False, True]
    [(_action, details)] = audit_of(session, "commerce.product", rows[0].id)
    assert details == {"is_active": ("True", "False")}
    response = admin_client.post(
        PRODUCTS, {"action": "activate_products", "index": "0", "select_across": "1"}
    )
    assert messages_of(response) == ["2 products were activated."]
    assert all(fresh(session, Product, p.id).is_active for p in rows)


def test_deactivate_without_permission_is_not_offered_nor_run(django_user_model, session) -> None:
    rows = [factories.product(session)]
    client = staff_client(django_user_model, "commerce.view_product")
    assert "deactivate_products" not in client.get(PRODUCTS).content.decode()
    response = post_action(client, PRODUCTS, "deactivate_products", rows)
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Product, rows[0].id).is_active


def test_a_refusal_by_the_database_rolls_back_every_row_and_its_audit(
    admin_client, session, monkeypatch
) -> None:
    rows = [factories.product(session, stock=5) for _ in range(2)]
    from shop.admin import action
    from shop.admin.actions import change_selected

    @action(description="Break stock", permissions=["change"])
    def break_stock(model_admin: Any, request: Any, selection: Any) -> None:
        # The second row breaks the CHECK (stock >= 0) after the first was written.
        def apply(product: Any) -> None:
            product.stock = -1 if product.id == rows[1].id else 0

        change_selected(request, model_admin, selection, apply)

    monkeypatch.setattr(site.get_model_admin(Product), "actions", (break_stock,))
    response = post_action(admin_client, PRODUCTS, "break_stock", rows)
    [message] = messages_of(response)
    assert message.startswith(f"The database refused to change “{rows[1]}”")
    assert "Nothing was changed" in message
    assert [fresh(session, Product, p.id).stock for p in rows] == [5, 5]
    assert audit_of(session, "commerce.product", rows[0].id) == []


# Students: "Enroll selected students in course …"


def test_enroll_students_in_a_course(admin_client, session) -> None:
    students = [factories.student(session) for _ in range(3)]
    course = factories.course(session)
    session.add(Enrollment(student=students[0], course=course))
    session.flush()
    response = post_action(admin_client, STUDENTS, "enroll_in_course", students)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{course.id}">{course}</option>' in body
    response = post_action(
        admin_client, STUDENTS, "enroll_in_course", students, post="yes", course=str(course.id)
    )
    assert messages_of(response) == [
        f"Enrolled 2 students in “{course}”. 1 student already enrolled: left as they were."
    ]
    enrolled = session.scalars(
        select(Enrollment.student_id).where(Enrollment.course_id == course.id)
    ).all()
    assert sorted(enrolled) == sorted(s.id for s in students)
    new = session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.student_id == students[1].id
        )
    )
    [(action, details)] = audit_of(session, "school.enrollment", new.id)
    assert action == "add"
    assert details["course_id"] == (None, str(course.id))


def test_enroll_takes_a_course_id_when_there_are_many_courses(
    admin_client, session, monkeypatch
) -> None:
    from shop.registrations.actions import EnrollForm

    monkeypatch.setattr(EnrollForm.base_fields["course"], "limit", 1)
    students = [factories.student(session)]
    courses = [factories.course(session) for _ in range(2)]
    response = post_action(admin_client, STUDENTS, "enroll_in_course", students)
    body = response.content.decode()
    assert '<input type="number" name="course"' in body
    assert '<select name="course"' not in body, "no select of every course"
    response = post_action(
        admin_client, STUDENTS, "enroll_in_course", students, post="yes", course="999999"
    )
    assert "Select a valid choice" in response.content.decode()
    response = post_action(
        admin_client, STUDENTS, "enroll_in_course", students, post="yes", course=str(courses[1].id)
    )
    assert response.status_code == 302
    assert (
        session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.course_id == courses[1].id)
        )
        == 1
    )


def test_enroll_needs_the_permission_to_add_enrollments(django_user_model, session) -> None:
    students = [factories.student(session)]
    course = factories.course(session)
    client = staff_client(django_user_model, "school.change_student")
    assert "enroll_in_course" not in client.get(STUDENTS).content.decode()
    response = post_action(
        client, STUDENTS, "enroll_in_course", students, post="yes", course=str(course.id)
    )
    assert messages_of(response) == [NO_ACTION]
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 0
    grant(django_user_model.objects.get(username="clerk"), "school.add_enrollment")
    response = post_action(
        client, STUDENTS, "enroll_in_course", students, post="yes", course=str(course.id)
    )
    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 1


def test_enroll_across_every_student_of_a_search(admin_client, session) -> None:
    students = [factories.student(session) for _ in range(3)]
    other = Student(first_name="Bo", last_name="Other", email="bo@example.com")
    session.add(other)
    course = factories.course(session)
    session.flush()
    data = {
        "action": "enroll_in_course",
        "select_across": "1",
        "post": "yes",
        "course": str(course.id),
    }
    response = admin_client.post(STUDENTS + "?q=Student", data)
    assert messages_of(response) == [f"Enrolled 3 students in “{course}”."]
    enrolled = set(session.scalars(select(Enrollment.student_id)))
    assert enrolled == {s.id for s in students}


# Enrollments and appointments


def test_drop_enrollments_clears_the_grade(admin_client, session) -> None:
    student, course = factories.student(session), factories.course(session)
    enrollment = Enrollment(student=student, course=course, grade="B", status="active")
    session.add(enrollment)
    session.flush()
    response = post_action(admin_client, ENROLLMENTS, "drop_enrollments", [enrollment])
    assert messages_of(response) == ["1 enrollment was dropped."]
    row = fresh(session, Enrollment, enrollment.id)
    assert (row.status, row.grade) == ("dropped", None)
    [(_action, details)] = audit_of(session, "school.enrollment", enrollment.id)
    assert details == {"grade": ("B", None), "status": ("active", "dropped")}


def test_cancel_appointments_across_an_unversioned_model(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=1)
    doctor = factories.vet(session)
    rows = [factories.appointment(session, owner.pets[0], doctor, days_ahead=d) for d in (1, 2)]
    rows[1].status = "completed"
    session.flush()
    response = admin_client.post(
        APPOINTMENTS, {"action": "cancel_appointments", "index": "0", "select_across": "1"}
    )
    assert messages_of(response) == ["1 appointment was cancelled."]
    assert [fresh(session, Appointment, a.id).status for a in rows] == ["cancelled", "completed"]
    assert len(audit_of(session, "clinic.appointment", rows[0].id)) == 1
    assert audit_of(session, "clinic.appointment", rows[1].id) == []


# The change page of one object


def test_the_change_page_offers_the_actions_of_the_object(admin_client, session) -> None:
    [order] = orders(session, 1)
    body = admin_client.get(f"{ORDERS}{order.id}/change/").content.decode()
    assert (
        f'<form method="post" action="{ORDERS}{order.id}/actions/" class="object-actions"' in body
    )
    assert f'name="_action_version" value="{order.id}:{order.version_id}"' in body
    assert '<option value="set_order_status">Set status of selected orders</option>' in body
    assert "object-actions" not in admin_client.get(f"{ORDERS}add/").content.decode()


def test_an_action_on_the_change_page_comes_back_to_the_object(admin_client, session) -> None:
    [order, other] = orders(session, 2)
    url = f"{ORDERS}{order.id}/actions/"
    data = {"action": "set_order_status", "index": "0", "_selected_action": str(other.id)}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert f'name="_selected_action" value="{order.id}"' in response.content.decode()
    response = admin_client.post(url, {**data, "post": "yes", "status": "paid"})
    assert response.status_code == 302
    assert response.url == f"{ORDERS}{order.id}/change/"
    assert statuses(session, [order, other]) == ["paid", "pending"], "only this object"
    assert admin_client.get(url).status_code == 405


def test_delete_from_the_change_page_goes_to_the_list(admin_client, session) -> None:
    [order] = orders(session, 1)
    url = f"{ORDERS}{order.id}/actions/"
    data = {"action": "delete_selected", "index": "0", "_selected_action": str(order.id)}
    assert "Delete multiple objects" in admin_client.post(url, data).content.decode()
    response = admin_client.post(url, {"action": "delete_selected", "post": "yes"})
    assert response.status_code == 302
    assert response.url == ORDERS
    assert messages_of(response) == ["Successfully deleted 1 order."]
    assert fresh(session, Order, order.id) is None


def test_object_actions_need_their_permission(django_user_model, session) -> None:
    [order] = orders(session, 1)
    client = staff_client(django_user_model, "commerce.view_order")
    assert "object-actions" not in client.get(f"{ORDERS}{order.id}/change/").content.decode()
    url = f"{ORDERS}{order.id}/actions/"
    response = client.post(url, {"action": "delete_selected", "post": "yes"})
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Order, order.id) is not None
    response = client.post(f"{ORDERS}999999/actions/", {"action": "delete_selected"})
    assert response.status_code == 302


# Configuration checks


def test_checks_report_bad_actions(monkeypatch) -> None:
    from shop.admin import action
    from shop.admin.checks import check_model_admin

    admin = site.get_model_admin(Product)

    @action(permissions=["approve"])
    def approve(model_admin: Any, request: Any, selection: Any) -> None:
        return None

    monkeypatch.setattr(admin, "actions", ("no_such_method", approve, approve))
    ids = sorted(error.id for error in check_model_admin(admin))
    assert ids == ["admin.E129", "admin.E129", "admin.E130", "admin.E402"]
