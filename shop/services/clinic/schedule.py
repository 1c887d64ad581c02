"""A vet's week: ISO weeks (`2031-W05`, Monday to Sunday in UTC) and the appointments in one.

One query for the whole week, with each appointment's pet and owner joined in, whatever
the number of appointments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from shop.models import Appointment, Pet

WEEK_PATTERN = re.compile(r"(\d{4})-W(\d{2})")
# Years every supported database stores (MariaDB's DATETIME starts at 1000), with room
# for the "next week" link of the last one.
MIN_YEAR, MAX_YEAR = 1000, 9998
DAYS = 7
BAD_WEEK = "“{text}” is not a week: write it as YYYY-Www, for example {example}."


@dataclass(frozen=True)
class Week:
    """An ISO week, by its Monday."""

    monday: date

    @property
    def code(self) -> str:
        """`2031-W05`, as the page's `week` parameter writes it."""
        year, week, _day = self.monday.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The next Monday at midnight UTC (not part of this week)."""
        return self.start + timedelta(days=DAYS)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(DAYS)]

    @property
    def previous(self) -> Week | None:
        before = Week(self.monday - timedelta(days=DAYS))
        return before if before.monday.isocalendar()[0] >= MIN_YEAR else None

    @property
    def next(self) -> Week | None:
        after = Week(self.monday + timedelta(days=DAYS))
        return after if after.monday.isocalendar()[0] <= MAX_YEAR else None


def week_of(moment: datetime) -> Week:
    """The week (in UTC) that `moment` falls in."""
    day = moment.astimezone(UTC).date()
    return Week(day - timedelta(days=day.weekday()))


def parse_week(text: str, *, today: datetime) -> Week:
    """The week `text` names (`2031-W05`); ValueError with a message for staff if none."""
    match = WEEK_PATTERN.fullmatch(text)
    if match is not None:
        year, number = int(match.group(1)), int(match.group(2))
        if MIN_YEAR <= year <= MAX_YEAR:
            try:
                return Week(date.fromisocalendar(year, number, 1))
            except ValueError:
                pass  # week 0, or a 53rd week in a year that has 52
    raise ValueError(BAD_WEEK.format(text=text[:20], example=week_of(today).code))


@dataclass
class ScheduleDay:
    """One day of the week and the vet's appointments on it, by time."""

    day: date
    appointments: list[Appointment] = field(default_factory=list)


def load_week(session: Session, vet_id: int, week: Week) -> list[ScheduleDay]:
    """The vet's appointments of `week`, grouped by day (every day present, Monday first)."""
    statement = (
        select(Appointment)
        .where(
            Appointment.vet_id == vet_id,
            Appointment.scheduled_at >= week.start,
            Appointment.scheduled_at < week.end,
        )
        .order_by(Appointment.scheduled_at, Appointment.id)
        .options(joinedload(Appointment.pet).joinedload(Pet.owner), raiseload("*"))
    )
    days = {day: ScheduleDay(day) for day in week.days}
    for appointment in session.scalars(statement):
        days[appointment.scheduled_at.astimezone(UTC).date()].appointments.append(appointment)
    return list(days.values())
