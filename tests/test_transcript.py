"""A student's transcript: rows, credits, the GPA (exact, equal to the SQL one), its CSV,
who may open it and how many queries it takes."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Course, Enrollment, Student
from shop.registrations.transcript import csv_filename
from shop.services.school.grades import gpa, student_gpa
from shop.services.school.transcript import student_transcript
from tests import factories
from tests.auth_helpers import django_staff
from tests.querycount import QueryCounter

DAY = date(2030, 9, 1)


def url(student: Student, suffix: str = "transcript/") -> str:
    return f"/admin/school/student/{student.id}/{suffix}"


def csv_url(student: Student) -> str:
    return url(student, "transcript.csv")


def enroll(
    session: Session,
    student: Student,
    course: Course,
    grade: str | None = None,
    status: str | None = None,
    day: date = DAY,
) -> Enrollment:
    status = status or ("completed" if grade else "active")
    row = Enrollment(student=student, course=course, grade=grade, status=status, enrolled_date=day)
    session.add(row)
    session.flush()
    return row


def graded(session: Session, *pairs: tuple[str | None, int]) -> Student:
    """A student with one course per (grade, credits) pair."""
    student = factories.student(session)
    for offset, (grade, credits) in enumerate(pairs):
        course = factories.course(session, credits=credits)
        enroll(session, student, course, grade, day=DAY + timedelta(days=offset))
    return student


def sql_gpa(session: Session, student: Student) -> Decimal | None:
    return session.scalar(select(student_gpa()).where(Student.id == student.id))


def page(client: Client, student: Student) -> str:
    response = client.get(url(student))
    assert response.status_code == 200
    return response.content.decode()


def shown_gpa(html: str) -> str:
    found = re.search(r'<strong id="gpa"[^>]*>([^<]*)</strong>', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        pytest.param([], None, id="no-courses"),
        pytest.param([(None, 3), (None, 4)], None, id="no-graded-courses"),
        pytest.param([("F", 3), ("F", 1)], Decimal("0.00"), id="all-F"),
        pytest.param([("A+", 3)], Decimal("4.00"), id="A+-is-4.0"),
        pytest.param([("A+", 3), ("A", 2)], Decimal("4.00"), id="A+-equals-A"),
        # (4.0 x 4 + 2.7 x 3 + 2.3 x 1) / 8 = 26.4 / 8
        pytest.param([("A", 4), ("B-", 3), ("C+", 1)], Decimal("3.30"), id="mixed-credits"),
        # (4.0 x 4 + 3.0 x 3 + 0 x 1) / 8 = 3.125: half up, not half even (3.12)
        pytest.param([("A", 4), ("B", 3), ("F", 1)], Decimal("3.13"), id="3.125-half-up"),
        # (4.0 x 1 + 3.0 x 199) / 200 = 3.005 exactly
        pytest.param([("A", 1), ("B", 199)], Decimal("3.01"), id="3.005-half-up"),
        # 3.7 x 2 + 3.3 x 1 = 10.7 over 3 = 3.5666...: an ungraded course does not count
        pytest.param([("A-", 2), ("B+", 1), (None, 5)], Decimal("3.57"), id="ungraded-ignored"),
    ],
)
def test_the_gpa_is_exact_and_equals_the_sql_gpa(
    session: Session, pairs: list[tuple[str | None, int]], expected: Decimal | None
) -> None:
    student = graded(session, *pairs)
    transcript = student_transcript(session, student.id)
    assert transcript.gpa == expected
    assert transcript.gpa == gpa(pairs)
    assert sql_gpa(session, student) == expected
    if expected is not None:
        assert str(transcript.gpa) == str(expected)  # two decimals: "4.00", not "4"


def test_the_page_shows_the_gpa_the_sql_computes(admin_client: Client, session: Session) -> None:
    student = graded(session, ("A", 1), ("B", 199))
    assert shown_gpa(page(admin_client, student)) == str(sql_gpa(session, student)) == "3.01"


def test_no_graded_course_shows_a_dash_and_says_why(admin_client: Client, session: Session) -> None:
    student = graded(session, (None, 3))
    html = page(admin_client, student)
    assert shown_gpa(html) == "—"
    assert '<span id="gpa-note" class="quiet">no graded courses</span>' in html


def test_rows_credits_and_statuses(admin_client: Client, session: Session) -> None:
    student = factories.student(session)
    algebra, poetry, chemistry = (factories.course(session, credits=c) for c in (4, 3, 2))
    algebra.code, algebra.title = "MATH101", "Algebra"
    poetry.code, poetry.title = "LIT200", "Poetry & <verse>"
    chemistry.code, chemistry.title = "CHEM110", "Chemistry"
    enroll(session, student, poetry, "B+", day=date(2030, 1, 10))
    enroll(session, student, algebra, None, "active", day=date(2030, 2, 1))
    enroll(session, student, chemistry, None, "dropped", day=date(2029, 9, 1))
    other = factories.student(session)
    enroll(session, other, algebra, "F")  # someone else's grade: not on this transcript

    transcript = student_transcript(session, student.id)
    assert [(r.code, r.status, r.grade, r.points) for r in transcript.rows] == [
        ("CHEM110", "dropped", None, None),
        ("LIT200", "completed", "B+", Decimal("3.3")),
        ("MATH101", "active", None, None),
    ]
    assert (transcript.credits_attempted, transcript.credits_graded) == (7, 3)

    html = page(admin_client, student)
    assert '<dd id="credits-attempted">7</dd>' in html
    assert '<dd id="credits-graded">3</dd>' in html
    assert shown_gpa(html) == "3.30"
    assert "Poetry &amp; &lt;verse&gt;" in html
    assert f'<a href="/admin/school/course/{poetry.id}/change/">LIT200</a>' in html
    assert '<time datetime="2030-01-10">2030-01-10</time>' in html
    assert html.count('<tr class="status-') == 3
    # Breadcrumbs like the change page, ending in a link back to the student.
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert crumbs is not None
    assert '<a href="/admin/school/student/">Students</a>' in crumbs.group(0)
    assert f'<a href="/admin/school/student/{student.id}/change/">' in crumbs.group(0)
    assert f'href="{csv_url(student)}"' in html


def test_the_page_ships_its_print_stylesheet(admin_client: Client, session: Session) -> None:
    html = page(admin_client, graded(session, ("A", 3)))
    assert '<link rel="stylesheet" href="/static/admin/css/transcript.css">' in html
    response = admin_client.get("/static/admin/css/transcript.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    print_rules = css[css.index("@media print") :]
    for hidden in (".site-header", ".breadcrumbs", ".nav-sidebar", ".transcript-tools"):
        assert hidden in print_rules
    assert not re.search(r"(https?:)?//", css)  # nothing fetched from elsewhere


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_header_a_row_per_course_and_the_gpa(
    admin_client: Client, session: Session
) -> None:
    student = factories.student(session)
    student.last_name = "O'Brien / =cmd"
    first, second = factories.course(session, credits=4), factories.course(session, credits=2)
    first.code, first.title = "HIST1", '=HYPERLINK("http://evil","x")'
    second.code, second.title = "@SUM", '+1, -2 and "quotes"'
    enroll(session, student, first, "A-", day=date(2030, 1, 1))
    enroll(session, student, second, None, "active", day=date(2030, 1, 2))

    response = admin_client.get(csv_url(student))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"transcript-obrien-cmd-{student.id}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert csv_rows(response) == [
        ["Code", "Title", "Credits", "Enrolled", "Status", "Grade", "Grade points"],
        ["HIST1", '\'=HYPERLINK("http://evil","x")', "4", "2030-01-01", "completed", "A-", "3.7"],
        ["'@SUM", '\'+1, -2 and "quotes"', "2", "2030-01-02", "active", "", ""],
        ["GPA", "", "4", "", "", "", "3.70"],
    ]


def test_the_csv_of_a_student_without_grades_says_so(
    admin_client: Client, session: Session
) -> None:
    student = factories.student(session)
    rows = csv_rows(admin_client.get(csv_url(student)))
    assert rows == [
        ["Code", "Title", "Credits", "Enrolled", "Status", "Grade", "Grade points"],
        ["GPA", "no graded courses", "0", "", "", "", ""],
    ]


def test_the_csv_filename_is_always_plain_ascii(session: Session) -> None:
    student = factories.student(session)
    student.last_name = "Łukasiewicz\r\nSet-Cookie: x"
    assert csv_filename(student) == f"transcript-ukasiewicz-set-cookie-x-{student.id}.csv"
    student.last_name = "李"
    assert csv_filename(student) == f"transcript-student-{student.id}.csv"


def test_the_query_count_does_not_grow_with_the_courses(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    few = graded(session, *[("B", 3)] * 2)
    many = graded(session, *[("B", 3), (None, 2), ("A-", 4), ("F", 1)] * 5)
    counts = []
    for student in (few, many):
        for target in (url(student), csv_url(student)):
            with queries:
                assert admin_client.get(target).status_code == 200
            counts.append(len(queries))
    assert counts == [2, 2, 2, 2], "the student, then one query for all the rows"


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, session: Session) -> None:
    student = factories.student(session)
    for target in (url(student), csv_url(student)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param((), id="no-permission"),
        pytest.param(("school.view_student",), id="students-only"),
        pytest.param(("school.view_enrollment",), id="enrollments-only"),
    ],
)
def test_staff_without_view_permission_on_students_and_enrollments_get_403(
    client: Client, session: Session, django_user_model: Any, keys: tuple[str, ...]
) -> None:
    student = graded(session, ("A", 3))
    client.force_login(django_staff(django_user_model, "clerk", *keys))
    assert client.get(url(student)).status_code == 403
    assert client.get(csv_url(student)).status_code == 403


def test_staff_who_may_view_both_read_it_without_course_links(
    client: Client, session: Session, django_user_model: Any
) -> None:
    student = graded(session, ("A", 3))
    keys = ("school.view_student", "school.view_enrollment")
    client.force_login(django_staff(django_user_model, "registrar", *keys))
    html = page(client, student)
    assert shown_gpa(html) == "4.00"
    assert "/admin/school/course/" not in html  # no permission on courses: no links
    assert client.get(csv_url(student)).status_code == 200


@pytest.mark.parametrize("object_id", ["999999999", "abc", "1.5"])
def test_an_unknown_student_is_the_change_pages_does_not_exist_redirect(
    admin_client: Client, object_id: str
) -> None:
    for suffix in ("transcript/", "transcript.csv"):
        response = admin_client.get(f"/admin/school/student/{object_id}/{suffix}", follow=True)
        assert response.redirect_chain == [("/admin/", 302)]
        assert f"student with ID “{object_id}” doesn’t exist" in response.content.decode()


def test_a_post_is_not_allowed(admin_client: Client, session: Session) -> None:
    student = factories.student(session)
    assert admin_client.post(url(student)).status_code == 405
    assert admin_client.post(csv_url(student)).status_code == 405
