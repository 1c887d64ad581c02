"""Chromium runs actions: ticks rows, the counter, a parameter form, "Select all N",
delete_selected's confirmation, the change page's action box and list_editable."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shop.db import SessionFactory
from shop.models import Course, Enrollment, Product, Student
from shop.registrations import site
from tests.browser import PASSWORD, chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

COURSE = "MATH101 Algebra"


def _students(count: int) -> list[int]:
    """Student ids in the list's order (by last name), a course and a product."""
    with SessionFactory() as session, session.begin():
        rows = [
            Student(first_name="Ada", last_name=f"Student{n}", email=f"student{n}@example.com")
            for n in range(count)
        ]
        session.add_all(rows)
        session.add(Course(code="MATH101", title="Algebra", credits=3))
        session.add(Product(sku="MUG-1", name="Mug", price=Decimal("7.50"), stock=3))
        session.flush()
        return [student.id for student in rows]


def _enrolled() -> list[int]:
    with SessionFactory() as session:
        return sorted(session.scalars(select(Enrollment.student_id)))


def _student_ids() -> list[int]:
    with SessionFactory() as session:
        return list(session.scalars(select(Student.id)))


def _row(page, student_id: int):
    return page.locator(f'#result_list tbody tr[data-pk="{student_id}"]')


def test_actions_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setattr(site.get_model_admin(Student), "list_per_page", 3)
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    ids = _students(5)
    students = f"{live_server.url}/admin/school/student/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # Tick two rows: the counter follows; run "Enroll … in course" with its form.
        page.goto(f"{students}?q=Student")
        counter = page.locator(".actions .action-counter")
        expect(counter).to_have_text("0 of 3 selected")
        expect(page.locator(".select-across-choice")).to_be_hidden()
        _row(page, ids[0]).locator("input.action-select").check()
        _row(page, ids[1]).locator("input.action-select").check()
        expect(counter).to_have_text("2 of 3 selected")
        expect(_row(page, ids[0])).to_have_class(re.compile("selected"))
        page.locator(".actions select[name=action]").select_option("enroll_in_course")
        page.get_by_role("button", name="Go").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Enroll selected students in course …")
        page.get_by_label("Course").select_option(label=COURSE)
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".messagelist")).to_contain_text(f"Enrolled 2 students in “{COURSE}”.")
        expect(page).to_have_url(f"{students}?q=Student")
        assert _enrolled() == sorted(ids[:2])

        # Select the page, then "Select all 5 students" across pages: delete them all,
        # their enrollments with them.
        page.locator("#action-toggle").check()
        expect(counter).to_have_text("3 of 3 selected")
        page.get_by_role("button", name="Select all 5 students").click()
        expect(page.locator(".actions .all")).to_have_text("All 5 selected")
        page.locator(".actions select[name=action]").select_option("delete_selected")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_role("main")).to_contain_text("Students: 5")
        expect(page.get_by_role("main")).to_contain_text("Enrollments: 2")
        page.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
        expect(page.locator(".messagelist")).to_contain_text("Successfully deleted 5 students.")
        assert (_student_ids(), _enrolled()) == ([], [])


def test_object_actions_and_list_editable_in_a_browser(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    [student_id, other_id] = _students(2)

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # The change page's action box runs the same action on this student alone.
        change = f"{live_server.url}/admin/school/student/{student_id}/change/"
        page.goto(change)
        box = page.locator("form.object-actions")
        box.locator("select[name=action]").select_option("enroll_in_course")
        box.get_by_role("button", name="Go").click()
        page.get_by_label("Course").select_option(label=COURSE)
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(change)
        expect(page.locator(".messagelist")).to_contain_text(f"Enrolled 1 student in “{COURSE}”.")
        assert _enrolled() == [student_id], f"not student {other_id}"

        # list_editable: change a product's stock in the list, then Save.
        page.goto(f"{live_server.url}/admin/commerce/product/")
        page.locator("input[name=form-0-stock]").fill("12")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messagelist")).to_contain_text("1 product was changed successfully.")
        expect(page.locator("input[name=form-0-stock]")).to_have_value("12")
