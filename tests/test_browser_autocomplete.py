"""Chromium searches and chooses related rows through /admin/autocomplete/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from shop.admin.changelist import filters
from shop.db import SessionFactory
from shop.models import Club, Owner, Pet, Student
from tests.browser import PASSWORD, chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _owners() -> dict[str, int]:
    with SessionFactory() as session, session.begin():
        owners = [Owner(name=name, email=f"{name.lower()}@example.com") for name in NAMES]
        session.add_all(owners)
        session.add_all(
            Pet(owner=owner, name=f"{owner.name}'s cat", species="cat") for owner in owners
        )
        session.flush()
        return {owner.name: owner.id for owner in owners}


NAMES = ("Ada", "Bob", "Cyd", "Dee")


def test_choose_an_owner_in_the_form_and_in_the_filter(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setattr(filters, "FILTER_CHOICE_LIMIT", 2)  # four owners are "many"
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    ids = _owners()
    pets = f"{live_server.url}/admin/clinic/pet/"

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # The form: type part of a name, pick the row with the keyboard, save.
        page.goto(f"{pets}add/")
        page.locator("[name=name]").fill("Tom")
        page.locator("[name=species]").fill("cat")
        chooser = page.get_by_role("combobox", name="Owner")
        chooser.fill("cy")
        results = page.get_by_role("listbox")
        expect(results.get_by_role("option", name="Cyd")).to_be_visible()
        expect(results.get_by_role("option")).to_have_count(1)
        chooser.press("Enter")
        expect(chooser).to_have_value("Cyd")
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")

        # The filter: choosing an owner applies it at once.
        filter_box = page.locator("#changelist-filter").get_by_role("combobox")
        filter_box.fill("bo")
        page.get_by_role("option", name="Bob").click()
        expect(page).to_have_url(re.compile(rf"owner__id__exact={ids['Bob']}"))
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        expect(page.locator("#result_list")).to_contain_text("Bob's cat")

    with SessionFactory() as session:
        tom = session.scalars(select(Pet).where(Pet.name == "Tom")).one()
        assert tom.owner_id == ids["Cyd"]


def test_add_a_club_to_a_student_and_untick_another(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    with SessionFactory() as session, session.begin():
        chess, drama, choir = (Club(name=name) for name in ("Chess", "Drama", "Choir"))
        student = Student(first_name="Ida", last_name="Lamb", email="ida@example.com")
        student.clubs = [chess, drama]
        session.add_all([student, choir])
        session.flush()
        student_id, ids = student.id, {c.name: c.id for c in (chess, drama, choir)}

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        page.goto(f"{live_server.url}/admin/school/student/{student_id}/change/")
        page.get_by_role("checkbox", name="Drama").uncheck()
        chooser = page.get_by_role("combobox", name="Clubs")
        chooser.fill("cho")
        page.get_by_role("option", name="Choir").click()
        expect(page.get_by_role("checkbox", name="Choir")).to_be_checked()
        expect(chooser).to_have_value("")
        page.locator("input[name=_save]").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    with SessionFactory() as session:
        saved = session.get(Student, student_id)
        assert saved is not None
        assert {club.id for club in saved.clubs} == {ids["Chess"], ids["Choir"]}
