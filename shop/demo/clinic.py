"""Demo pet clinic: owners with pets, vets, and appointments past and future for every vet."""

from __future__ import annotations

from datetime import datetime, timedelta

from shop.demo.context import DemoContext, Row, Step, UniqueNames, spread
from shop.demo.words import (
    APPOINTMENT_NOTES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PET_NAMES,
    SPECIES,
    VET_SPECIALTIES,
)
from shop.models import Appointment, Owner, Pet, Vet

OWNERS_PER_SCALE = 30
VETS_PER_SCALE = 6
APPOINTMENTS_PER_VET = 20
# Half-hour slots from 08:00 to 17:30: a vet is never booked twice at the same time.
SLOTS_PER_DAY = 20
PAST_DAYS = 180
FUTURE_DAYS = 60
SPECIES_NAMES = tuple(name for name, _weight in SPECIES)
SPECIES_WEIGHTS = tuple(weight for _name, weight in SPECIES)


def build_owners(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    emails = UniqueNames()
    rows: list[Row] = []
    for owner_id in range(1, ctx.count(OWNERS_PER_SCALE) + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = emails(f"{first}.{last}".lower())
        phone = f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        rows.append(
            {
                "id": owner_id,
                "name": f"{first} {last}",
                "email": f"{local}@{rng.choice(EMAIL_DOMAINS)}",
                "phone": ctx.maybe(0.85, phone),
            }
        )
    return rows


def build_pets(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    rows: list[Row] = []
    for owner_id in range(1, ctx.count(OWNERS_PER_SCALE) + 1):
        for _ in range(rng.choices((1, 2, 3), (60, 28, 12))[0]):
            born = ctx.maybe(0.85, ctx.now.date() - timedelta(days=rng.randint(60, 15 * 365)))
            ctx.pet_born.append(born)
            rows.append(
                {
                    "id": len(rows) + 1,
                    "owner_id": owner_id,
                    "name": rng.choice(PET_NAMES),
                    "species": rng.choices(SPECIES_NAMES, SPECIES_WEIGHTS)[0],
                    "birth_date": born,
                }
            )
    return rows


def build_vets(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    rows: list[Row] = []
    for vet_id in range(1, ctx.count(VETS_PER_SCALE) + 1):
        name = f"Dr. {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.append(
            {"id": vet_id, "name": name, "specialty": ctx.maybe(0.85, rng.choice(VET_SPECIALTIES))}
        )
    ctx.vet_count = len(rows)
    return rows


def _slot_time(ctx: DemoContext, day_offset: int, slot: int) -> datetime:
    day = ctx.now + timedelta(days=day_offset)
    return day + timedelta(hours=8, minutes=30 * slot)


def _vet_slots(ctx: DemoContext, count: int) -> tuple[list[datetime], list[datetime]]:
    """Distinct past and future times for one vet (at least one of each)."""
    future_count = max(1, round(count * 0.25))
    past = ctx.rng.sample(range(PAST_DAYS * SLOTS_PER_DAY), max(1, count - future_count))
    future = ctx.rng.sample(range(FUTURE_DAYS * SLOTS_PER_DAY), future_count)
    return (
        [_slot_time(ctx, -1 - i // SLOTS_PER_DAY, i % SLOTS_PER_DAY) for i in past],
        [_slot_time(ctx, 1 + i // SLOTS_PER_DAY, i % SLOTS_PER_DAY) for i in future],
    )


def _patient(ctx: DemoContext, when: datetime) -> int:
    """A pet already born at `when` (pets of unknown age always qualify)."""
    born = ctx.pet_born
    pet_id = ctx.rng.randint(1, len(born))
    for _ in range(20):
        birth = born[pet_id - 1]
        if birth is None or birth < when.date():
            break
        pet_id = ctx.rng.randint(1, len(born))
    return pet_id


def build_appointments(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    past: list[tuple[int, datetime]] = []
    future: list[tuple[int, datetime]] = []
    for vet_id in range(1, ctx.vet_count + 1):
        count = rng.randint(APPOINTMENTS_PER_VET - 5, APPOINTMENTS_PER_VET + 5)
        vet_past, vet_future = _vet_slots(ctx, count)
        past.extend((vet_id, when) for when in vet_past)
        future.extend((vet_id, when) for when in vet_future)
    # What happened to a visit depends on whether its time has come.
    past_status = spread(rng, ("completed", "cancelled", "no_show"), (78, 12, 10), len(past))
    future_status = spread(rng, ("scheduled", "cancelled"), (92, 8), len(future))
    booked = sorted(
        zip(past + future, past_status + future_status, strict=True),
        key=lambda item: (item[0][1], item[0][0]),  # ids follow the calendar
    )
    return [
        {
            "id": appointment_id,
            "pet_id": _patient(ctx, when),
            "vet_id": vet_id,
            "scheduled_at": when,
            "status": status,
            "notes": ctx.maybe(0.6, rng.choice(APPOINTMENT_NOTES)),
        }
        for appointment_id, ((vet_id, when), status) in enumerate(booked, start=1)
    ]


STEPS = (
    Step(Owner, build_owners),
    Step(Pet, build_pets),
    Step(Vet, build_vets),
    Step(Appointment, build_appointments),
)
