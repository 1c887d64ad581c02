"""The grade book draws a row that shows current values exactly as its row form does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shop.admin.urls import object_url
from shop.models import Course, Enrollment, Student
from shop.registrations import site
from shop.registrations.gradebook_form import current_form
from shop.registrations.gradebook_rows import Line, line_html, student_urls
from shop.services.school.gradebook import load_gradebook
from tests import factories

HOSTILE = "\"Q' & <script>alert('x')</script>"


def hostile_course(session: Session) -> Course:
    course = factories.course(session)
    marks = [(None, "active", None), ("A", "completed", HOSTILE), (None, "dropped", "")]
    marks += [("F", "active", "fine & dandy"), ("C-", "completed", "<b>")]
    for number, (grade, status, notes) in enumerate(marks):
        student = Student(
            first_name=f"{HOSTILE[:20]}{number}",
            last_name=f"<i>O'Neil</i> {number}",
            email=f"o'neil+{number}.{course.id}@example.com",
        )
        session.add(
            Enrollment(student=student, course=course, grade=grade, status=status, notes=notes)
        )
    session.flush()
    return course


def test_a_current_row_is_drawn_as_its_form_draws_it(session) -> None:
    course = hostile_course(session)
    rows = load_gradebook(session, course.id)
    assert len(rows) == 5
    for index, row in enumerate(rows):
        url = f"/admin/school/student/{row.student.id}/change/?a=1&b=<2>"
        fast = line_html(index, Line(row, None, url), editable=True)
        form = current_form(session, index, row)
        assert fast == line_html(index, Line(row, form, url), editable=True)
        assert "<script>" not in fast
        assert f'name="form-{index}-grade"' in fast


def test_student_links_are_their_change_pages(session) -> None:
    course = hostile_course(session)
    rows = load_gradebook(session, course.id)
    students = site.get_model_admin(Student)
    assert student_urls(students, rows) == [object_url(students, row.student) for row in rows]


def test_a_viewer_sees_every_value_escaped(django_user_model, session) -> None:
    from tests.action_helpers import staff_client

    course = hostile_course(session)
    client = staff_client(django_user_model, "school.view_enrollment", "school.view_course")
    body = client.get(f"/admin/school/course/{course.id}/gradebook/").content.decode()
    assert "<script>alert" not in body
    assert "&lt;i&gt;O&#x27;Neil&lt;/i&gt; 0" in body
    assert '<td class="field-grade">—</td>' in body
    assert '<td class="field-status">Dropped</td>' in body
    assert "<select" not in body
