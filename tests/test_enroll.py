"""Enrolling: one enrollment per student and course, whoever asks and however often.

The service (shop.services.school.enroll) inserts inside a savepoint and answers "already
enrolled" when the database's UNIQUE(student_id, course_id) refuses; the "Enroll
selected students" action uses it, and duplicates typed into a form are form errors.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.urls import resolve
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.middleware import DbSessionMiddleware
from shop.models import AuditRecord, Course, Enrollment, Student
from shop.registrations import actions as actions_module
from shop.services.school.enrollments import EnrollmentRefused, enroll
from tests import factories
from tests.action_helpers import audit_of, confirmed_action_request, messages_of, staff_client
from tests.commerce_helpers import audit_trail, end_read_on_sqlite, run_in_threads
from tests.inline_helpers import formset, page_errors

STUDENTS = "/admin/school/student/"
ENROLLMENTS = "/admin/school/enrollment/"
ACTOR = "registrar"


def pairs(session: Session, course: Course) -> list[int]:
    """Ids of the students enrolled in `course`, as the database has them, sorted."""
    statement = select(Enrollment.student_id).where(Enrollment.course_id == course.id)
    return sorted(session.scalars(statement))


def enroll_post(client: Any, students: list[Student], course: Course) -> Any:
    data = {
        "action": "enroll_in_course",
        "index": "0",
        "_selected_action": [str(s.id) for s in students],
        "post": "yes",
        "course": str(course.id),
    }
    return client.post(STUDENTS, data)


# The service


def test_enrolling_makes_an_active_enrollment_and_audits_it(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)

    outcome = enroll(session, student, course, actor=ACTOR)

    assert outcome.created
    row = outcome.enrollment
    assert (row.student_id, row.course_id, row.status, row.grade) == (
        student.id,
        course.id,
        "active",
        None,
    )
    [(action, details)] = audit_of(session, "school.enrollment", row.id)
    assert action == "add"
    assert details["course_id"] == (None, str(course.id))
    assert details["status"] == (None, "active")
    assert session.scalar(select(AuditRecord.actor)) == ACTOR


def test_enrolling_again_leaves_the_enrollment_as_it_was(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)
    first = enroll(session, student, course, actor=ACTOR).enrollment
    first.grade = "B"
    session.flush()

    again = enroll(session, student, course, actor="someone else")

    assert not again.created
    assert again.enrollment is first
    assert (first.grade, first.version_id) == ("B", 2)
    assert pairs(session, course) == [student.id]
    assert len(audit_trail(session)) == 1  # the first enrollment only


def test_a_refused_enrollment_keeps_the_callers_other_work(session: Session) -> None:
    student, course, other = (
        factories.student(session),
        factories.course(session),
        factories.course(session),
    )
    enroll(session, student, course, actor=ACTOR)
    enroll(session, student, course, actor=ACTOR)  # refused by the database, in a savepoint

    enroll(session, student, other, actor=ACTOR)

    session.commit()
    assert pairs(session, course) == [student.id]
    assert pairs(session, other) == [student.id]


def test_a_course_deleted_meanwhile_is_refused_with_its_name(session: Session) -> None:
    student = factories.student(session)
    course = Course(code="GONE1", title="Gone", credits=2)
    session.add(course)
    session.flush()
    session.execute(delete(Course).where(Course.id == course.id))

    with pytest.raises(EnrollmentRefused) as refused:
        enroll(session, student, course, actor=ACTOR)

    assert refused.value.message == "“GONE1 Gone” no longer exists."
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert audit_trail(session) == []


def test_a_student_deleted_meanwhile_is_refused_with_their_name(session: Session) -> None:
    student = Student(first_name="Gone", last_name="Away", email="gone@example.com")
    course = factories.course(session)
    session.add(student)
    session.flush()
    session.execute(delete(Student).where(Student.id == student.id))

    with pytest.raises(EnrollmentRefused, match=r"^“Gone Away” no longer exists\.$"):
        enroll(session, student, course, actor=ACTOR)


# The action


def test_the_action_reports_who_was_enrolled_and_who_already_was(admin_client, session) -> None:
    students = [factories.student(session) for _ in range(3)]
    course = factories.course(session)
    enroll(session, students[0], course, actor=ACTOR)

    response = enroll_post(admin_client, students, course)

    assert messages_of(response) == [
        f"Enrolled 2 students in “{course}”. 1 student already enrolled: left as they were."
    ]
    assert pairs(session, course) == sorted(s.id for s in students)


def test_running_the_action_twice_changes_nothing_the_second_time(admin_client, session) -> None:
    students = [factories.student(session) for _ in range(2)]
    course = factories.course(session)
    assert messages_of(enroll_post(admin_client, students, course)) == [
        f"Enrolled 2 students in “{course}”."
    ]
    records = len(audit_trail(session))

    response = enroll_post(admin_client, students, course)

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Nobody was enrolled in “{course}”: all 2 selected are already enrolled in it."
    ]
    assert pairs(session, course) == sorted(s.id for s in students)
    assert len(audit_trail(session)) == records


def test_a_course_deleted_before_the_action_runs_changes_nothing(
    admin_client, session, monkeypatch
) -> None:
    students = [factories.student(session) for _ in range(2)]
    course = factories.course(session)
    original = actions_module._enrolled

    def course_deleted_after_the_check(*args: Any) -> set[int]:
        found = original(*args)
        session.execute(delete(Course).where(Course.id == course.id))
        return found

    monkeypatch.setattr(actions_module, "_enrolled", course_deleted_after_the_check)
    response = enroll_post(admin_client, students, course)

    assert response.status_code == 302
    assert messages_of(response) == [f"“{course}” no longer exists. Nothing was changed."]
    assert session.scalar(select(func.count()).select_from(Enrollment)) == 0


# Duplicates typed into a form


def test_the_same_course_twice_on_the_student_page_is_a_form_error(admin_client, session) -> None:
    student, course, taken = (
        factories.student(session),
        factories.course(session),
        factories.course(session),
    )
    enroll(session, student, taken, actor=ACTOR)
    page = f"{STUDENTS}{student.id}/change/"
    base = {"first_name": "Ada", "last_name": "Twice", "email": student.email, "_save": "Save"}
    row = {"course": course.id, "enrolled_date": "2030-09-01", "status": "active"}
    twice = formset("enrollments", new=[row, row])

    response = admin_client.post(page, {**base, **twice})

    assert response.status_code == 200
    assert page_errors(response, "enrollments")[1][1] == {
        "__all__": ["Please correct the duplicate data for course, which must be unique."]
    }
    existing = formset("enrollments", new=[{**row, "course": taken.id}])
    response = admin_client.post(page, {**base, **existing})
    assert page_errors(response, "enrollments")[1] == [
        {"__all__": ["Enrollment with this Student and Course already exists."]}
    ]
    assert pairs(session, course) == []
    assert session.get(Student, student.id).last_name != "Twice"  # type: ignore[union-attr]


def test_a_duplicate_on_the_enrollment_add_page_is_a_form_error(admin_client, session) -> None:
    student, course = factories.student(session), factories.course(session)
    enroll(session, student, course, actor=ACTOR)
    data = {
        "student": str(student.id),
        "course": str(course.id),
        "enrolled_date": "2030-09-01",
        "status": "active",
        "_save": "Save",
    }

    response = admin_client.post(f"{ENROLLMENTS}add/", data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Enrollment with this Student and Course already exists."
    ]
    assert pairs(session, course) == [student.id]


# Races: every thread commits for real, on its own connection


@pytest.mark.committed
def test_concurrent_enrollments_of_one_student_make_one() -> None:
    threads = 8
    with shop_db.session_scope() as setup:
        student_id = factories.student(setup).id
        course_id = factories.course(setup).id

    def attempt(index: int, barrier: threading.Barrier) -> bool:
        with shop_db.new_session() as session:
            student = session.get_one(Student, student_id)
            course = session.get_one(Course, course_id)
            end_read_on_sqlite(session)
            barrier.wait()
            outcome = enroll(session, student, course, actor=f"clerk{index}")
            session.commit()
            return outcome.created

    outcomes = run_in_threads(threads, attempt)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(outcomes) == [False] * (threads - 1) + [True]
    with shop_db.new_session() as session:
        assert session.scalars(select(Enrollment.student_id)).all() == [student_id]
        assert [entry[0] for entry in audit_trail(session)] == ["add"]


@pytest.mark.committed
def test_two_clerks_enrolling_one_student_at_once_get_one_enrollment_and_a_clear_message(
    superuser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = 2
    with shop_db.session_scope() as setup:
        student = factories.student(setup)
        course = factories.course(setup)
        student_id, course_id, course_name = student.id, course.id, str(course)
    barrier = threading.Barrier(threads, timeout=120)
    checked = actions_module._enrolled

    def checked_by_both(*args: Any) -> set[int]:
        # Both requests have found the student not enrolled before either writes.
        found = checked(*args)
        barrier.wait()
        return found

    monkeypatch.setattr(actions_module, "_enrolled", checked_by_both)
    view = resolve(STUDENTS).func

    def post(_index: int, _barrier: threading.Barrier) -> tuple[int, list[str]]:
        request = confirmed_action_request(
            superuser, STUDENTS, "enroll_in_course", student_id, {"course": str(course_id)}
        )
        response = DbSessionMiddleware(view)(request)
        return response.status_code, [str(message) for message in request._messages]

    outcomes = run_in_threads(threads, post)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    winner = f"Enrolled 1 student in “{course_name}”."
    loser = (
        f"Nobody was enrolled in “{course_name}”: the selected student is already enrolled in it."
    )
    assert sorted(outcomes) == [(302, [winner]), (302, [loser])]
    with shop_db.new_session() as session:
        assert session.scalars(select(Enrollment.student_id)).all() == [student_id]
        assert [entry[0] for entry in audit_trail(session)] == ["add"]


# Dropping keeps the record; deleting it is a separate permission


def test_dropping_keeps_the_enrollment_and_its_history(admin_client, session) -> None:
    student = factories.student(session)
    graded, other = factories.course(session, credits=4), factories.course(session, credits=2)
    row = enroll(session, student, graded, actor=ACTOR).enrollment
    row.grade = "B"
    kept = enroll(session, student, other, actor=ACTOR).enrollment
    kept.grade = "A"
    session.flush()
    data = {"action": "drop_enrollments", "index": "0", "_selected_action": [str(row.id)]}

    response = admin_client.post(ENROLLMENTS, data)

    assert response.status_code == 302
    assert messages_of(response) == ["1 enrollment was dropped."]
    session.expire_all()
    dropped = session.get(Enrollment, row.id)
    assert dropped is not None, "the record is kept"
    assert (dropped.status, dropped.grade) == ("dropped", None)
    assert audit_of(session, "school.enrollment", row.id)[-1] == (
        "change",
        {"status": ("active", "dropped"), "grade": ("B", None)},
    )
    page = admin_client.get(f"{STUDENTS}{student.id}/transcript/").content.decode()
    assert graded.code in page
    assert "Dropped" in page
    assert '<strong id="gpa">4.00</strong>' in page, "a dropped course no longer counts"


def test_only_staff_allowed_to_delete_enrollments_can_delete_one(
    django_user_model, session
) -> None:
    row = enroll(session, factories.student(session), factories.course(session), actor=ACTOR)
    enrollment_id = row.enrollment.id
    perms = ("school.view_enrollment", "school.change_enrollment")
    clerk = staff_client(django_user_model, *perms)
    delete_page = f"{ENROLLMENTS}{enrollment_id}/delete/"
    assert clerk.get(delete_page).status_code == 403
    assert clerk.post(delete_page, {"post": "yes"}).status_code == 403
    data = {"action": "delete_selected", "index": "0", "_selected_action": [str(enrollment_id)]}
    clerk.post(ENROLLMENTS, {**data, "post": "yes"})
    assert session.get(Enrollment, enrollment_id, populate_existing=True) is not None

    boss = staff_client(django_user_model, *perms, "school.delete_enrollment", username="boss")
    assert boss.post(delete_page, {"post": "yes"}).status_code == 302
    session.expunge_all()
    assert session.get(Enrollment, enrollment_id) is None
    assert [action for action, _ in audit_of(session, "school.enrollment", enrollment_id)] == [
        "add",
        "delete",
    ]


def test_past_fifty_courses_the_action_searches_courses_by_code(admin_client, session) -> None:
    student = factories.student(session)
    courses = [factories.course(session) for _ in range(51)]
    data = {"action": "enroll_in_course", "index": "0", "_selected_action": [str(student.id)]}

    body = admin_client.post(STUDENTS, data).content.decode()

    search = "/admin/autocomplete/?app_label=school&amp;model_name=enrollment&amp;field_name=course"
    assert f'data-autocomplete-url="{search}"' in body
    assert '<input type="text" name="course"' in body
    assert "<option" not in body[body.index("<form") :], "no list of every course"
    assert "Type a course code or title to search" in body
    params = {"app_label": "school", "model_name": "enrollment", "field_name": "course"}
    found = admin_client.get("/admin/autocomplete/", {**params, "term": courses[-1].code}).json()
    assert found["results"] == [{"id": str(courses[-1].id), "text": str(courses[-1])}]

    response = admin_client.post(
        STUDENTS, {**data, "post": "yes", "course": found["results"][0]["id"]}
    )

    assert messages_of(response) == [f"Enrolled 1 student in “{courses[-1]}”."]
    assert pairs(session, courses[-1]) == [student.id]
