"""Chromium in the school: grades three students in a course's grade book and sees a
transcript change, reads the grade report in light and dark mode, and enrolls a student
by searching the course."""

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

    transcript = f"{live_server.url}/admin/school/student/{ada}/transcript/"
    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # Before: only History's C counts; Biology waits for a grade.
        page.goto(transcript)
        expect(page.locator("#gpa")).to_have_text("2.00")
        biology = page.locator("#transcript-table tbody tr", has_text="BIO-110")
        expect(biology.locator("td").nth(4)).to_have_text("—")

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

        # After: the transcript counts the new grade, (4.0 * 3 + 2.0 * 3) / 6.
        page.goto(transcript)
        expect(biology.locator("td").nth(4)).to_have_text("A")
        expect(biology.locator("td").nth(5)).to_have_text("4.0")
        expect(page.locator("#gpa")).to_have_text("3.00")
        expect(page.locator("#credits-graded")).to_have_text("6")

        # Printed: the transcript alone, without the admin's header, sidebar and buttons.
        page.emulate_media(media="print", color_scheme="dark")
        expect(page.locator("#transcript-table")).to_be_visible()
        for chrome in (".site-header", ".breadcrumbs", ".transcript-tools"):
            expect(page.locator(chrome)).to_be_hidden()
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(255, 255, 255)", "white paper, even from dark mode"


# Computed colours as [r, g, b]; the background is the first opaque one up the tree.
_COLOURS = """() => {
  const rgb = (text) => text.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const opaque = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!colour.startsWith('rgba(0, 0, 0, 0)') && colour !== 'transparent') return rgb(colour);
    }
    return [255, 255, 255];
  };
  const chart = document.querySelector('.grade-chart');
  return {
    background: opaque(chart),
    label: rgb(getComputedStyle(document.querySelector('.grade-code')).fill),
    cell: rgb(getComputedStyle(document.querySelector('#grade-table td')).color),
    segments: [...document.querySelectorAll('.grade-segment:not(.grade-none)')].map(
      (segment) => rgb(getComputedStyle(segment).fill)),
    ungraded: rgb(getComputedStyle(document.querySelector('.grade-segment.grade-none')).stroke),
  };
}"""


def _luminance(colour: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first: list[float], second: list[float]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_grade_report_reads_in_dark_mode(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    with SessionFactory() as session, session.begin():
        course = Course(code="ART-200", title="Drawing", credits=2)
        grades = ("A", "B", "C", "D", "F", None)
        for index, grade in enumerate(grades):
            student = Student(first_name="S", last_name=f"N{index}", email=f"s{index}@example.com")
            session.add(Enrollment(student=student, course=course, grade=grade))

    colours = {}
    with chromium(chromium_path) as browser:
        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme)
            sign_in(page, live_server.url)
            page.goto(f"{live_server.url}/admin/school/grades/")
            chart = page.get_by_role("img", name="Grade distribution per course")
            expect(chart).to_be_visible()
            expect(page.locator("#grade-chart-desc")).to_contain_text("5 of 6 students graded")
            colours[scheme] = page.evaluate(_COLOURS)
            page.close()

    dark, light = colours["dark"], colours["light"]
    assert _luminance(dark["background"]) < 0.1 < _luminance(light["background"])
    for scheme in (light, dark):
        assert _contrast(scheme["label"], scheme["background"]) >= 4.5, scheme
        assert _contrast(scheme["cell"], scheme["background"]) >= 4.5, scheme
        assert len(scheme["segments"]) == len(grades) - 1
        # Graphics: 3:1 (WCAG 1.4.11); "not graded yet" is an outline, not a fill.
        for fill in (*scheme["segments"], scheme["ungraded"]):
            assert _contrast(fill, scheme["background"]) >= 3, (fill, scheme["background"])
    assert dark["segments"] != light["segments"], "the letters have their dark-mode colours"


def test_enrolling_by_searching_the_course_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    """Past fifty courses the enroll action's course is a search: type, choose, apply."""
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    with SessionFactory() as session, session.begin():
        session.add_all(
            Course(code=f"GEN-{n:03}", title=f"General {n}", credits=1) for n in range(55)
        )
        target = Course(code="ZOO-300", title="Zoology", credits=3)
        student = Student(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        session.add_all([target, student])
        session.flush()
        student_id, target_id = student.id, target.id

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/school/student/")
        page.locator(f'#result_list tr[data-pk="{student_id}"] input.action-select').check()
        page.locator(".actions select[name=action]").select_option("enroll_in_course")
        page.get_by_role("button", name="Go").click()
        chooser = page.get_by_role("combobox", name="Course")
        chooser.fill("ZOO")
        page.get_by_role("option", name="ZOO-300 Zoology").click()
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".messagelist")).to_contain_text(
            "Enrolled 1 student in “ZOO-300 Zoology”."
        )

    with SessionFactory() as session:
        statement = select(Enrollment.course_id).where(Enrollment.student_id == student_id)
        assert session.scalars(statement).all() == [target_id]
