"""Appointments: booking (no double booking of a vet, even under a race; never in the past)
and closing a visit (completed, cancelled, no-show: only from scheduled, audited)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import resolve
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.admin.forms import unique as unique_module
from shop.middleware import DbSessionMiddleware
from shop.models import Appointment, Owner, Pet, Vet
from shop.models.types import utcnow
from shop.registrations import clinic as clinic_module
from shop.services.clinic import AppointmentRefused, close_appointment
from tests import factories
from tests.action_helpers import audit_of, fresh, messages_of
from tests.commerce_helpers import ACTOR, audit_trail, end_read_on_sqlite, run_in_threads
from tests.inline_helpers import formset, page_errors

APPOINTMENTS = "/admin/clinic/appointment/"
ADD = f"{APPOINTMENTS}add/"
SLOT = datetime(2031, 2, 3, 9, 30, tzinfo=UTC)
TAKEN = (
    "Dr. Who already has an appointment at 2031-02-03 09:30 UTC. "
    "Choose another time or another vet."
)


@pytest.fixture
def dr_who(session: Session) -> Vet:
    row = Vet(name="Dr. Who", specialty="time")
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def pet(session: Session) -> Pet:
    return factories.owner_with_pets(session, pets=1).pets[0]


def book(session: Session, pet: Pet, vet: Vet, when: datetime = SLOT, **values: Any) -> Appointment:
    row = Appointment(pet=pet, vet=vet, scheduled_at=when, **values)
    session.add(row)
    session.flush()
    return row


def form_data(pet: Pet, vet: Vet, when: datetime = SLOT, **extra: str) -> dict[str, str]:
    """The add page's fields as the browser posts them (times in UTC)."""
    return {
        "pet": str(pet.id),
        "vet": str(vet.id),
        "scheduled_at_0": f"{when:%Y-%m-%d}",
        "scheduled_at_1": f"{when:%H:%M:%S}",
        "notes": "",
        "_save": "1",
        **extra,
    }


def appointments_of(session: Session, vet: Vet) -> list[int]:
    statement = select(Appointment.pet_id).where(Appointment.vet_id == vet.id)
    return list(session.scalars(statement))


def field_errors(response: Any, name: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [str(error) for error in response.context["form"].errors.get(name, [])]


# Booking


def test_a_free_slot_is_booked_as_scheduled(admin_client: Client, session: Session, pet, dr_who):
    response = admin_client.post(ADD, form_data(pet, dr_who, status="completed"))

    assert response.status_code == 302, response.context["form"].errors
    booked = session.scalars(select(Appointment)).one()
    assert (booked.pet_id, booked.scheduled_at, booked.status) == (pet.id, SLOT, "scheduled")


def test_booking_a_vets_taken_slot_is_refused_with_a_clear_message(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    other = factories.owner_with_pets(session, pets=1).pets[0]
    book(session, other, dr_who)

    response = admin_client.post(ADD, form_data(pet, dr_who))

    assert field_errors(response, "scheduled_at") == [TAKEN]
    assert response.context["form"].non_field_errors() == []
    assert appointments_of(session, dr_who) == [other.id]


def test_moving_an_appointment_onto_a_taken_slot_is_refused(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    other = factories.owner_with_pets(session, pets=1).pets[0]
    book(session, other, dr_who)
    later = SLOT + timedelta(hours=2)
    visit = book(session, pet, dr_who, later)

    response = admin_client.post(f"{APPOINTMENTS}{visit.id}/change/", form_data(pet, dr_who))

    assert field_errors(response, "scheduled_at") == [TAKEN]
    assert fresh(session, Appointment, visit.id).scheduled_at == later


def test_a_cancelled_appointment_still_holds_its_slot(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    book(session, pet, dr_who, status="cancelled")

    response = admin_client.post(ADD, form_data(pet, dr_who))

    assert field_errors(response, "scheduled_at") == [
        "Dr. Who already has an appointment at 2031-02-03 09:30 UTC (cancelled: it still "
        "holds the slot). Choose another time or another vet."
    ]


def test_another_vet_or_another_time_is_free(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    book(session, pet, dr_who)
    other_vet = factories.vet(session)

    later = SLOT + timedelta(minutes=15)
    assert admin_client.post(ADD, form_data(pet, dr_who, later)).status_code == 302
    assert admin_client.post(ADD, form_data(pet, other_vet)).status_code == 302


def test_the_database_refusal_of_a_taken_slot_gives_the_same_message(
    admin_client: Client, session: Session, pet, dr_who, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if a concurrent booking committed after this form's check: only UNIQUE sees it.
    monkeypatch.setattr(unique_module, "_taken", lambda *args: False)
    other = factories.owner_with_pets(session, pets=1).pets[0]
    book(session, other, dr_who)

    response = admin_client.post(ADD, form_data(pet, dr_who))

    assert field_errors(response, "scheduled_at") == [TAKEN]
    assert appointments_of(session, dr_who) == [other.id]


def test_booking_a_taken_slot_from_the_pets_page_is_refused_the_same_way(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    other = factories.owner_with_pets(session, pets=1).pets[0]
    book(session, other, dr_who)
    row = {"scheduled_at_0": "2031-02-03", "scheduled_at_1": "09:30:00", "vet": dr_who.id}
    data = {
        "owner": str(pet.owner_id),
        "name": pet.name,
        "species": pet.species,
        **formset("appointments", new=[row]),
        "_save": "1",
    }

    response = admin_client.post(f"/admin/clinic/pet/{pet.id}/change/", data)

    _non_form, rows = page_errors(response, "appointments")
    assert rows == [{"scheduled_at": [TAKEN]}]
    assert appointments_of(session, dr_who) == [other.id]


def test_a_new_appointment_in_the_past_is_refused(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    yesterday = utcnow() - timedelta(days=1)

    response = admin_client.post(ADD, form_data(pet, dr_who, yesterday))

    [error] = field_errors(response, "scheduled_at")
    assert error.startswith("An appointment cannot be booked in the past (it is now ")
    assert appointments_of(session, dr_who) == []


def test_a_new_appointment_in_the_past_is_refused_on_the_pets_page_too(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    row = {"scheduled_at_0": "2020-01-01", "scheduled_at_1": "09:00:00", "vet": dr_who.id}
    data = {
        "owner": str(pet.owner_id),
        "name": pet.name,
        "species": pet.species,
        **formset("appointments", new=[row]),
        "_save": "1",
    }

    response = admin_client.post(f"/admin/clinic/pet/{pet.id}/change/", data)

    _non_form, [errors] = page_errors(response, "appointments")
    assert errors["scheduled_at"][0].startswith("An appointment cannot be booked in the past")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pet": "abc"}, "pet"),
        ({"pet": "999999"}, "pet"),
        ({"vet": "abc"}, "vet"),
        ({"vet": "999999"}, "vet"),
        ({"vet": ""}, "vet"),
        ({"scheduled_at_0": "2031-02-30"}, "scheduled_at"),
        ({"scheduled_at_1": "25:00:00"}, "scheduled_at"),
        ({"scheduled_at_0": "", "scheduled_at_1": ""}, "scheduled_at"),
        ({"notes": "x" * 501}, "notes"),
    ],
)
def test_a_booking_with_bad_input_is_a_form_error_and_books_nothing(
    admin_client: Client, session: Session, pet, dr_who, changes: dict[str, str], field: str
) -> None:
    response = admin_client.post(ADD, {**form_data(pet, dr_who), **changes})

    assert field_errors(response, field) != []
    assert session.scalar(select(func.count()).select_from(Appointment)) == 0


def test_an_appointment_already_in_the_past_can_still_be_edited_and_completed(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    last_week = (utcnow() - timedelta(days=7)).replace(microsecond=0)
    visit = book(session, pet, dr_who, last_week)
    page = f"{APPOINTMENTS}{visit.id}/change/"

    response = admin_client.post(page, form_data(pet, dr_who, last_week, notes="Limping"))
    assert response.status_code == 302, response.context["form"].errors
    assert [m for m in messages_of(response) if "was changed successfully" in m]
    response = admin_client.post(
        f"{APPOINTMENTS}{visit.id}/actions/",
        {"action": "complete_appointments", "index": "0", "_selected_action": str(visit.id)},
    )

    assert messages_of(response) == ["1 appointment was marked completed."]
    row = fresh(session, Appointment, visit.id)
    assert (row.notes, row.status) == ("Limping", "completed")


def test_moving_an_appointment_into_the_past_is_refused(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    visit = book(session, pet, dr_who)
    yesterday = utcnow() - timedelta(days=1)

    response = admin_client.post(
        f"{APPOINTMENTS}{visit.id}/change/", form_data(pet, dr_who, yesterday)
    )

    [error] = field_errors(response, "scheduled_at")
    assert error.startswith("An appointment cannot be moved into the past")
    assert fresh(session, Appointment, visit.id).scheduled_at == SLOT


def test_the_status_is_not_edited_in_the_form(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    visit = book(session, pet, dr_who)

    response = admin_client.post(
        f"{APPOINTMENTS}{visit.id}/change/", form_data(pet, dr_who, status="completed")
    )

    assert response.status_code == 302
    assert fresh(session, Appointment, visit.id).status == "scheduled"


def _booking_request(user: Any, data: dict[str, str]) -> Any:
    """The add page's POST as the browser sends it, run through the request's session."""
    request = RequestFactory().post(ADD, data)
    request.user = user
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    return request


@pytest.mark.committed
def test_two_clerks_booking_one_slot_at_once_end_with_one_booking_and_a_clear_message(
    superuser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = 2
    with shop_db.session_scope() as setup:
        vet = Vet(name="Dr. Who")
        setup.add(vet)
        pets = [factories.owner_with_pets(setup, pets=1).pets[0] for _ in range(threads)]
        setup.flush()
        vet_id, pet_ids = vet.id, [p.id for p in pets]
    barrier = threading.Barrier(threads, timeout=120)
    checked = clinic_module.time_problem

    def checked_by_both(*args: Any, **kwargs: Any) -> Any:
        # Both forms found the slot free (the unique check ran first) before either saves.
        found = checked(*args, **kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(clinic_module, "time_problem", checked_by_both)
    view = resolve(ADD).func

    def post(index: int, _barrier: threading.Barrier) -> tuple[int, list[str]]:
        data = {
            "pet": str(pet_ids[index]),
            "vet": str(vet_id),
            "scheduled_at_0": "2031-02-03",
            "scheduled_at_1": "09:30:00",
            "_save": "1",
        }
        request = _booking_request(superuser, data)
        response = DbSessionMiddleware(view)(request)
        if response.status_code != 200:
            return response.status_code, []
        form = response.context_data["form"]
        return 200, [str(error) for errors in form.errors.values() for error in errors]

    outcomes = run_in_threads(threads, post)

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert sorted(outcomes) == [(200, [TAKEN]), (302, [])]
    with shop_db.new_session() as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 1
        assert [entry[0] for entry in audit_trail(session)] == ["add"]


# Closing a visit


CLOSING = [
    ("complete_appointments", "completed", "1 appointment was marked completed."),
    ("cancel_appointments", "cancelled", "1 appointment was cancelled."),
    ("no_show_appointments", "no_show", "1 appointment was marked no-show."),
]


def run(client: Client, action: str, rows: list[Appointment], url: str = APPOINTMENTS) -> Any:
    data = {"action": action, "index": "0", "_selected_action": [str(r.id) for r in rows]}
    return client.post(url, data)


@pytest.mark.parametrize(("action", "status", "message"), CLOSING)
def test_a_scheduled_appointment_is_closed_and_audited(
    admin_client: Client, session: Session, pet, dr_who, action, status, message
) -> None:
    visit = book(session, pet, dr_who)

    response = run(admin_client, action, [visit])

    assert messages_of(response) == [message]
    assert fresh(session, Appointment, visit.id).status == status
    assert audit_of(session, "clinic.appointment", visit.id) == [
        ("change", {"status": ("scheduled", status)})
    ]


def test_appointments_that_are_not_scheduled_are_left_as_they_are_with_a_message(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    visits = [book(session, pet, dr_who, SLOT + timedelta(hours=h)) for h in range(4)]
    for visit, status in zip(visits[1:], ("completed", "cancelled", "no_show"), strict=True):
        visit.status = status
    session.flush()

    response = run(admin_client, "cancel_appointments", visits)

    assert messages_of(response) == [
        "1 appointment was cancelled.",
        "3 appointments were left as they were: only a scheduled appointment can be "
        "cancelled (1 cancelled, 1 completed, 1 no-show).",
    ]
    statuses = [fresh(session, Appointment, v.id).status for v in visits]
    assert statuses == ["cancelled", "completed", "cancelled", "no_show"]
    assert [len(audit_of(session, "clinic.appointment", v.id)) for v in visits] == [1, 0, 0, 0]


def test_closing_one_closed_appointment_says_why_nothing_changed(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    visit = book(session, pet, dr_who, status="completed")

    response = run(admin_client, "no_show_appointments", [visit])

    assert messages_of(response) == [
        "The appointment is completed: only a scheduled appointment can be marked no-show."
    ]
    assert audit_of(session, "clinic.appointment", visit.id) == []


def test_the_appointment_page_offers_the_closing_buttons_only_while_scheduled(
    admin_client: Client, session: Session, pet, dr_who
) -> None:
    visit = book(session, pet, dr_who)
    page = f"{APPOINTMENTS}{visit.id}/change/"
    body = admin_client.get(page).content.decode()
    for name in ("complete_appointments", "cancel_appointments", "no_show_appointments"):
        assert f'id="object-action-{name}"' in body

    run(admin_client, "cancel_appointments", [visit], url=f"{APPOINTMENTS}{visit.id}/actions/")

    body = admin_client.get(page).content.decode()
    assert "object-action-" not in body
    assert 'value="complete_appointments"' not in body
    # A forged POST of a closing action on a closed appointment's page changes nothing.
    response = run(
        admin_client, "complete_appointments", [visit], url=f"{APPOINTMENTS}{visit.id}/actions/"
    )
    assert messages_of(response) == ["No action selected."]
    assert fresh(session, Appointment, visit.id).status == "cancelled"


def test_the_workflow_refuses_an_appointment_closed_by_someone_else_meanwhile(
    session: Session, pet, dr_who
) -> None:
    visit = book(session, pet, dr_who)
    session.execute(
        update(Appointment).where(Appointment.id == visit.id).values(status="completed"),
        execution_options={"synchronize_session": False},
    )
    assert visit.status == "scheduled"  # this session has not seen the change

    with pytest.raises(AppointmentRefused) as refused:
        close_appointment(session, visit, "no_show", actor=ACTOR)

    assert refused.value.message == (
        f"The appointment “{visit}” is completed: only a scheduled appointment can be "
        "marked no-show."
    )
    assert audit_trail(session) == []


def test_the_workflow_moves_only_to_a_closing_status(session: Session, pet, dr_who) -> None:
    visit = book(session, pet, dr_who)

    with pytest.raises(AppointmentRefused, match="is not a status an appointment can be moved"):
        close_appointment(session, visit, "scheduled", actor=ACTOR)


@pytest.mark.committed
def test_two_clerks_closing_one_appointment_at_once_close_it_once() -> None:
    threads = 2
    with shop_db.session_scope() as setup:
        owner = Owner(name="Ann", email="ann@example.com", pets=[Pet(name="Rex", species="dog")])
        vet = Vet(name="Dr. Who")
        setup.add_all([owner, vet])
        setup.flush()
        visit_id = book(setup, owner.pets[0], vet).id
    moves = ["completed", "cancelled"]

    def attempt(index: int, barrier: threading.Barrier) -> str | AppointmentRefused:
        with shop_db.new_session() as session:
            visit = session.get_one(Appointment, visit_id)
            end_read_on_sqlite(session)
            barrier.wait()
            try:
                close_appointment(session, visit, moves[index], actor=f"clerk{index}")
            except AppointmentRefused as refused:
                session.rollback()
                return refused
            session.commit()
            return moves[index]

    outcomes = run_in_threads(threads, attempt)

    done = [outcome for outcome in outcomes if isinstance(outcome, str)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, AppointmentRefused)]
    assert (len(done), len(refusals)) == (1, 1), outcomes
    assert f"is {done[0]}: only a scheduled appointment can be" in refusals[0].message
    with shop_db.new_session() as session:
        assert session.get_one(Appointment, visit_id).status == done[0]
        [(_action, _entity, _id, fields)] = audit_trail(session)
        assert fields == {"status": ("scheduled", done[0])}
