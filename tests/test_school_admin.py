"""The school's admin: student, course and club lists with counts and grade averages in SQL,
their filters and search, the links to transcript and grade book, clubs edited from both
sides, and the enrollment rules on every form that sets a status or a grade."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.admin.changelist.filters import FILTER_CHOICE_LIMIT
from shop.admin.forms import membership
from shop.models import AuditDetail, AuditRecord, Club, Course, Enrollment, Student, student_clubs
from shop.models.school import GRADES
from shop.services.school.grades import gpa
from shop.services.school.rules import DROPPED_HAS_NO_GRADE
from tests import factories
from tests.action_helpers import audit_of, form_data, fresh, staff_client
from tests.inline_helpers import formset, page_errors

STUDENTS = "/admin/school/student/"
COURSES = "/admin/school/course/"
CLUBS = "/admin/school/club/"
ENROLLMENTS = "/admin/school/enrollment/"
# StudentAdmin.list_display: last_name, first_name, email, enrollment_count, club_count, GPA
ENROLLMENT_COUNT, CLUB_COUNT, GPA = 3, 4, 5
# CourseAdmin.list_display: code, title, credits, enrolled, average_grade
ENROLLED, AVERAGE = 3, 4


def pks(response: Any) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)">', response.content.decode())]


def cells(response: Any, field: str) -> list[str]:
    """The text of one column, in row order."""
    pattern = rf'<t[hd][^>]* class="field-{field}[" ][^>]*>(.*?)</t[hd]>'
    found = re.findall(pattern, response.content.decode(), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def named_student(session: Session, first: str, last: str) -> Student:
    row = Student(first_name=first, last_name=last, email=f"{first}.{last}@example.com".lower())
    session.add(row)
    session.flush()
    return row


def enrolled(
    session: Session, student: Student, course: Course, grade: str | None = None, **values: Any
) -> Enrollment:
    row = Enrollment(student_id=student.id, course_id=course.id, grade=grade, **values)
    session.add(row)
    session.flush()
    return row


def clubs(session: Session, count: int, prefix: str = "Club") -> list[Club]:
    made = [Club(name=f"{prefix} {n:03}") for n in range(count)]
    session.add_all(made)
    session.flush()
    return made


def join(session: Session, student: Student, *members: Club) -> None:
    session.execute(
        student_clubs.insert(), [{"student_id": student.id, "club_id": c.id} for c in members]
    )


def members_of(session: Session, club: Club) -> set[int]:
    statement = select(student_clubs.c.student_id).where(student_clubs.c.club_id == club.id)
    return set(session.scalars(statement))


def measure(client: Client, queries: Any, url: str) -> int:
    with queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert queries.writes == [], "a list page must not write"
    return len(queries)


# The student list


def test_the_student_list_shows_enrollments_clubs_and_gpa(admin_client, session) -> None:
    ada, bob = named_student(session, "Ada", "Aaron"), named_student(session, "Bob", "Baker")
    maths, art = factories.course(session, credits=3), factories.course(session, credits=1)
    enrolled(session, ada, maths, "A")
    enrolled(session, ada, art, "B")
    enrolled(session, bob, art, status="dropped")
    join(session, ada, *clubs(session, 2))
    response = admin_client.get(STUDENTS)
    assert pks(response) == [ada.id, bob.id]
    assert cells(response, "enrollment_count") == ["2", "1"]
    assert cells(response, "club_count") == ["2", "0"]
    # (4.0 * 3 + 3.0 * 1) / 4 credits; nothing graded: no GPA.
    assert cells(response, "GPA") == ["3.75", "-"]
    headers = response.content.decode()
    assert ">Enrollment count<" in headers
    assert ">GPA<" in headers


@pytest.mark.parametrize(
    "graded",
    [
        [("A-", 3), ("B+", 4)],  # 3.4714.. -> 3.47
        [("A", 1), ("B-", 1), ("C+", 1)],  # 3.0
        [("B+", 2), ("C-", 2), ("F", 4), ("D", 1)],  # 1.2555.. -> 1.26
        [("A-", 1), ("B", 1), ("A", 1), ("C", 1)],  # 3.175 -> 3.18 (half up)
    ],
)
def test_the_listed_gpa_is_the_transcripts_to_the_hundredth(
    admin_client, session, graded: list[tuple[str, int]]
) -> None:
    student = factories.student(session)
    for grade, credits in graded:
        enrolled(session, student, factories.course(session, credits=credits), grade)
    [shown] = cells(admin_client.get(STUDENTS), "GPA")
    assert Decimal(shown) == gpa(graded)


def test_students_sort_by_their_counts_and_gpa(admin_client, session) -> None:
    low, high, middle = (named_student(session, "S", name) for name in ("Low", "High", "Mid"))
    courses = [factories.course(session) for _ in range(3)]
    for course in courses:
        enrolled(session, high, course, "A")
    enrolled(session, low, courses[0], "D")
    enrolled(session, middle, courses[0], "B")
    enrolled(session, middle, courses[1], "B")
    several = clubs(session, 3)
    join(session, middle, *several)
    join(session, low, several[0])
    assert pks(admin_client.get(STUDENTS, {"o": str(GPA)})) == [low.id, middle.id, high.id]
    assert pks(admin_client.get(STUDENTS, {"o": f"-{GPA}"})) == [high.id, middle.id, low.id]
    by_enrollments = pks(admin_client.get(STUDENTS, {"o": f"-{ENROLLMENT_COUNT}"}))
    assert by_enrollments == [high.id, middle.id, low.id]
    assert pks(admin_client.get(STUDENTS, {"o": str(CLUB_COUNT)})) == [high.id, low.id, middle.id]


def test_students_filter_by_course_club_and_enrollment_status(admin_client, session) -> None:
    ada, bob, cid = (named_student(session, "S", name) for name in ("Ada", "Bob", "Cid"))
    maths, art = factories.course(session), factories.course(session)
    enrolled(session, ada, maths)
    enrolled(session, ada, art)  # two active enrollments: still one row
    enrolled(session, bob, art, status="dropped")
    chess, drama = clubs(session, 2)
    join(session, bob, chess)
    join(session, cid, chess, drama)

    def listed(**params: Any) -> list[int]:
        return pks(admin_client.get(STUDENTS, params))

    assert listed(enrollments__course__id__exact=art.id) == [ada.id, bob.id]
    assert listed(enrollments__course__id__exact=maths.id) == [ada.id]
    assert listed(clubs__id__exact=chess.id) == [bob.id, cid.id]
    assert listed(enrollment_status="active") == [ada.id]
    assert listed(enrollment_status="dropped") == [bob.id]
    assert listed(enrollment_status=["dropped", "active"]) == [ada.id, bob.id]
    assert listed(enrollment_status="none") == [cid.id]
    assert listed(enrollment_status="none", clubs__id__exact=drama.id) == [cid.id]
    assert admin_client.get(STUDENTS, {"enrollment_status": "x"})["Location"] == f"{STUDENTS}?e=1"
    page = admin_client.get(STUDENTS).content.decode()
    assert f"?enrollments__course__id__exact={maths.id}" in page
    assert f"?clubs__id__exact={drama.id}" in page
    assert "?enrollment_status=dropped" in page
    assert "By enrollment status" in page


def test_with_thousands_of_clubs_the_filters_search_instead_of_listing(
    admin_client, session, queries
) -> None:
    member = named_student(session, "Ada", "Member")
    few = measure(admin_client, queries, STUDENTS)
    many = clubs(session, FILTER_CHOICE_LIMIT + 1, "Many")
    for _ in range(FILTER_CHOICE_LIMIT + 1):
        factories.course(session)
    join(session, member, many[-1])
    assert measure(admin_client, queries, STUDENTS) == few
    page = admin_client.get(STUDENTS).content.decode()
    assert f"?clubs__id__exact={many[0].id}" not in page, "no link per club"
    for field in ("clubs", "enrollments__course"):
        search = f"?app_label=school&amp;model_name=student&amp;field_name={field}"
        assert f'data-autocomplete-url="/admin/autocomplete/{search}"' in page
    params = {"app_label": "school", "model_name": "student", "field_name": "clubs"}
    found = admin_client.get("/admin/autocomplete/", {**params, "term": many[-1].name}).json()
    assert found["results"] == [{"id": str(many[-1].id), "text": many[-1].name}]
    assert pks(admin_client.get(STUDENTS, {"clubs__id__exact": many[-1].id})) == [member.id]


def test_students_are_found_by_name_or_email(admin_client, session) -> None:
    ada = named_student(session, "Ada", "Lovelace")
    named_student(session, "Alan", "Turing")
    assert pks(admin_client.get(STUDENTS, {"q": "Ada Lovelace"})) == [ada.id]
    assert pks(admin_client.get(STUDENTS, {"q": "lovelace"})) == [ada.id]
    assert pks(admin_client.get(STUDENTS, {"q": "ada.lovelace@example"})) == [ada.id]
    assert pks(admin_client.get(STUDENTS, {"q": "Grace"})) == []


def _school(session: Session, students: int) -> Course:
    """`students` students, each graded in two courses and in a club; one shared course."""
    shared = factories.course(session)
    club = clubs(session, 1, prefix=f"Club of {students}")[0]
    for _ in range(students):
        student = factories.student(session)
        enrolled(session, student, shared, "B")
        enrolled(session, student, factories.course(session), "A")
        join(session, student, club)
    return shared


@pytest.mark.parametrize(
    "query",
    [
        "",
        f"?o=-{GPA}.{ENROLLMENT_COUNT}.-{CLUB_COUNT}",
        "?q=student&enrollment_status=active",
    ],
)
def test_the_student_list_runs_the_same_queries_for_3_and_30_students(
    admin_client, session, queries, query: str
) -> None:
    _school(session, 3)
    few = measure(admin_client, queries, STUDENTS + query)
    _school(session, 27)
    many = measure(admin_client, queries, STUDENTS + query)
    assert len(pks(admin_client.get(STUDENTS + query))) == 30
    assert few == many, queries.statements


# The student page


def test_the_student_page_links_to_the_transcript_with_the_gpa(admin_client, session) -> None:
    student = factories.student(session)
    enrolled(session, student, factories.course(session, credits=2), "A-")
    page = admin_client.get(f"{STUDENTS}{student.id}/change/").content.decode()
    assert f'<a href="{STUDENTS}{student.id}/transcript/">GPA 3.70: view transcript</a>' in page
    other = factories.student(session)
    page = admin_client.get(f"{STUDENTS}{other.id}/change/").content.decode()
    assert "No graded courses yet: view transcript" in page
    assert "transcript" not in admin_client.get(f"{STUDENTS}add/").content.decode()


def test_the_enrollment_inline_chooses_a_grade_from_the_scale(admin_client, session) -> None:
    student = factories.student(session)
    enrolled(session, student, factories.course(session), "B")
    page = admin_client.get(f"{STUDENTS}{student.id}/change/").content.decode()
    select_html = re.search(r'<select name="enrollments-0-grade".*?</select>', page, re.S)
    assert select_html is not None
    options = re.findall(r'<option value="([^"]*)"', select_html.group(0))
    assert options == ["", *GRADES]
    # The course is chosen by searching courses, never from a list of every course.
    course_search = "?app_label=school&amp;model_name=enrollment&amp;field_name=course"
    assert f'data-autocomplete-url="/admin/autocomplete/{course_search}"' in page


def test_many_clubs_on_the_student_page_cost_no_more_queries(
    admin_client, session, queries
) -> None:
    few, many = factories.student(session), factories.student(session)
    join(session, few, *clubs(session, 2, "Few"))
    join(session, many, *clubs(session, membership.MEMBERS_SHOWN + 30, "Many"))
    counts = [measure(admin_client, queries, f"{STUDENTS}{s.id}/change/") for s in (few, many)]
    assert counts[1] == counts[0]  # the count of all members comes with the shown ones
    page = admin_client.get(f"{STUDENTS}{many.id}/change/").content.decode()
    assert "30 more not shown; saving leaves them as they are." in page


def test_student_and_course_pages_cost_the_same_queries_for_2_or_30_enrollments(
    admin_client, session, queries
) -> None:
    def pages(count: int) -> tuple[int, int]:
        student, course = factories.student(session), factories.course(session)
        for _ in range(count):
            enrolled(session, student, factories.course(session), "B")
            enrolled(session, factories.student(session), course, "A")
        student_page = measure(admin_client, queries, f"{STUDENTS}{student.id}/change/")
        course_page = measure(admin_client, queries, f"{COURSES}{course.id}/change/")
        return student_page, course_page

    assert pages(2) == pages(30)


# Courses


def test_the_course_list_counts_the_enrolled_and_averages_the_grades(admin_client, session) -> None:
    small, big, empty = (factories.course(session) for _ in range(3))
    students = [factories.student(session) for _ in range(4)]
    enrolled(session, students[0], small, "A")
    enrolled(session, students[1], small, status="dropped")  # kept, but not counted
    for student, grade in zip(students, ["B", "C", "A-", None], strict=True):
        enrolled(session, student, big, grade)
    response = admin_client.get(COURSES)
    assert pks(response) == [small.id, big.id, empty.id]
    assert cells(response, "enrolled") == ["1", "4", "0"]
    # (3.0 + 2.0 + 3.7) / 3 graded = 2.9; the ungraded one is not in the average.
    assert cells(response, "average_grade") == ["4.00", "2.90", "-"]
    assert pks(admin_client.get(COURSES, {"o": f"-{ENROLLED}"})) == [big.id, small.id, empty.id]
    graded = [pk for pk in pks(admin_client.get(COURSES, {"o": str(AVERAGE)})) if pk != empty.id]
    assert graded == [big.id, small.id]


def test_the_course_list_runs_the_same_queries_for_3_and_30_courses(
    admin_client, session, queries
) -> None:
    def courses(count: int) -> None:
        for _ in range(count):
            course = factories.course(session)
            enrolled(session, factories.student(session), course, "B")

    courses(3)
    few = measure(admin_client, queries, f"{COURSES}?o=-{AVERAGE}.{ENROLLED}&q=C")
    courses(27)
    many = measure(admin_client, queries, f"{COURSES}?o=-{AVERAGE}.{ENROLLED}&q=C")
    assert few == many, queries.statements


def test_the_course_page_shows_its_roster_and_links_to_its_grade_book(
    admin_client, session
) -> None:
    course = factories.course(session)
    ada = named_student(session, "Ada", "Roster")
    enrolled(session, ada, course, "A")
    page = admin_client.get(f"{COURSES}{course.id}/change/").content.decode()
    assert f'<a href="{COURSES}{course.id}/gradebook/">' in page
    assert "Average grade 4.00: open the grade book" in page
    assert f'name="enrollments-0-student" value="{ada.id}"' in page
    assert f'<strong class="related-label">{ada}</strong>' in page
    assert 'name="enrollments-0-grade"' in page


@pytest.mark.parametrize(
    ("credits", "error"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-3", "Ensure this value is greater than or equal to 1."),
        ("2.5", "Enter a whole number."),
        ("99999999999", "Ensure this value is less than or equal to 2147483647."),
    ],
)
def test_credits_must_be_a_positive_whole_number(
    admin_client, session, credits: str, error: str
) -> None:
    data = {"code": "NEW1", "title": "New", "credits": credits, "_save": "Save"}
    data.update(formset("enrollments"))
    response = admin_client.post(f"{COURSES}add/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert session.scalar(select(Course.id).where(Course.code == "NEW1")) is None


def test_the_database_still_refuses_what_the_forms_refuse(session: Session) -> None:
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Course(code="ZERO", title="Zero", credits=0))
        session.flush()
    student, course = factories.student(session), factories.course(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        enrolled(session, student, course, "B", status="dropped")
    table: Any = Enrollment.__table__
    row = {"student_id": student.id, "course_id": course.id, "enrolled_date": date(2030, 9, 1)}
    row["version_id"] = 1
    # Past the ORM: the CHECKs of the grade scale and of the statuses (ck_enrollments_grade,
    # ck_enrollments_enrollment_status), an empty grade included, and exactly: no other
    # case and no trailing space (on MariaDB, the binary collation of migration 0002).
    refused = (
        {"grade": "E"},
        {"grade": ""},
        {"grade": "Z+"},
        {"grade": "a"},
        {"grade": "A "},
        {"status": "expelled"},
        {"status": "Active"},
    )
    for values in refused:
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(table.insert().values({**row, "status": "active", **values}))
    session.execute(table.insert().values({**row, "status": "active", "grade": "A-"}))
    assert session.scalars(select(Enrollment.grade)).all() == ["A-"]


# Clubs, edited from either side


def club_data(club: Club, **values: Any) -> dict[str, Any]:
    data = {
        "name": club.name,
        "description": club.description or "",
        "students": [],
        "students-shown": "",
        "students-add": "",
        "_save": "Save",
    }
    data.update(values)
    return data


def student_data(student: Student, **values: Any) -> dict[str, Any]:
    data = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "clubs": [],
        "clubs-shown": "",
        "clubs-add": "",
        "_save": "Save",
        **formset("enrollments"),
    }
    data.update(values)
    return data


def _audit_details(session: Session, entity: str, entity_id: int) -> set[tuple[str, Any, Any]]:
    records = session.scalars(
        select(AuditRecord.id).where(
            AuditRecord.entity == entity, AuditRecord.entity_id == str(entity_id)
        )
    ).all()
    details = session.scalars(select(AuditDetail).where(AuditDetail.audit_id.in_(records)))
    return {(d.field, d.old_value, d.new_value) for d in details}


def test_a_membership_added_on_the_club_and_removed_on_the_student_is_audited_twice(
    admin_client, session
) -> None:
    (chess,) = clubs(session, 1)
    ada = named_student(session, "Ada", "Member")
    response = admin_client.post(
        f"{CLUBS}{chess.id}/change/", club_data(chess, **{"students-add": str(ada.id)})
    )
    assert response.status_code == 302
    assert members_of(session, chess) == {ada.id}
    assert _audit_details(session, "school.club", chess.id) == {
        ("students", None, f"{ada} (#{ada.id})")
    }
    page = admin_client.get(f"{STUDENTS}{ada.id}/change/").content.decode()
    assert f'name="clubs" value="{chess.id}" checked> {chess.name}' in page

    data = student_data(ada, clubs=[], **{"clubs-shown": str(chess.id)})
    assert admin_client.post(f"{STUDENTS}{ada.id}/change/", data).status_code == 302
    assert members_of(session, chess) == set()
    assert _audit_details(session, "school.student", ada.id) == {
        ("clubs", f"{chess.name} (#{chess.id})", None)
    }
    page = admin_client.get(f"{CLUBS}{chess.id}/change/").content.decode()
    assert 'name="students-shown" value=""' in page


def test_the_club_page_searches_students_to_add(admin_client, session) -> None:
    (chess,) = clubs(session, 1)
    ada = named_student(session, "Ada", "Lovelace")
    named_student(session, "Alan", "Turing")
    page = admin_client.get(f"{CLUBS}{chess.id}/change/").content.decode()
    assert (
        'data-autocomplete-url="/admin/autocomplete/?app_label=school&amp;model_name=club'
        "&amp;field_name=students" in page
    )
    params = {"app_label": "school", "model_name": "club", "field_name": "students"}
    found = admin_client.get("/admin/autocomplete/", {**params, "term": "love"}).json()
    assert found["results"] == [{"id": str(ada.id), "text": str(ada)}]


def test_the_club_list_counts_members_in_sql(admin_client, session, queries) -> None:
    quiet, busy = clubs(session, 2)
    for _ in range(3):
        join(session, factories.student(session), busy)
    response = admin_client.get(CLUBS)
    assert cells(response, "member_count") == ["0", "3"]
    assert pks(admin_client.get(CLUBS, {"o": "-1"})) == [busy.id, quiet.id]
    few = measure(admin_client, queries, f"{CLUBS}?o=-1")
    for club in clubs(session, 30, "More"):
        join(session, factories.student(session), club)
    assert few == measure(admin_client, queries, f"{CLUBS}?o=-1")


def test_a_club_with_many_members_shows_some_and_keeps_the_rest(admin_client, session) -> None:
    (club,) = clubs(session, 1)
    students = [factories.student(session) for _ in range(membership.MEMBERS_SHOWN + 5)]
    session.execute(
        student_clubs.insert(), [{"student_id": s.id, "club_id": club.id} for s in students]
    )
    response = admin_client.get(f"{CLUBS}{club.id}/change/")
    assert "5 more not shown; saving leaves them as they are." in response.content.decode()
    data = form_data(response, "club_form")
    assert (
        admin_client.post(f"{CLUBS}{club.id}/change/", {**data, "_save": "Save"}).status_code == 302
    )
    assert members_of(session, club) == {s.id for s in students}


# The enrollment rules, on every form


def enrollment_data(enrollment: Enrollment, **values: Any) -> dict[str, Any]:
    data = {
        "student": str(enrollment.student_id),
        "course": str(enrollment.course_id),
        "enrolled_date": enrollment.enrolled_date.isoformat(),
        "status": enrollment.status,
        "grade": enrollment.grade or "",
        "notes": enrollment.notes or "",
        "_version": str(enrollment.version_id),
        "_save": "Save",
    }
    data.update(values)
    return data


def test_the_enrollment_page_refuses_a_grade_for_a_dropped_enrollment(
    admin_client, session
) -> None:
    row = enrolled(session, factories.student(session), factories.course(session), "B")
    url = f"{ENROLLMENTS}{row.id}/change/"
    response = admin_client.post(url, enrollment_data(row, status="dropped"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"grade": [DROPPED_HAS_NO_GRADE]}
    assert fresh(session, Enrollment, row.id).status == "active"
    response = admin_client.post(url, enrollment_data(row, status="dropped", grade=""))
    assert response.status_code == 302
    assert (fresh(session, Enrollment, row.id).status, row.grade) == ("dropped", None)
    response = admin_client.post(
        url, enrollment_data(fresh(session, Enrollment, row.id), grade="A")
    )
    assert response.context["form"].errors == {"grade": [DROPPED_HAS_NO_GRADE]}


@pytest.mark.parametrize("grade", ["E", "a+", "A++", "4.0"])
def test_only_a_grade_of_the_scale_is_accepted(admin_client, session, grade: str) -> None:
    row = enrolled(session, factories.student(session), factories.course(session))
    response = admin_client.post(
        f"{ENROLLMENTS}{row.id}/change/", enrollment_data(row, grade=grade)
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["grade"]
    assert message == f"Select a valid choice. {grade} is not one of the available choices."
    assert fresh(session, Enrollment, row.id).grade is None


def test_the_add_page_refuses_a_dropped_enrollment_with_a_grade(admin_client, session) -> None:
    student, course = factories.student(session), factories.course(session)
    data = {
        "student": str(student.id),
        "course": str(course.id),
        "enrolled_date": "2030-09-01",
        "status": "dropped",
        "grade": "C",
        "notes": "",
        "_save": "Save",
    }
    response = admin_client.post(f"{ENROLLMENTS}add/", data)
    assert response.context["form"].errors == {"grade": [DROPPED_HAS_NO_GRADE]}
    assert session.scalar(select(Enrollment.id)) is None


def _row(enrollment: Enrollment, other: str, **values: Any) -> dict[str, Any]:
    """An existing inline row: `other` is the field naming the other side of the pair."""
    return {
        "id": enrollment.id,
        other: getattr(enrollment, f"{other}_id"),
        "enrolled_date": enrollment.enrolled_date.isoformat(),
        "status": enrollment.status,
        "grade": enrollment.grade or "",
        "_version": enrollment.version_id,
        **values,
    }


def test_both_inlines_refuse_a_grade_for_a_dropped_enrollment(admin_client, session) -> None:
    student, course = factories.student(session), factories.course(session)
    row = enrolled(session, student, course, "A")
    new = {"course": factories.course(session).id, "enrolled_date": "2030-09-01"}
    new.update(status="dropped", grade="B")
    rows = formset("enrollments", [_row(row, "course", status="dropped")], [new])
    data = student_data(student, **rows)
    response = admin_client.post(f"{STUDENTS}{student.id}/change/", data)
    assert response.status_code == 200
    assert page_errors(response, "enrollments")[1] == [
        {"grade": [DROPPED_HAS_NO_GRADE]},
        {"grade": [DROPPED_HAS_NO_GRADE]},
    ]
    course_data = {
        "code": course.code,
        "title": course.title,
        "credits": str(course.credits),
        "_save": "Save",
        **formset("enrollments", [_row(row, "student", status="dropped")]),
    }
    response = admin_client.post(f"{COURSES}{course.id}/change/", course_data)
    assert response.status_code == 200
    assert page_errors(response, "enrollments")[1] == [{"grade": [DROPPED_HAS_NO_GRADE]}]
    assert (fresh(session, Enrollment, row.id).status, row.grade) == ("active", "A")
    assert session.scalar(select(Enrollment.id).where(Enrollment.id != row.id)) is None


def test_the_list_refuses_a_grade_outside_the_scale_or_on_a_dropped_row(
    admin_client, session
) -> None:
    row = enrolled(session, factories.student(session), factories.course(session), "B")
    data = form_data(admin_client.get(ENROLLMENTS))
    response = admin_client.post(ENROLLMENTS, {**data, "form-0-grade": "Z", "_save": "Save"})
    assert "Select a valid choice. Z is not one of the available choices." in unescape(
        response.content.decode()
    )
    response = admin_client.post(ENROLLMENTS, {**data, "form-0-status": "dropped", "_save": "Save"})
    assert response.status_code == 200
    # The enrollment form's rule, through the list's form (EnrollmentAdmin.changelist_form).
    assert (
        "A dropped enrollment cannot receive a grade: clear the grade or change the status."
        in unescape(response.content.decode())
    )
    assert (fresh(session, Enrollment, row.id).status, row.grade) == ("active", "B")


# Dropping keeps the record; deleting it is a separate permission


def test_deleting_an_enrollment_inline_needs_the_delete_permission(
    django_user_model, session
) -> None:
    student = factories.student(session)
    row = enrolled(session, student, factories.course(session), "B")
    perms = ["school.view_student", "school.change_student"]
    perms += ["school.view_enrollment", "school.change_enrollment", "school.add_enrollment"]
    clerk = staff_client(django_user_model, *perms)
    data = student_data(student, **formset("enrollments", [_row(row, "course", DELETE=True)]))
    response = clerk.post(f"{STUDENTS}{student.id}/change/", data)
    assert response.status_code == 200
    assert page_errors(response, "enrollments")[0] == ["You may not delete enrollments."]
    assert fresh(session, Enrollment, row.id) is not None

    boss = staff_client(django_user_model, *perms, "school.delete_enrollment", username="boss")
    row_id = row.id
    response = boss.post(f"{STUDENTS}{student.id}/change/", data)
    assert response.status_code == 302
    session.expunge_all()
    assert session.get(Enrollment, row_id) is None
    assert [action for action, _details in audit_of(session, "school.enrollment", row_id)] == [
        "delete"
    ]
