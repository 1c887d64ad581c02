"""The grade distribution report: exact counts from one query, pages of courses, a chart
with a text alternative, and who may open it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from sqlalchemy.orm import Session

from shop.models import Course, Enrollment, Student
from shop.models.school import GRADES
from shop.registrations.grade_chart import grade_chart
from shop.reports import grades
from tests import factories
from tests.auth_helpers import django_staff
from tests.querycount import QueryCounter

URL = "/admin/school/grades/"


def course(session: Session, code: str) -> Course:
    row = factories.course(session)
    row.code, row.title = code, f"Title of {code}"
    session.flush()
    return row


def take(session: Session, where: Course, grade: str | None = None, status: str = "") -> None:
    status = status or ("completed" if grade else "active")
    student: Student = factories.student(session)
    session.add(Enrollment(student=student, course=where, grade=grade, status=status))
    session.flush()


def school(session: Session) -> dict[str, Course]:
    """ALG: A+, A, A, B-, F, two waiting (one active, one completed), two dropped.
    BIO: nobody. CHEM: C, C, C."""
    alg, bio, chem = course(session, "ALG"), course(session, "BIO"), course(session, "CHEM")
    for grade in ("A+", "A", "A", "B-", "F"):
        take(session, alg, grade)
    take(session, alg, None, "active")
    take(session, alg, None, "completed")
    take(session, alg, None, "dropped")
    take(session, alg, None, "dropped")
    for _ in range(3):
        take(session, chem, "C")
    return {"alg": alg, "bio": bio, "chem": chem}


def counts(found: grades.CourseGrades) -> dict[str, int]:
    return {grade: n for grade, n in found.counts.items() if n}


def test_counts_are_exact_per_course_and_grade(session: Session) -> None:
    courses = school(session)
    page = grades.grade_distribution(session)
    assert [c.code for c in page.courses] == ["ALG", "BIO", "CHEM"]
    alg, bio, chem = page.courses
    assert alg.course_id == courses["alg"].id
    assert counts(alg) == {"A+": 1, "A": 2, "B-": 1, "F": 1}
    assert list(alg.counts) == list(GRADES)  # every grade, in scale order
    assert (alg.graded, alg.ungraded, alg.dropped, alg.students) == (5, 2, 2, 7)
    assert (counts(bio), bio.ungraded, bio.dropped, bio.students) == ({}, 0, 0, 0)
    assert (counts(chem), chem.ungraded, chem.dropped) == ({"C": 3}, 0, 0)
    assert (page.total, page.pages, page.first_index, page.last_index) == (3, 1, 1, 3)


def test_the_data_is_one_aggregate_query_grouped_by_course_and_grade(
    session: Session, queries: QueryCounter
) -> None:
    school(session)
    with queries:
        grades.grade_distribution(session)
    assert len(queries) == 1
    sql = queries.selects_and_writes[0].upper()
    assert "GROUP BY" in sql
    assert "GRADE" in sql.split("GROUP BY")[-1]


def _page(client: Client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def table_row(html: str, code: str) -> list[str]:
    """The cells of the table row of course `code`, as text."""
    row = re.search(rf'<tr>\s*<th scope="row">(?:<a [^>]*>)?{code}<.*?</tr>', html, re.S)
    assert row is not None, code
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def numbers(html: str, code: str) -> list[int]:
    return [int(cell) for cell in table_row(html, code)]


def test_the_page_shows_every_count_with_one_query(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    school(session)
    with queries:
        html = _page(admin_client)
    assert len(queries) == 1, queries.selects_and_writes
    #                    A+ A  A- B+ B  B- C+ C  C- D  F  waiting dropped students
    assert numbers(html, "ALG") == [1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 2, 7]
    assert numbers(html, "BIO") == [0] * 14
    assert numbers(html, "CHEM") == [0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3]
    assert "Courses 1–3 of 3" in html


def test_the_query_count_does_not_grow_with_courses_or_students(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    school(session)
    with queries:
        _page(admin_client)
    few = len(queries)
    for index in range(15):
        extra = course(session, f"X{index:02}")
        for grade in GRADES[index % 4 :: 3]:
            take(session, extra, grade)
    with queries:
        _page(admin_client)
    assert len(queries) == few == 1


def test_counts_link_to_the_enrollments_they_count(admin_client: Client, session: Session) -> None:
    courses = school(session)
    html = _page(admin_client)
    alg = courses["alg"].id
    expected = {
        f"course__id__exact={alg}&amp;grade__exact=A": 2,
        f"course__id__exact={alg}&amp;grade__exact=A%2B": 1,
        f"course__id__exact={alg}&amp;grade__isnull=True&amp;status__in=active%2Ccompleted": 2,
        f"course__id__exact={alg}&amp;status__exact=dropped": 2,
    }
    for query, count in expected.items():
        link = f'<a href="/admin/school/enrollment/?{query}">{count}</a>'
        assert link in html
        listed = admin_client.get(f"/admin/school/enrollment/?{query.replace('&amp;', '&')}")
        assert listed.content.decode().count('name="_selected_action"') == count
    assert f'<a href="/admin/school/course/{alg}/change/">ALG</a>' in html


def test_the_chart_is_themed_svg_with_a_text_alternative(
    admin_client: Client, session: Session
) -> None:
    school(session)
    html = _page(admin_client)
    svg = re.search(r'<svg class="chart grade-chart".*?</svg>', html, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart
    assert 'aria-labelledby="grade-chart-title grade-chart-desc"' in chart
    assert '<title id="grade-chart-title">Grade distribution per course</title>' in chart
    assert "ALG to CHEM: 8 of 10 students graded." in chart
    assert "The table that follows lists every count." in chart
    assert "<title>ALG, A: 2 of 7 (29%)</title>" in chart
    assert "<title>ALG, Not graded yet: 2 of 7 (29%)</title>" in chart
    assert "<title>CHEM, C: 3 of 3 (100%)</title>" in chart
    assert chart.count('class="grade-segment') == 4 + 1 + 1  # ALG: 4 grades + waiting; CHEM
    assert chart.count('<g class="grade-bar">') == 3
    # Colours come from the stylesheet's variables (light and dark), never fixed here.
    assert not re.search(r"(fill|stroke|style)=", chart)
    assert '<link rel="stylesheet" href="/static/admin/css/grade_report.css">' in html
    assert not re.search(r'(href|src)="(https?:)?//', html)
    assert '<table id="grade-table">' in html  # the text alternative: every count


def test_each_bar_fills_its_width_in_scale_order(session: Session) -> None:
    school(session)
    found = grades.grade_distribution(session).courses
    chart = grade_chart(found)
    alg, bio, chem = chart.bars
    families = ["grade-a", "grade-a", "grade-b", "grade-f", "grade-none"]
    assert [s.css for s in alg.segments] == families
    assert sum(s.width for s in alg.segments) == pytest.approx(chart.bar_width, abs=0.05)
    assert alg.segments[0].x == chart.bar_x
    assert (bio.segments, bio.total_text) == ([], "n = 0")
    assert (len(chem.segments), chem.segments[0].width) == (1, chart.bar_width)
    assert chart.height > 3 * chart.bar_height


def test_many_courses_are_shown_a_page_at_a_time(
    admin_client: Client, session: Session, queries: QueryCounter
) -> None:
    for index in range(grades.COURSES_PER_PAGE + 5):
        take(session, course(session, f"K{index:03}"), "B")
    with queries:
        first = _page(admin_client)
    assert len(queries) == 1
    assert first.count('<g class="grade-bar">') == grades.COURSES_PER_PAGE
    assert "Courses 1–20 of 25" in first
    assert "Page 1 of 2" in first
    assert '<a href="?p=2" rel="next">' in first
    assert 'rel="prev"' not in first
    second = _page(admin_client, "?p=2")
    assert second.count('<g class="grade-bar">') == 5
    assert "K020" in second
    assert "K019" not in second
    assert '<a href="?p=1" rel="prev">' in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize("query", ["?p=3", "?p=0", "?p=-1", "?p=abc", "?p=1e3", "?p=9999999"])
def test_a_page_that_does_not_exist_is_404(
    admin_client: Client, session: Session, query: str
) -> None:
    take(session, course(session, "ONLY"), "A")
    assert admin_client.get(URL + query).status_code == 404


def test_no_courses_says_so(admin_client: Client, queries: QueryCounter) -> None:
    with queries:
        html = _page(admin_client)
    assert len(queries) == 1
    assert '<p class="empty">No courses yet.</p>' in html
    assert '<svg class="chart' not in html


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_view_permission_on_enrollments_get_403_and_no_link(
    client: Client, django_user_model: Any
) -> None:
    keys = ("school.view_course", "school.view_student")
    client.force_login(django_staff(django_user_model, "teacher", *keys))
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/admin/").content.decode()


def test_staff_who_may_view_enrollments_open_it_from_the_index(
    client: Client, session: Session, django_user_model: Any
) -> None:
    school(session)
    client.force_login(django_staff(django_user_model, "dean", "school.view_enrollment"))
    index = client.get("/admin/").content.decode()
    assert f'<a href="{URL}">Grade distribution</a>' in index
    html = _page(client)
    assert "/admin/school/course/" not in html  # no course links without that permission
    assert table_row(html, "CHEM")[-1] == "3"
