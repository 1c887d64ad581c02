"""The clinic's admin: owner, pet, appointment and vet lists (counts in SQL, filters, the
same queries whatever the rows), a vet's weekly schedule, and the refused vet delete."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Appointment, Owner, Pet, Vet
from shop.models.types import utcnow
from shop.services.clinic import week_of
from tests import factories
from tests.action_helpers import messages_of, staff_client

OWNERS = "/admin/clinic/owner/"
PETS = "/admin/clinic/pet/"
APPOINTMENTS = "/admin/clinic/appointment/"
VETS = "/admin/clinic/vet/"
PET_COUNT = 3  # OwnerAdmin.list_display (0-based): name, email, phone, pet_count
APPOINTMENT_COUNT = 2  # VetAdmin.list_display (0-based): name, specialty, appointment_count
MONDAY = datetime(2031, 2, 3, tzinfo=UTC)  # 2031-W06


def pks(response: Any) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', response.content.decode())]


def cells(response: Any, field: str) -> list[str]:
    pattern = rf'<t[hd][^>]* class="field-{field}[" ][^>]*>(.*?)</t[hd]>'
    found = re.findall(pattern, response.content.decode(), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def measure(client: Client, queries: Any, url: str) -> int:
    with queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert queries.writes == [], "a page that only shows must not write"
    return len(queries)


def named_owner(session: Session, name: str, pets: int) -> Owner:
    row = Owner(name=name, email=f"{name.lower()}@example.com")
    row.pets = [
        Pet(name=f"{name}'s pet {n}", species="cat" if n % 2 else "dog") for n in range(pets)
    ]
    session.add(row)
    session.flush()
    return row


def clinic(session: Session, owners: int) -> None:
    """Owners with two pets each, each pet with an appointment with one of two vets."""
    vets = [factories.vet(session) for _ in range(2)]
    for index in range(owners):
        for pet in factories.owner_with_pets(session, pets=2).pets:
            factories.appointment(session, pet, vets[index % 2], days_ahead=index)


# Lists


def test_the_owner_list_counts_pets_in_sql_and_sorts_by_the_count(
    admin_client: Client, session: Session
) -> None:
    ann, bob, cyd = (named_owner(session, n, p) for n, p in (("Ann", 2), ("Bob", 0), ("Cyd", 3)))

    response = admin_client.get(OWNERS)

    assert pks(response) == [ann.id, bob.id, cyd.id]
    assert cells(response, "pet_count") == ["2", "0", "3"]
    assert pks(admin_client.get(OWNERS, {"o": f"-{PET_COUNT}"})) == [cyd.id, ann.id, bob.id]
    assert pks(admin_client.get(OWNERS, {"o": f"{PET_COUNT}"})) == [bob.id, ann.id, cyd.id]


@pytest.mark.parametrize(
    "url",
    [
        OWNERS,
        f"{OWNERS}?o=-{PET_COUNT}&q=owner",
        PETS,
        f"{PETS}?species__exact=dog&o=3",
        APPOINTMENTS,
        f"{APPOINTMENTS}?status__exact=scheduled&pet__species__exact=dog&scheduled_at__year=2030",
        VETS,
        f"{VETS}?o=-{APPOINTMENT_COUNT}",
    ],
)
def test_each_clinic_list_runs_the_same_queries_for_few_and_many_rows(
    admin_client: Client, session: Session, queries: Any, url: str
) -> None:
    clinic(session, 2)
    few = measure(admin_client, queries, url)
    clinic(session, 20)
    many = measure(admin_client, queries, url)
    assert len(pks(admin_client.get(url))) > 2
    assert few == many, queries.statements


def test_the_owner_page_runs_the_same_queries_for_few_and_many_pets(
    admin_client: Client, session: Session, queries: Any
) -> None:
    ann = named_owner(session, "Ann", 2)
    url = f"{OWNERS}{ann.id}/change/"
    few = measure(admin_client, queries, url)
    ann.pets.extend(Pet(name=f"Extra {n}", species="bird") for n in range(15))
    session.flush()
    many = measure(admin_client, queries, url)
    body = admin_client.get(url).content.decode()
    assert 'name="pets-16-id"' in body  # every one of the 17 pets is a row of the inline
    assert "Extra 14" in body
    assert few == many, queries.statements


def test_the_pet_page_runs_the_same_queries_for_few_and_many_appointments(
    admin_client: Client, session: Session, queries: Any
) -> None:
    vets = [factories.vet(session) for _ in range(3)]
    rex = named_owner(session, "Ann", 1).pets[0]
    factories.appointment(session, rex, vets[0])
    url = f"{PETS}{rex.id}/change/"
    few = measure(admin_client, queries, url)
    for days in range(1, 16):
        factories.appointment(session, rex, vets[days % 3], days_ahead=days)
    many = measure(admin_client, queries, url)
    body = admin_client.get(url).content.decode()
    assert 'name="appointments-15-id"' in body  # every one of the 16 is a row of the inline
    assert few == many, queries.statements


def test_appointments_filter_by_status_vet_and_species_with_a_date_hierarchy(
    admin_client: Client, session: Session
) -> None:
    cat_owner, dog_owner = named_owner(session, "Cat", 2), named_owner(session, "Dog", 1)
    cat, dog = cat_owner.pets[1], dog_owner.pets[0]
    vet, other = factories.vet(session), factories.vet(session)
    cat_visit = factories.appointment(session, cat, vet)
    dog_visit = factories.appointment(session, dog, other, days_ahead=2)
    dog_visit.status = "cancelled"
    session.flush()

    page = admin_client.get(APPOINTMENTS).content.decode()
    assert "?pet__species__exact=cat" in page
    assert "?pet__species__exact=dog" in page
    assert f"?vet__id__exact={vet.id}" in page
    assert "?status__exact=no_show" in page
    # The date hierarchy: every visit is in January 2030, so it opens on that year's months.
    assert "?scheduled_at__month=1&amp;scheduled_at__year=2030" in page
    assert pks(admin_client.get(APPOINTMENTS, {"pet__species__exact": "cat"})) == [cat_visit.id]
    assert pks(admin_client.get(APPOINTMENTS, {"status__exact": "cancelled"})) == [dog_visit.id]
    assert pks(admin_client.get(APPOINTMENTS, {"vet__id__exact": vet.id})) == [cat_visit.id]


def test_the_vet_list_counts_appointments(admin_client: Client, session: Session) -> None:
    busy, idle = factories.vet(session), factories.vet(session)
    pet = factories.owner_with_pets(session, pets=1).pets[0]
    for days in range(3):
        factories.appointment(session, pet, busy, days_ahead=days)

    response = admin_client.get(VETS, {"o": f"-{APPOINTMENT_COUNT}"})

    assert pks(response) == [busy.id, idle.id]
    assert cells(response, "appointment_count") == ["3", "0"]


# A vet's schedule


def schedule_url(vet: Vet, week: str | None = None) -> str:
    return f"{VETS}{vet.id}/schedule/" + (f"?week={week}" if week else "")


def visit(session: Session, pet: Pet, vet: Vet, when: datetime, **values: Any) -> Appointment:
    row = Appointment(pet=pet, vet=vet, scheduled_at=when, **values)
    session.add(row)
    session.flush()
    return row


def days_shown(response: Any) -> dict[str, list[int]]:
    """{day: [appointment ids]} in the page's order."""
    body = response.content.decode()
    days = re.findall(r'<section class="module schedule-day" aria-labelledby="day-([\d-]+)"', body)
    shown: dict[str, list[int]] = {}
    for day, section in zip(days, body.split('class="module schedule-day"')[1:], strict=True):
        shown[day] = [int(pk) for pk in re.findall(r'<tr data-pk="(\d+)"', section)]
    return shown


def test_the_schedule_shows_the_weeks_appointments_by_day(
    admin_client: Client, session: Session
) -> None:
    vet, other_vet = factories.vet(session), factories.vet(session)
    rex = named_owner(session, "Ann", 1).pets[0]
    tuesday_late = visit(session, rex, vet, MONDAY + timedelta(days=1, hours=15))
    tuesday_early = visit(session, rex, vet, MONDAY + timedelta(days=1, hours=9), notes="Jab")
    sunday = visit(session, rex, vet, MONDAY + timedelta(days=6, hours=23, minutes=59))
    visit(session, rex, vet, MONDAY - timedelta(minutes=1))  # the Sunday before
    visit(session, rex, vet, MONDAY + timedelta(days=7))  # the next Monday
    visit(session, rex, other_vet, MONDAY + timedelta(hours=10))

    response = admin_client.get(schedule_url(vet, "2031-W06"))

    shown = days_shown(response)
    assert list(shown) == [f"2031-02-{day:02d}" for day in range(3, 10)]
    assert shown["2031-02-04"] == [tuesday_early.id, tuesday_late.id]
    assert shown["2031-02-09"] == [sunday.id]
    assert sum(len(ids) for ids in shown.values()) == 3
    body = response.content.decode()
    assert "Week 2031-W06: Mon 3 Feb 2031 – Sun 9 Feb 2031 (UTC)" in body
    assert f'<a href="{APPOINTMENTS}{tuesday_early.id}/change/">09:00</a>' in body
    assert "Ann&#x27;s pet 0 (dog)" in body
    assert "<td>Jab</td>" in body
    assert f'href="{schedule_url(vet, "2031-W05")}" rel="prev"' in body
    assert f'href="{schedule_url(vet, "2031-W07")}" rel="next"' in body
    assert f'href="{APPOINTMENTS}add/?vet={vet.id}"' in body


def test_the_schedule_defaults_to_this_week(admin_client: Client, session: Session) -> None:
    vet = factories.vet(session)
    pet = factories.owner_with_pets(session, pets=1).pets[0]
    this_week = week_of(utcnow())
    soon = visit(session, pet, vet, this_week.start + timedelta(days=3, hours=12))

    response = admin_client.get(schedule_url(vet))

    assert f"Week {this_week.code}:" in response.content.decode()
    assert soon.id in [pk for ids in days_shown(response).values() for pk in ids]


@pytest.mark.parametrize(
    "week", ["2031-W54", "2031-W00", "2031-6", "31-W06", "2031-W06x", "0999-W10", "x" * 300]
)
def test_a_week_that_is_not_one_says_so_and_shows_this_week(
    admin_client: Client, session: Session, week: str
) -> None:
    vet = factories.vet(session)

    response = admin_client.get(schedule_url(vet), {"week": week})

    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "is not a week: write it as YYYY-Www, for example" in body
    assert f"Week {week_of(utcnow()).code}:" in body


def test_a_53rd_week_exists_in_years_that_have_one(admin_client: Client, session: Session) -> None:
    vet = factories.vet(session)
    body = admin_client.get(schedule_url(vet, "2026-W53")).content.decode()
    assert "Week 2026-W53: Mon 28 Dec 2026 – Sun 3 Jan 2027 (UTC)" in body
    assert f'href="{schedule_url(vet, "2027-W01")}" rel="next"' in body


def test_the_schedule_runs_the_same_queries_for_an_empty_and_a_full_week(
    admin_client: Client, session: Session, queries: Any
) -> None:
    vet = factories.vet(session)
    url = schedule_url(vet, "2031-W06")
    empty = measure(admin_client, queries, url)
    for index in range(12):
        pet = factories.owner_with_pets(session, pets=1).pets[0]
        visit(session, pet, vet, MONDAY + timedelta(hours=8 * index))
    full = measure(admin_client, queries, url)
    assert sum(len(ids) for ids in days_shown(admin_client.get(url)).values()) == 12
    assert empty == full, queries.statements


def test_the_vet_page_links_to_the_schedule(admin_client: Client, session: Session) -> None:
    vet = factories.vet(session)
    page = admin_client.get(f"{VETS}{vet.id}/change/").content.decode()
    assert f'<a href="{schedule_url(vet)}">Open the weekly schedule</a>' in page


def test_the_schedule_takes_the_permission_to_view_appointments(django_user_model, session) -> None:
    vet = factories.vet(session)
    vets_only = staff_client(django_user_model, "clinic.view_vet", username="vets")
    both = staff_client(django_user_model, "clinic.view_vet", "clinic.view_appointment")

    assert vets_only.get(schedule_url(vet)).status_code == 403
    assert (
        "Open the weekly schedule" not in vets_only.get(f"{VETS}{vet.id}/change/").content.decode()
    )
    response = both.get(schedule_url(vet))
    assert response.status_code == 200
    assert "Book an appointment" not in response.content.decode()  # may not add


def test_an_unknown_vet_has_no_schedule(admin_client: Client, session: Session) -> None:
    assert admin_client.get(f"{VETS}999999/schedule/").status_code == 404
    assert admin_client.get(f"{VETS}abc/schedule/").status_code == 404


# Deleting a vet


def test_a_vet_with_appointments_cannot_be_deleted_and_the_page_says_why(
    admin_client: Client, session: Session
) -> None:
    vet = factories.vet(session)
    pet = factories.owner_with_pets(session, pets=1).pets[0]
    booked = factories.appointment(session, pet, vet)
    booked.status = "cancelled"
    session.flush()
    url = f"{VETS}{vet.id}/delete/"

    body = admin_client.get(url).content.decode()
    assert "Cannot delete vet" in body
    assert 'id="protected-objects"' in body
    assert "a vet with appointments cannot be deleted" in body
    assert "Cancelled appointments count too" in body
    assert f"{APPOINTMENTS}?vet__id__exact={vet.id}" in body
    assert 'value="yes"' not in body  # no confirmation button

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert session.scalar(select(Vet.id).where(Vet.id == vet.id)) == vet.id


def test_a_vet_without_appointments_is_deleted(admin_client: Client, session: Session) -> None:
    vet = factories.vet(session)
    response = admin_client.post(f"{VETS}{vet.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == [f"The vet “{vet.name}” was deleted successfully."]
    assert session.scalar(select(Vet.id).where(Vet.id == vet.id)) is None


def test_deleting_selected_vets_with_appointments_is_refused_with_the_reason(
    admin_client: Client, session: Session
) -> None:
    busy, idle = factories.vet(session), factories.vet(session)
    factories.appointment(session, factories.owner_with_pets(session, pets=1).pets[0], busy)
    data = {
        "action": "delete_selected",
        "index": "0",
        "_selected_action": [str(busy.id), str(idle.id)],
        "post": "yes",
    }

    response = admin_client.post(VETS, data)

    body = response.content.decode()
    assert "Why these vets cannot be deleted" in body
    assert session.scalars(select(Vet.id).order_by(Vet.id)).all() == [busy.id, idle.id]
