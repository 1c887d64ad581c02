"""Admin actions: Django's POST shape, every domain action, permissions, select_across,
delete_selected's cascade-aware confirmation, parameter forms, audit and conflicts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.test import Client
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shop.admin import action
from shop.admin.actions import change_selected
from shop.admin.actions import selection as selection_module
from shop.admin.actions import writer as writer_module
from shop.models import Appointment, Course, Enrollment, Product, Student
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

PRODUCTS = "/admin/commerce/product/"
STUDENTS = "/admin/school/student/"
ENROLLMENTS = "/admin/school/enrollment/"
APPOINTMENTS = "/admin/clinic/appointment/"
STALE = "was changed by someone else since you opened the list"


def enrollments(session: Session, count: int, **values: Any) -> list[Enrollment]:
    """Enrollments (a versioned model) of a new student in a new course each."""
    made = []
    for _ in range(count):
        student, course = factories.student(session), factories.course(session)
        made.append(Enrollment(student_id=student.id, course_id=course.id, **values))
    session.add_all(made)
    session.flush()
    return made


def students(session: Session, count: int) -> list[Student]:
    return [factories.student(session) for _ in range(count)]


def seen(rows: list[Any]) -> list[str]:
    return [f"{row.id}:{row.version_id}" for row in rows]


def post_action(client: Client, url: str, action: str, rows: list[Any] = (), **extra: Any) -> Any:
    data = {"action": action, "index": "0", "_selected_action": [str(r.id) for r in rows]}
    return client.post(url, {**data, **extra})


def statuses(session: Session, rows: list[Enrollment]) -> list[str]:
    return [fresh(session, Enrollment, row.id).status for row in rows]


def enrolled_in(session: Session, course: Course) -> list[int]:
    """Ids of the students enrolled in `course`, sorted."""
    statement = select(Enrollment.student_id).where(Enrollment.course_id == course.id)
    return sorted(session.scalars(statement))


def choices(response: Any) -> list[str]:
    bar = re.search(r'<select name="action">(.*?)</select>', response.content.decode(), re.S)
    assert bar is not None
    return re.findall(r'<option value="([^"]*)"', bar.group(1))


# A parameter form (a plain Django form) on a versioned model, for what no registered
# action combines: the versions seen carried through the form page to the write.


class GradeForm(forms.Form):
    grade = forms.ChoiceField(
        label="New grade", choices=[("", "---------"), ("A", "A"), ("B", "B")]
    )


@action(description="Grade selected enrollments", permissions=["change"], form=GradeForm)
def grade_enrollments(model_admin: Any, request: Any, selection: Any, form: GradeForm) -> None:
    grade = form.cleaned_data["grade"]

    def apply(enrollment: Any) -> None:
        enrollment.grade = grade

    changed = change_selected(request, model_admin, selection, apply)
    model_admin.message_user(request, f"{changed} graded “{grade}”.")


@pytest.fixture
def grading(monkeypatch) -> None:
    """The enrollment list offers "Grade selected enrollments" (and delete_selected)."""
    monkeypatch.setattr(site.get_model_admin(Enrollment), "actions", (grade_enrollments,))


# The list: checkbox column, action bar, carried versions


def test_the_list_has_a_checkbox_per_row_and_the_action_bar(admin_client, session) -> None:
    made = enrollments(session, 2)
    response = admin_client.get(ENROLLMENTS)
    body = response.content.decode()
    assert '<form id="changelist-form" method="post" novalidate>' in body
    assert 'id="action-toggle"' in body
    for enrollment in made:
        assert f'name="_selected_action" value="{enrollment.id}" class="action-select"' in body
        assert f'name="_action_version" value="{enrollment.id}:{enrollment.version_id}"' in body
    assert choices(response) == ["", "delete_selected", "drop_enrollments"]
    assert "Delete selected enrollments" in body
    assert "Drop selected enrollments" in body
    assert 'name="index" value="0"' in body
    assert "0 of 2 selected" in body
    assert "admin/js/actions.js" in body


def test_select_all_is_offered_only_when_the_list_has_more_pages(
    admin_client, session, monkeypatch
) -> None:
    enrollments(session, 3)
    body = admin_client.get(ENROLLMENTS).content.decode()
    assert 'name="select_across" value="0"' in body
    assert "Select all 3" not in body
    monkeypatch.setattr(site.get_model_admin(Enrollment), "list_per_page", 2)
    body = admin_client.get(ENROLLMENTS).content.decode()
    assert '<input type="checkbox" name="select_across" value="1" class="select-across">' in body
    assert "Select all 3 enrollments" in body
    assert "0 of 2 selected" in body


def test_actions_on_bottom_use_the_second_index(admin_client, session, monkeypatch) -> None:
    enrollments(session, 1)
    monkeypatch.setattr(site.get_model_admin(Enrollment), "actions_on_bottom", True)
    body = admin_client.get(ENROLLMENTS).content.decode()
    assert 'name="index" value="0"' in body
    assert 'name="index" value="1"' in body


def test_no_actions_means_no_checkboxes(admin_client, session, monkeypatch) -> None:
    enrollments(session, 1)
    monkeypatch.setattr(site.get_model_admin(Enrollment), "actions", None)
    body = admin_client.get(ENROLLMENTS).content.decode()
    assert "_selected_action" not in body
    assert "_action_version" not in body
    assert "action-toggle" not in body
    assert 'name="action"' not in body
    assert re.search(r'<tr data-pk="\d+">', body)


def test_actions_are_offered_by_permission(django_user_model, session) -> None:
    enrollments(session, 1)
    viewer = staff_client(django_user_model, "school.view_enrollment", username="viewer")
    body = viewer.get(ENROLLMENTS).content.decode()
    assert "_selected_action" not in body, "a viewer has no action to run"
    deleter = staff_client(
        django_user_model, "school.view_enrollment", "school.delete_enrollment", username="deleter"
    )
    assert choices(deleter.get(ENROLLMENTS)) == ["", "delete_selected"]
    changer = staff_client(django_user_model, "school.change_enrollment", username="changer")
    assert choices(changer.get(ENROLLMENTS)) == ["", "drop_enrollments"]


# Django's messages for what is not an action


def test_nothing_selected_changes_nothing(admin_client, session) -> None:
    made = enrollments(session, 1)
    url = ENROLLMENTS + "?status__exact=active"
    response = admin_client.post(url, {"action": "delete_selected", "index": "0"})
    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == [NO_SELECTION]
    assert fresh(session, Enrollment, made[0].id) is not None


@pytest.mark.parametrize("action", ["", "no_such_action", "__init__", "get_actions"])
def test_an_unknown_action_is_no_action(admin_client, session, action: str) -> None:
    made = enrollments(session, 1)
    response = post_action(admin_client, ENROLLMENTS, action, made)
    assert response.status_code == 302
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Enrollment, made[0].id) is not None


def test_index_picks_the_bar_whose_go_was_pressed(admin_client, session) -> None:
    made = enrollments(session, 1)
    data = {"action": ["", "delete_selected"], "_selected_action": str(made[0].id)}
    response = admin_client.post(ENROLLMENTS, {**data, "index": "1"})
    assert response.status_code == 200
    assert "Delete multiple objects" in response.content.decode()
    for index in ("0", "7", "-1", "x", "99999999999"):
        response = admin_client.post(ENROLLMENTS, {**data, "index": index})
        assert response.status_code == 302, index
        assert messages_of(response) == [NO_ACTION]


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "9" * 30, "1\x00"])
def test_a_malformed_id_is_a_bad_request(admin_client, session, raw: str) -> None:
    response = admin_client.post(
        ENROLLMENTS, {"action": "delete_selected", "index": "0", "_selected_action": raw}
    )
    assert response.status_code == 400


def test_a_malformed_version_is_a_bad_request(admin_client, session) -> None:
    made = enrollments(session, 1)
    for version in (f"{made[0].id}:", f"x:{made[0].version_id}", f"{made[0].id}:{'9' * 41}"):
        response = post_action(
            admin_client, ENROLLMENTS, "drop_enrollments", made, _action_version=version
        )
        assert response.status_code == 400, version
    assert statuses(session, made) == ["active"]


# delete_selected


def test_delete_selected_confirms_with_the_cascade_then_deletes_with_audit(
    admin_client, session
) -> None:
    made = students(session, 3)
    course = factories.course(session)
    session.add_all(Enrollment(student=student, course=course) for student in made)
    session.flush()
    chosen = made[:2]
    response = post_action(admin_client, STUDENTS, "delete_selected", chosen)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Are you sure you want to delete the selected students?" in body
    assert "<li>Students: 2</li>" in body
    assert "<li>Enrollments: 2</li>" in body
    assert f'<a href="{STUDENTS}{chosen[0].id}/change/">' in body
    for student in chosen:
        assert f'name="_selected_action" value="{student.id}"' in body
    assert '<input type="hidden" name="post" value="yes">' in body
    assert '<input type="hidden" name="action" value="delete_selected">' in body
    assert fresh(session, Student, chosen[0].id) is not None, "the first POST only asks"

    response = post_action(admin_client, STUDENTS, "delete_selected", chosen, post="yes")
    assert response.status_code == 302
    assert response.url == STUDENTS
    assert messages_of(response) == ["Successfully deleted 2 students."]
    assert [fresh(session, Student, s.id) for s in made] == [None, None, made[2]]
    assert enrolled_in(session, course) == [made[2].id], "their enrollments went with them"
    action, details = audit_of(session, "school.student", chosen[0].id)[-1]
    assert action == "delete"
    assert details["last_name"] == (chosen[0].last_name, None)


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
    [enrollment] = enrollments(session, 1)
    student = enrollment.student
    client = staff_client(django_user_model, "school.view_student", "school.delete_student")
    response = post_action(client, STUDENTS, "delete_selected", [student])
    body = response.content.decode()
    assert "your account doesn't have permission to delete the following types" in body
    assert "<li>enrollment</li>" in body
    response = post_action(client, STUDENTS, "delete_selected", [student], post="yes")
    assert response.status_code == 403
    assert fresh(session, Student, student.id) is not None
    assert fresh(session, Enrollment, enrollment.id) is not None


def test_delete_selected_without_delete_permission_is_not_run(django_user_model, session) -> None:
    made = enrollments(session, 1)
    client = staff_client(django_user_model, "school.change_enrollment")
    response = post_action(client, ENROLLMENTS, "delete_selected", made, post="yes")
    assert messages_of(response) == [NO_ACTION]
    assert fresh(session, Enrollment, made[0].id) is not None
    assert audit_of(session, "school.enrollment", made[0].id) == []


def test_delete_selected_across_deletes_every_matching_row_only(
    admin_client, session, monkeypatch
) -> None:
    monkeypatch.setattr(selection_module, "BATCH_SIZE", 2)
    completed = enrollments(session, 5, status="completed")
    active = enrollments(session, 2)
    url = ENROLLMENTS + "?status__exact=completed"
    response = admin_client.post(
        url, {"action": "delete_selected", "index": "0", "select_across": "1"}
    )
    body = response.content.decode()
    assert "<li>Enrollments: 5</li>" in body
    assert 'name="select_across" value="1"' in body
    assert "_selected_action" not in body
    response = admin_client.post(
        url, {"action": "delete_selected", "select_across": "1", "post": "yes"}
    )
    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == ["Successfully deleted 5 enrollments."]
    assert [fresh(session, Enrollment, e.id) for e in completed] == [None] * 5
    assert all(fresh(session, Enrollment, e.id) for e in active)


def test_delete_selected_of_a_row_changed_meanwhile_deletes_nothing(admin_client, session) -> None:
    made = enrollments(session, 2)
    versions = seen(made)
    session.execute(
        update(Enrollment).where(Enrollment.id == made[1].id).values(notes="late", version_id=5)
    )
    response = post_action(
        admin_client, ENROLLMENTS, "delete_selected", made, post="yes", _action_version=versions
    )
    assert response.status_code == 302
    [message] = messages_of(response)
    assert f"“{made[1]}” {STALE}" in message
    assert all(fresh(session, Enrollment, e.id) for e in made)
    assert audit_of(session, "school.enrollment", made[0].id) == []


# A parameter form: "Enroll selected students in course …"


def test_enroll_asks_for_the_course_then_applies_it_with_audit(admin_client, session) -> None:
    made = students(session, 3)
    chosen = made[:2]
    course = factories.course(session)
    url = STUDENTS + "?o=2"
    response = post_action(admin_client, url, "enroll_in_course", chosen)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Enroll selected students in course …</h1>" in body
    assert "This applies to the selected students (2)" in body
    assert '<select name="course"' in body
    assert f'<option value="{course.id}">{course}</option>' in body
    for student in chosen:
        assert f'name="_selected_action" value="{student.id}"' in body
    assert f'name="_selected_action" value="{made[2].id}"' not in body
    assert '<input type="hidden" name="action" value="enroll_in_course">' in body
    assert f'href="{url}"' in body, "No, take me back returns to the same list"
    assert enrolled_in(session, course) == []

    response = post_action(
        admin_client, url, "enroll_in_course", chosen, post="yes", course=str(course.id)
    )
    assert response.status_code == 302
    assert response.url == url
    assert messages_of(response) == [f"Enrolled 2 students in “{course}”."]
    assert enrolled_in(session, course) == sorted(s.id for s in chosen)
    new = session.scalar(select(Enrollment).where(Enrollment.student_id == chosen[0].id))
    [(action, details)] = audit_of(session, "school.enrollment", new.id)
    assert action == "add"
    assert details["student_id"] == (None, str(chosen[0].id))


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_enroll_with_an_invalid_choice_shows_the_form_again(
    admin_client, session, value: str
) -> None:
    made = students(session, 1)
    factories.course(session)
    response = post_action(
        admin_client, STUDENTS, "enroll_in_course", made, post="yes", course=value
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the error below." in body
    assert f'name="_selected_action" value="{made[0].id}"' in body, "the selection is kept"
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_enroll_across_changes_every_matching_row_in_batches(
    admin_client, session, monkeypatch, queries
) -> None:
    monkeypatch.setattr(selection_module, "BATCH_SIZE", 2)
    matching = students(session, 5)
    others = [
        Student(first_name="Bo", last_name=f"Other{n}", email=f"bo{n}@example.com")
        for n in range(2)
    ]
    session.add_all(others)
    course = factories.course(session)
    session.flush()
    url = STUDENTS + "?q=Student"
    data = {"action": "enroll_in_course", "select_across": "1", "post": "yes"}
    with queries:
        response = admin_client.post(url, {**data, "course": str(course.id)})
    assert response.url == url
    assert messages_of(response) == [f"Enrolled 5 students in “{course}”."]
    assert enrolled_in(session, course) == sorted(s.id for s in matching)
    loads = [s for s in queries.statements if s.startswith("SELECT students.") and "LIMIT" in s]
    assert len(loads) >= 3, "rows are loaded a batch at a time"


def test_a_ticked_row_that_left_the_list_fails_the_action(admin_client, session) -> None:
    made = students(session, 2)
    course = factories.course(session)
    # Someone else renames the second student: the search no longer finds them.
    renamed = {"last_name": "Renamed", "email": "renamed@example.com"}
    session.execute(update(Student).where(Student.id == made[1].id).values(**renamed))
    url = STUDENTS + "?q=Student"
    response = post_action(
        admin_client, url, "enroll_in_course", made, post="yes", course=str(course.id)
    )
    [message] = messages_of(response)
    assert "1 of the selected students no longer match this list" in message
    assert enrolled_in(session, course) == [], "not even the row still listed"


def test_select_across_respects_row_scoping(admin_client, session, monkeypatch) -> None:
    mine, theirs = students(session, 2), students(session, 2)
    course = factories.course(session)
    admin = site.get_model_admin(Student)
    unscoped = type(admin).get_query
    # The list's own query (with its labeled columns), restricted to "my" students.
    monkeypatch.setattr(
        type(admin), "get_query",
        lambda self, request: unscoped(self, request).where(Student.id.in_([s.id for s in mine])),
    )  # fmt: skip
    data = {"action": "enroll_in_course", "select_across": "1", "post": "yes"}
    response = admin_client.post(STUDENTS, {**data, "course": str(course.id)})
    assert messages_of(response) == [f"Enrolled 2 students in “{course}”."]
    assert enrolled_in(session, course) == sorted(s.id for s in mine)
    # Nor can a ticked id reach a row outside the scope.
    response = post_action(
        admin_client, STUDENTS, "enroll_in_course", theirs, post="yes", course=str(course.id)
    )
    assert "no longer match this list" in messages_of(response)[0]
    assert enrolled_in(session, course) == sorted(s.id for s in mine)


# Versioned rows: the versions the list showed are checked when the action writes


def test_a_parameter_form_carries_the_versions_seen_to_the_write(
    admin_client, session, grading
) -> None:
    made = enrollments(session, 3)
    chosen = made[:2]
    version = chosen[0].version_id
    response = post_action(
        admin_client, ENROLLMENTS, "grade_enrollments", chosen, _action_version=seen(made)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Grade selected enrollments</h1>" in body
    assert '<option value="A">A</option>' in body
    for enrollment in made:
        assert f'name="_action_version" value="{enrollment.id}:{enrollment.version_id}"' in body

    response = post_action(
        admin_client, ENROLLMENTS, "grade_enrollments", chosen, post="yes", grade="A",
        _action_version=seen(made),
    )  # fmt: skip
    assert response.status_code == 302
    assert messages_of(response) == ["2 graded “A”."]
    assert [fresh(session, Enrollment, e.id).grade for e in made] == ["A", "A", None]
    assert fresh(session, Enrollment, chosen[0].id).version_id == version + 1
    [(action, details)] = audit_of(session, "school.enrollment", chosen[0].id)
    assert (action, details) == ("change", {"grade": (None, "A")})
    assert audit_of(session, "school.enrollment", made[2].id) == []


def test_a_parameter_form_with_an_invalid_choice_shows_it_again(
    admin_client, session, grading
) -> None:
    made = enrollments(session, 1)
    response = post_action(
        admin_client, ENROLLMENTS, "grade_enrollments", made, post="yes", grade="Z",
        _action_version=seen(made),
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body
    assert f'name="_action_version" value="{made[0].id}:{made[0].version_id}"' in body
    assert fresh(session, Enrollment, made[0].id).grade is None


def test_a_parameter_form_across_a_row_changed_meanwhile_saves_nothing(
    admin_client, session, grading
) -> None:
    made = enrollments(session, 3)
    versions = seen(made)
    # Someone else grades the second enrollment after the list was shown.
    session.execute(
        update(Enrollment).where(Enrollment.id == made[1].id).values(grade="B", version_id=2)
    )
    response = post_action(
        admin_client, ENROLLMENTS, "grade_enrollments", made, post="yes", grade="A",
        _action_version=versions,
    )  # fmt: skip
    assert response.status_code == 302
    [message] = messages_of(response)
    assert f"“{made[1]}” {STALE}" in message
    assert "Nothing was changed" in message
    assert [fresh(session, Enrollment, e.id).grade for e in made] == [None, "B", None]
    assert audit_of(session, "school.enrollment", made[0].id) == []


def test_an_action_on_a_row_changed_meanwhile_saves_nothing(admin_client, session) -> None:
    made = enrollments(session, 3)
    versions = seen(made)
    session.execute(
        update(Enrollment).where(Enrollment.id == made[2].id).values(notes="late", version_id=2)
    )
    response = post_action(
        admin_client, ENROLLMENTS, "drop_enrollments", made, _action_version=versions
    )
    [message] = messages_of(response)
    assert f"“{made[2]}” {STALE}" in message
    assert statuses(session, made) == ["active"] * 3, "the rows before it are rolled back"
    assert audit_of(session, "school.enrollment", made[0].id) == []
    # The versions the page shows now are current: running it again is deliberate.
    response = post_action(
        admin_client, ENROLLMENTS, "drop_enrollments", made, _action_version=seen(
            [fresh(session, Enrollment, e.id) for e in made]
        ),
    )  # fmt: skip
    assert messages_of(response) == ["3 enrollments were dropped."]


def test_a_concurrent_change_at_flush_rolls_the_action_back(
    admin_client, session, monkeypatch
) -> None:
    made = enrollments(session, 2)
    original = writer_module.ActionWriter.change

    def change_after_someone_else(self: Any, obj: Any, apply: Any) -> bool:
        if obj.id == made[1].id:
            # Another transaction bumps the version between the load and the write.
            table: Any = Enrollment.__table__
            self.session.execute(update(table).where(table.c.id == obj.id).values(version_id=9))
        return original(self, obj, apply)

    monkeypatch.setattr(writer_module.ActionWriter, "change", change_after_someone_else)
    response = post_action(admin_client, ENROLLMENTS, "drop_enrollments", made)
    [message] = messages_of(response)
    assert f"“{made[1]}” {STALE}" in message
    assert statuses(session, made) == ["active", "active"]
    assert audit_of(session, "school.enrollment", made[0].id) == [], "audit rolled back too"


def test_an_action_without_its_permission_changes_nothing(django_user_model, session) -> None:
    made = enrollments(session, 1)
    client = staff_client(django_user_model, "school.view_enrollment", "school.delete_enrollment")
    response = post_action(client, ENROLLMENTS, "drop_enrollments", made)
    assert response.status_code == 302
    assert messages_of(response) == [NO_ACTION]
    assert statuses(session, made) == ["active"]
    assert audit_of(session, "school.enrollment", made[0].id) == []


def test_a_ticked_versioned_row_that_left_the_list_fails_the_action(admin_client, session) -> None:
    made = enrollments(session, 2)
    session.execute(
        update(Enrollment).where(Enrollment.id == made[1].id).values(status="completed")
    )
    url = ENROLLMENTS + "?status__exact=active"
    response = post_action(admin_client, url, "drop_enrollments", made)
    [message] = messages_of(response)
    assert "1 of the selected enrollments no longer match this list" in message
    assert statuses(session, made) == ["active", "completed"]


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


def test_enroll_searches_the_course_when_there_are_many_courses(
    admin_client, session, monkeypatch
) -> None:
    from shop.registrations.actions import EnrollForm

    monkeypatch.setattr(EnrollForm.base_fields["course"], "limit", 1)
    students = [factories.student(session)]
    courses = [factories.course(session) for _ in range(2)]
    response = post_action(admin_client, STUDENTS, "enroll_in_course", students)
    body = response.content.decode()
    assert '<input type="text" name="course"' in body
    assert (
        'data-autocomplete-url="/admin/autocomplete/?app_label=school&amp;model_name=enrollment'
        '&amp;field_name=course"' in body
    )
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
    assert messages_of(response) == [
        "1 appointment was cancelled.",
        "1 appointment was left as it was: only a scheduled appointment can be cancelled "
        "(1 completed).",
    ]
    assert [fresh(session, Appointment, a.id).status for a in rows] == ["cancelled", "completed"]
    assert len(audit_of(session, "clinic.appointment", rows[0].id)) == 1
    assert audit_of(session, "clinic.appointment", rows[1].id) == []


# The change page of one object


def test_the_change_page_offers_the_actions_of_the_object(admin_client, session) -> None:
    [enrollment] = enrollments(session, 1)
    body = admin_client.get(f"{ENROLLMENTS}{enrollment.id}/change/").content.decode()
    form = (
        f'<form method="post" action="{ENROLLMENTS}{enrollment.id}/actions/" class="object-actions"'
    )
    assert form in body
    assert f'name="_action_version" value="{enrollment.id}:{enrollment.version_id}"' in body
    assert '<option value="drop_enrollments">Drop selected enrollments</option>' in body
    assert "object-actions" not in admin_client.get(f"{ENROLLMENTS}add/").content.decode()


def test_an_action_on_the_change_page_comes_back_to_the_object(admin_client, session) -> None:
    [student, other] = students(session, 2)
    course = factories.course(session)
    url = f"{STUDENTS}{student.id}/actions/"
    data = {"action": "enroll_in_course", "index": "0", "_selected_action": str(other.id)}
    response = admin_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'name="_selected_action" value="{student.id}"' in body
    assert f'name="_selected_action" value="{other.id}"' not in body
    response = admin_client.post(url, {**data, "post": "yes", "course": str(course.id)})
    assert response.status_code == 302
    assert response.url == f"{STUDENTS}{student.id}/change/"
    assert enrolled_in(session, course) == [student.id], "only this object"
    assert admin_client.get(url).status_code == 405


def test_a_versioned_action_on_the_change_page_checks_the_version(admin_client, session) -> None:
    [enrollment] = enrollments(session, 1)
    url = f"{ENROLLMENTS}{enrollment.id}/actions/"
    data = {"action": "drop_enrollments", "index": "0", "_action_version": seen([enrollment])}
    session.execute(update(Enrollment).where(Enrollment.id == enrollment.id).values(version_id=4))
    response = admin_client.post(url, data)
    assert response.url == f"{ENROLLMENTS}{enrollment.id}/change/"
    assert STALE in messages_of(response)[0]
    assert statuses(session, [enrollment]) == ["active"]
    response = admin_client.post(url, {**data, "_action_version": f"{enrollment.id}:4"})
    assert messages_of(response) == ["1 enrollment was dropped."]
    assert statuses(session, [enrollment]) == ["dropped"]


def test_delete_from_the_change_page_goes_to_the_list(admin_client, session) -> None:
    [enrollment] = enrollments(session, 1)
    url = f"{ENROLLMENTS}{enrollment.id}/actions/"
    data = {"action": "delete_selected", "index": "0", "_selected_action": str(enrollment.id)}
    assert "Delete multiple objects" in admin_client.post(url, data).content.decode()
    response = admin_client.post(url, {"action": "delete_selected", "post": "yes"})
    assert response.status_code == 302
    assert response.url == ENROLLMENTS
    assert messages_of(response) == ["Successfully deleted 1 enrollment."]
    assert fresh(session, Enrollment, enrollment.id) is None


def test_object_actions_need_their_permission(django_user_model, session) -> None:
    [enrollment] = enrollments(session, 1)
    client = staff_client(django_user_model, "school.view_enrollment")
    page = client.get(f"{ENROLLMENTS}{enrollment.id}/change/").content.decode()
    assert "object-actions" not in page
    url = f"{ENROLLMENTS}{enrollment.id}/actions/"
    for name in ("delete_selected", "drop_enrollments"):
        response = client.post(url, {"action": name, "post": "yes"})
        assert messages_of(response) == [NO_ACTION]
    assert statuses(session, [enrollment]) == ["active"]
    response = client.post(f"{ENROLLMENTS}999999/actions/", {"action": "delete_selected"})
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
