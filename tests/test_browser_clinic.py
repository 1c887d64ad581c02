"""Chromium moves a pet to another owner from the pet's page, then books it an appointment
with a vet and marks the visit completed from the appointment's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shop.db import SessionFactory
from shop.models import Appointment, Owner, Pet, Vet
from shop.models.types import utcnow
from tests.browser import PASSWORD, chromium, sign_in
from tests.commerce_helpers import audit_trail

pytestmark = [pytest.mark.browser, pytest.mark.committed]

REX = "Rex (dog)"


def _clinic() -> tuple[int, int, int]:
    """Alice's dog Rex, Bob (no pets yet) and Dr. Who: (pet id, Bob's id, the vet's id)."""
    with SessionFactory() as session, session.begin():
        alice = Owner(name="Alice Smith", email="alice@example.com")
        alice.pets = [Pet(name="Rex", species="dog")]
        bob = Owner(name="Bob Jones", email="bob@example.com")
        vet = Vet(name="Dr. Who", specialty="surgery")
        session.add_all([alice, bob, vet])
        session.flush()
        return alice.pets[0].id, bob.id, vet.id


def _field(page: Any, label: str) -> Any:
    """A read-only field's box on a change page: its label and its value."""
    return page.locator(".readonly-box").filter(has=page.get_by_text(f"{label}:", exact=True))


def _next_week_at_ten() -> datetime:
    """A time certainly in the future whenever the test runs (a whole minute, UTC)."""
    day = (utcnow() + timedelta(days=7)).date()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def test_transfer_a_pet_then_book_and_complete_its_appointment(
    live_server, django_user_model, chromium_path: Path, monkeypatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    pet_id, bob_id, vet_id = _clinic()
    pet_page = f"{live_server.url}/admin/clinic/pet/{pet_id}/change/"
    when = _next_week_at_ten()

    with chromium(chromium_path) as browser:
        page = browser.new_page()
        sign_in(page, live_server.url)

        # "Transfer to another owner …": the page shows the owner now, the new one is searched.
        page.goto(pet_page)
        workflow = page.get_by_role("group", name="Pet workflow")
        workflow.get_by_role("button", name="Transfer to another owner …").click()
        current = page.locator(".transfer-owners")
        expect(current.get_by_role("row").nth(1)).to_have_text(re.compile(r"Rex \(dog\)\s*Alice"))
        chooser = page.get_by_role("combobox", name="New owner")
        chooser.fill("bob")
        expect(page.get_by_role("option")).to_have_count(1)
        page.get_by_role("option", name="Bob Jones").click()
        expect(chooser).to_have_value("Bob Jones")
        page.get_by_role("button", name="Apply").click()

        # Back on the pet's page, which now names Bob as the owner.
        expect(page).to_have_url(pet_page)
        expect(page.locator(".messagelist")).to_have_text(
            f"“{REX}” now belongs to Bob Jones (transferred from Alice Smith)."
        )
        expect(page.get_by_role("combobox", name="Owner")).to_have_value("Bob Jones")

        # Book Rex with Dr. Who next week, from the add appointment page.
        page.goto(f"{live_server.url}/admin/clinic/appointment/add/")
        pet_chooser = page.get_by_role("combobox", name="Pet")
        pet_chooser.fill("rex")
        page.get_by_role("option", name=REX).click()
        expect(pet_chooser).to_have_value(REX)
        page.get_by_label("Vet").select_option(label="Dr. Who")
        page.locator("#id_scheduled_at_0").fill(f"{when:%Y-%m-%d}")
        page.locator("#id_scheduled_at_1").fill(f"{when:%H:%M:%S}")
        page.get_by_role("button", name="Save and continue editing").click()

        expect(page).to_have_url(re.compile(r"/admin/clinic/appointment/\d+/change/$"))
        appointment_page = page.url
        appointment_id = int(appointment_page.rstrip("/").split("/")[-2])
        expect(_field(page, "Status")).to_contain_text("Scheduled")

        # "Mark completed" closes the visit; the closing buttons are gone afterwards.
        moves = page.get_by_role("group", name="Appointment status")
        expect(moves.get_by_role("button")).to_have_text(
            ["Mark completed", "Cancel appointment", "Mark no-show"]
        )
        moves.get_by_role("button", name="Mark completed").click()
        expect(page).to_have_url(appointment_page)
        expect(page.locator(".messagelist")).to_have_text("1 appointment was marked completed.")
        expect(_field(page, "Status")).to_contain_text("Completed")
        expect(
            page.get_by_role("group", name="Appointment status").get_by_role("button")
        ).to_have_count(0)

    with SessionFactory() as session:
        pet = session.get_one(Pet, pet_id)
        assert pet.owner_id == bob_id
        [visit] = session.scalars(select(Appointment)).all()
        assert (visit.id, visit.pet_id, visit.vet_id) == (appointment_id, pet_id, vet_id)
        assert (visit.scheduled_at, visit.status) == (when, "completed")
        # Who did what, in order: the transfer, the booking, the completed visit.
        trail = audit_trail(session)
        assert [(action, entity, key) for action, entity, key, _ in trail] == [
            ("change", "clinic.pet", str(pet_id)),
            ("add", "clinic.appointment", str(appointment_id)),
            ("change", "clinic.appointment", str(appointment_id)),
        ]
        assert trail[0][3]["owner"] == ("Alice Smith", "Bob Jones")
        assert trail[2][3] == {"status": ("scheduled", "completed")}
