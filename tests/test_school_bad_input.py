"""Bad input on the school's pages is a 4xx, a form error or a message, never a 500.

Bogus ids in the URL, tampered grade book POSTs, a bad course for the enroll action,
forged club memberships: each probe asserts the answer is not a server error and that
nothing was written.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import AuditRecord, Club, Course, Enrollment, Student, student_clubs
from tests import factories
from tests.action_helpers import form_data
from tests.inline_helpers import formset

BOGUS_IDS = ("x", "0", "-1", "9" * 30, "1.5", "1%00", "%20", "1e3")
HUGE = "9" * 30


def not_a_server_error(client: Client, method: str, url: str, data: Any = None) -> Any:
    response = getattr(client, method)(url, data or {})
    assert response.status_code < 500, (method, url, data)
    return response


def writes(session: Session) -> tuple[int, int, int]:
    """Enrollments, memberships and audit records: a refused request adds none."""
    return (
        session.scalar(select(func.count()).select_from(Enrollment)) or 0,
        session.scalar(select(func.count()).select_from(student_clubs)) or 0,
        session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
    )


@pytest.mark.parametrize("bogus", BOGUS_IDS)
@pytest.mark.parametrize(
    "page",
    [
        "/admin/school/student/{}/transcript/",
        "/admin/school/student/{}/transcript.csv",
        "/admin/school/course/{}/gradebook/",
        "/admin/school/course/{}/gradebook.csv",
        "/admin/school/student/{}/change/",
        "/admin/school/course/{}/change/",
        "/admin/school/club/{}/change/",
        "/admin/school/enrollment/{}/change/",
    ],
)
def test_a_bogus_id_in_a_school_address_is_no_server_error(
    admin_client: Client, session: Session, page: str, bogus: str
) -> None:
    response = not_a_server_error(admin_client, "get", page.format(bogus))
    assert response.status_code in (302, 404), response.status_code


@pytest.mark.parametrize(
    "params",
    [
        {"enrollments__course__id__exact": HUGE},
        {"enrollments__course__id__exact": "x"},
        {"clubs__id__exact": HUGE},
        {"clubs__id__exact": "-1"},
        {"enrollment_status": "expelled"},
        {"o": "99"},
        {"o": "5.x"},
        {"q": "\x00"},
        {"p": HUGE},
    ],
)
def test_bad_filters_on_the_student_list_are_no_server_error(
    admin_client: Client, session: Session, params: dict[str, str]
) -> None:
    factories.student(session)
    not_a_server_error(admin_client, "get", "/admin/school/student/", params)


@pytest.mark.parametrize("page", ["0", "-1", "x", HUGE, "999999"])
def test_a_bad_page_of_the_grade_report_is_a_404(admin_client: Client, page: str) -> None:
    response = not_a_server_error(admin_client, "get", "/admin/school/grades/", {"p": page})
    assert response.status_code == 404


# The enroll action's course


@pytest.mark.parametrize("course", ["", "x", "-1", "0", HUGE, "1.5", "\x00", "1 OR 1=1"])
def test_a_bad_course_for_the_enroll_action_is_a_form_error(
    admin_client: Client, session: Session, course: str
) -> None:
    student = factories.student(session)
    factories.course(session)
    before = writes(session)
    data = {
        "action": "enroll_in_course",
        "index": "0",
        "_selected_action": str(student.id),
        "post": "yes",
        "course": course,
    }
    response = not_a_server_error(admin_client, "post", "/admin/school/student/", data)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Please correct the error below." in response.content.decode()
    assert writes(session) == before


def test_a_repeated_course_parameter_enrolls_in_one_course_only(
    admin_client: Client, session: Session
) -> None:
    student = factories.student(session)
    first, second = factories.course(session), factories.course(session)
    data = {
        "action": "enroll_in_course",
        "index": "0",
        "_selected_action": str(student.id),
        "post": "yes",
        "course": [str(first.id), str(second.id)],
    }
    response = not_a_server_error(admin_client, "post", "/admin/school/student/", data)
    assert response.status_code == 302
    enrolled = session.scalars(select(Enrollment.course_id)).all()
    assert enrolled == [second.id], "the last value, as Django reads a repeated field"


# Tampered grade book POSTs


def _gradebook(session: Session, count: int = 2) -> tuple[Course, list[Enrollment]]:
    course = factories.course(session)
    students = [factories.student(session) for _ in range(count)]
    rows = [Enrollment(student_id=student.id, course_id=course.id) for student in students]
    session.add_all(rows)
    session.flush()
    return course, rows


@pytest.mark.parametrize(
    "change",
    [
        {"form-0-id": [HUGE]},
        {"form-0-_version": [HUGE]},
        {"form-0-id": ["-1"]},
        {"form-TOTAL_FORMS": ["-1"]},
        {"form-TOTAL_FORMS": ["3"]},
        {"form-TOTAL_FORMS": ["1"]},
        {"form-TOTAL_FORMS": []},
        {"form-0-grade": ["A", "B"]},
        {"form-0-grade": ["A\x00"]},
        {"form-0-notes": ["bad\x00note"]},
        {"form-0-status": ["\x00"]},
        {"form-0-grade": ["A" * 5000]},
        {"initial-form-0-grade": ["Z"]},
        {"form-0-id": ["1\x00"]},
    ],
)
def test_a_tampered_grade_book_post_is_no_server_error(
    admin_client: Client, session: Session, change: dict[str, list[str]]
) -> None:
    course, _rows = _gradebook(session)
    url = f"/admin/school/course/{course.id}/gradebook/"
    data = form_data(admin_client.get(url), "gradebook-form")
    before = writes(session)
    data = {**data, **change, "_save": ["Save"]}
    response = not_a_server_error(admin_client, "post", url, data)
    assert response.status_code in (200, 302, 400)
    saved = session.scalars(select(Enrollment.grade).where(Enrollment.course_id == course.id)).all()
    assert set(saved) <= {None, "A", "B"}
    if response.status_code != 302:
        assert writes(session) == before


def test_a_null_character_in_a_grade_book_row_is_a_row_error_not_a_blank(
    admin_client: Client, session: Session
) -> None:
    course, rows = _gradebook(session, 1)
    rows[0].grade, rows[0].notes = "B", "Keep me"
    session.flush()
    url = f"/admin/school/course/{course.id}/gradebook/"
    data = form_data(admin_client.get(url), "gradebook-form")
    for name, value in (("notes", "bad\x00note"), ("grade", "A\x00")):
        response = admin_client.post(url, {**data, f"form-0-{name}": [value], "_save": ["Save"]})
        assert response.status_code == 200, name
        assert "Null characters are not allowed." in response.content.decode()
        session.refresh(rows[0])
        assert (rows[0].grade, rows[0].notes, rows[0].version_id) == ("B", "Keep me", 2)


# Forged memberships and inline rows


def _student_post(student: Student, **values: Any) -> dict[str, Any]:
    return {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "clubs-shown": "",
        "clubs-add": "",
        "_save": "Save",
        **formset("enrollments"),
        **values,
    }


@pytest.mark.parametrize(
    "values",
    [
        {"clubs": ["x"]},
        {"clubs": [HUGE]},
        {"clubs-add": "x"},
        {"clubs-add": HUGE},
        {"clubs-add": "-1"},
        {"clubs-shown": "x,y"},
        {"clubs-shown": HUGE},
        formset("enrollments", new=[{"course": HUGE, "status": "active"}]),
        formset("enrollments", new=[{"course": "x", "status": "active"}]),
        formset("enrollments", [{"id": HUGE, "course": "1", "status": "active"}]),
        formset("enrollments", [{"id": "x", "course": "1", "status": "active"}]),
        formset("enrollments", new=[{"course": "1", "status": "active", "grade": "\x00"}]),
    ],
)
def test_a_forged_student_page_post_is_no_server_error(
    admin_client: Client, session: Session, values: dict[str, Any]
) -> None:
    student = factories.student(session)
    factories.course(session)
    before = writes(session)
    url = f"/admin/school/student/{student.id}/change/"
    response = not_a_server_error(admin_client, "post", url, _student_post(student, **values))
    assert response.status_code in (200, 400)
    assert writes(session) == before


@pytest.mark.parametrize(
    "values",
    [
        {"students": ["x"]},
        {"students-add": HUGE},
        {"students-add": "x,1"},
        {"students-shown": "-"},
    ],
)
def test_a_forged_club_page_post_is_no_server_error(
    admin_client: Client, session: Session, values: dict[str, Any]
) -> None:
    club = Club(name=f"Club {factories._n()}")
    session.add(club)
    session.flush()
    before = writes(session)
    data = {
        "name": club.name,
        "description": "",
        "students-shown": "",
        "students-add": "",
        "_save": "Save",
        **values,
    }
    url = f"/admin/school/club/{club.id}/change/"
    response = not_a_server_error(admin_client, "post", url, data)
    assert response.status_code in (200, 400)
    assert writes(session) == before
