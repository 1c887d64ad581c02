"""A club's roster on its change page: members by name, each linked, with their e-mail.

ONE query whatever the club's size: the first ROSTER_SHOWN members by last then first
name, each row carrying the number of all members (a window count taken before the
LIMIT). On the club's page the roster is drawn from the members its "students" chooser
reads anyway (the same order, the student list's), so the page asks once for both. A
bigger club links to the student list filtered by the club, which sorts, searches and
exports every member. Adding and removing members is the "students" chooser above it
(searched, never a list of every student).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from shop.admin.forms.membership import Membership
from shop.models import Club, Student, student_clubs

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

ROSTER_SHOWN = 20
NO_MEMBERS = "No members yet."
CLUB_FILTER = "clubs__id__exact"  # the student list's filter by club


@dataclass(frozen=True)
class Member:
    id: int
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class Roster:
    members: list[Member]
    total: int


def club_roster(session: Session, club_id: int, shown: int = ROSTER_SHOWN) -> Roster:
    """The first `shown` members by name, and how many there are in all (one query)."""
    statement = (
        select(
            Student.id,
            Student.first_name,
            Student.last_name,
            Student.email,
            func.count().over().label("total"),
        )
        .join(student_clubs, student_clubs.c.student_id == Student.id)
        .where(student_clubs.c.club_id == club_id)
        .order_by(Student.last_name, Student.first_name, Student.id)
        .limit(shown)
    )
    rows = session.execute(statement).all()
    total = int(rows[0].total) if rows else 0
    return Roster([Member(row.id, row.first_name, row.last_name, row.email) for row in rows], total)


def page_roster(session: Session, club: Club, model_admin: ModelAdmin) -> Roster:
    """The roster of the club's page: the first members its chooser reads, no query of its own."""
    members_of = inspect(Club).relationships["students"]
    rows, total = Membership(members_of, club).shown(session, model_admin)
    members = [Member(s.id, s.first_name, s.last_name, s.email) for s in rows[:ROSTER_SHOWN]]
    return Roster(members, total)


def roster_html(roster: Roster, club_id: int, site_name: str) -> SafeString:
    """The roster as a list of links, and the way to every member when some are not shown."""
    if not roster.members:
        return format_html("{}", NO_MEMBERS)
    change = "admin:school_student_change"
    items = format_html_join(
        "",
        '<li><a href="{}">{}, {}</a> <span class="quiet">{}</span></li>',
        (
            (
                reverse(change, args=(m.id,), current_app=site_name),
                m.last_name,
                m.first_name,
                m.email,
            )
            for m in roster.members
        ),
    )
    changelist = reverse("admin:school_student_changelist", current_app=site_name)
    everyone = f"{changelist}?{urlencode({CLUB_FILTER: club_id})}"
    count = "1 member" if roster.total == 1 else f"{roster.total} members"
    more = ""
    if roster.total > len(roster.members):
        more = f" (the first {len(roster.members)} by name)"
    return format_html(
        '<p>{}{}: <a href="{}">see them in the student list</a></p><ul class="club-roster">{}</ul>',
        count,
        more,
        everyone,
        items,
    )
