"""Chromium grades three students in a course's grade book, then reads one transcript."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from shop.db import SessionFactory
from shop.models import Course, Enrollment, Student
from tests.browser import PASSWORD, chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _course_with_students() -> tuple[int, list[int]]:
    """A 3-credit course of three students; the first also has a C in another 3-credit
    course, so their GPA is 2.00 before this course is graded."""
    with SessionFactory() as session, session.begin():
        course = Course(code="BIO-110", title="Biology", credits=3)
        history = Course(code="HIS-100", title="History", credits=3)
        students = [
            Student(first_name="Ada", last_name="Lovelace", email="ada@example.com"),
            Student(first_name="Alan", last_name="Turing", email="alan@example.com"),
            Student(first_name="Grace", last_name="Hopper", email="grace@example.com"),
        ]
        session.add_all(Enrollment(student=student, course=course) for student in students)
        session.add(Enrollment(student=students[0], course=history, grade="C"))
        session.flush()
        return course.id, [student.id for student in students]


def _grades(course_id: int) -> dict[str, str | None]:
    with SessionFactory() as session:
        statement = (
            select(Student.last_name, Enrollment.grade)
            .join(Enrollment, Enrollment.student_id == Student.id)
            .where(Enrollment.course_id == course_id)
        )
        return dict(session.execute(statement).all())


def test_grading_a_course_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    course_id, [ada, _alan, _grace] = _course_with_students()
    gradebook = f"{live_server.url}/admin/school/course/{course_id}/gradebook/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        page.goto(gradebook)
        expect(page.get_by_role("heading", level=1)).to_have_text("Grade book: BIO-110 Biology")
        students = page.locator("#result_list tbody th[scope=row]")
        expect(students).to_have_text(["Hopper, Grace", "Lovelace, Ada", "Turing, Alan"])
        page.get_by_label("Grade of Ada Lovelace").select_option("A")
        page.get_by_label("Grade of Alan Turing").select_option("B+")
        page.get_by_label("Grade of Grace Hopper").select_option("A-")
        page.get_by_label("Notes of Grace Hopper").fill("Compiler project")
        page.get_by_role("button", name="Save").click()

        expect(page.locator(".messagelist")).to_contain_text(
            "3 enrollments were changed successfully."
        )
        expect(page).to_have_url(gradebook)
        expect(page.get_by_label("Grade of Alan Turing")).to_have_value("B+")
        expect(page.get_by_label("Notes of Grace Hopper")).to_have_value("Compiler project")
        assert _grades(course_id) == {"Lovelace": "A", "Turing": "B+", "Hopper": "A-"}

        # The transcript's GPA now counts the new grade: (4.0 * 3 + 2.0 * 3) / 6.
        page.goto(f"{live_server.url}/admin/school/student/{ada}/transcript/")
        expect(page.locator("#gpa")).to_contain_text("3.00")
