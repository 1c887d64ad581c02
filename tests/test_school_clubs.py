"""Clubs: the roster on the club page, and memberships edited from either side."""

from __future__ import annotations

from typing import Any

from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Club, Student, student_clubs
from shop.registrations.club_roster import ROSTER_SHOWN, club_roster
from tests import factories
from tests.action_helpers import audit_of
from tests.inline_helpers import formset

STUDENTS = "/admin/school/student/"
CLUBS = "/admin/school/club/"


def new_club(session: Session, name: str = "Chess") -> Club:
    club = Club(name=f"{name} {factories._n()}")
    session.add(club)
    session.flush()
    return club


def new_student(session: Session, first: str, last: str) -> Student:
    student = Student(first_name=first, last_name=last, email=f"{first}.{last}@example.com")
    session.add(student)
    session.flush()
    return student


def members_of(session: Session, club: Club) -> set[int]:
    statement = select(student_clubs.c.student_id).where(student_clubs.c.club_id == club.id)
    return set(session.scalars(statement))


def club_post(club: Club, **values: Any) -> dict[str, Any]:
    return {
        "name": club.name,
        "description": club.description or "",
        "students-shown": "",
        "students-add": "",
        "_save": "Save",
        **values,
    }


def student_post(student: Student, **values: Any) -> dict[str, Any]:
    return {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "clubs-shown": "",
        "clubs-add": "",
        "_save": "Save",
        **formset("enrollments"),
        **values,
    }


def test_the_roster_lists_members_by_name_with_links_and_e_mails(
    admin_client: Client, session: Session
) -> None:
    club = new_club(session)
    zoe, al = new_student(session, "Zoe", "Young"), new_student(session, "Al", "Adams")
    new_student(session, "Not", "Member")
    session.execute(
        student_clubs.insert(),
        [{"student_id": zoe.id, "club_id": club.id}, {"student_id": al.id, "club_id": club.id}],
    )
    body = admin_client.get(f"{CLUBS}{club.id}/change/").content.decode()
    assert "Roster" in body
    first = body.index(f'<a href="{STUDENTS}{al.id}/change/">Adams, Al</a>')
    second = body.index(f'<a href="{STUDENTS}{zoe.id}/change/">Young, Zoe</a>')
    assert first < second
    assert "Al.Adams@example.com" in body
    assert "Member, Not" not in body
    assert f'2 members: <a href="{STUDENTS}?clubs__id__exact={club.id}">' in body


def test_an_empty_club_says_so(admin_client: Client, session: Session) -> None:
    club = new_club(session)
    assert "No members yet." in admin_client.get(f"{CLUBS}{club.id}/change/").content.decode()


def test_a_big_club_shows_the_first_members_and_counts_all_in_one_query(
    session: Session, queries: Any
) -> None:
    club = new_club(session)
    students = [factories.student(session) for _ in range(ROSTER_SHOWN + 7)]
    session.execute(
        student_clubs.insert(), [{"student_id": s.id, "club_id": club.id} for s in students]
    )
    with queries:
        roster = club_roster(session, club.id)
    assert len(queries) == 1
    assert roster.total == ROSTER_SHOWN + 7
    assert len(roster.members) == ROSTER_SHOWN
    names = [(m.last_name, m.first_name) for m in roster.members]
    assert names == sorted(names)


def test_the_club_page_costs_the_same_queries_for_3_or_300_members(
    admin_client: Client, session: Session, queries: Any
) -> None:
    def page_queries(members: int) -> int:
        club = new_club(session)
        students = [factories.student(session) for _ in range(members)]
        session.execute(
            student_clubs.insert(), [{"student_id": s.id, "club_id": club.id} for s in students]
        )
        with queries:
            response = admin_client.get(f"{CLUBS}{club.id}/change/")
        assert response.status_code == 200
        return len(queries)

    few, many = page_queries(3), page_queries(300)
    assert many <= few + 1, "at most the count of chooser members past the shown ones"


def test_a_member_added_on_the_student_page_is_removed_on_the_club_page(
    admin_client: Client, session: Session
) -> None:
    club, ada = new_club(session), new_student(session, "Ada", "Both")
    response = admin_client.post(
        f"{STUDENTS}{ada.id}/change/", student_post(ada, **{"clubs-add": str(club.id)})
    )
    assert response.status_code == 302
    assert members_of(session, club) == {ada.id}
    [(action, details)] = audit_of(session, "school.student", ada.id)
    assert (action, details) == ("change", {"clubs": (None, f"{club.name} (#{club.id})")})
    assert "Both, Ada" in admin_client.get(f"{CLUBS}{club.id}/change/").content.decode()

    response = admin_client.post(
        f"{CLUBS}{club.id}/change/", club_post(club, **{"students-shown": str(ada.id)})
    )
    assert response.status_code == 302
    assert members_of(session, club) == set()
    [(action, details)] = audit_of(session, "school.club", club.id)
    assert (action, details) == ("change", {"students": (f"{ada} (#{ada.id})", None)})
    assert "No members yet." in admin_client.get(f"{CLUBS}{club.id}/change/").content.decode()


def test_memberships_of_others_survive_an_edit_from_either_side(
    admin_client: Client, session: Session
) -> None:
    chess, drama = new_club(session), new_club(session, "Drama")
    ada, bob = new_student(session, "Ada", "Keep"), new_student(session, "Bob", "Keep")
    session.execute(
        student_clubs.insert(),
        [
            {"student_id": ada.id, "club_id": chess.id},
            {"student_id": bob.id, "club_id": chess.id},
            {"student_id": ada.id, "club_id": drama.id},
        ],
    )
    # Ada leaves chess from her page: Bob stays in chess, Ada stays in drama.
    data = student_post(ada, clubs=[str(drama.id)], **{"clubs-shown": f"{chess.id},{drama.id}"})
    assert admin_client.post(f"{STUDENTS}{ada.id}/change/", data).status_code == 302
    assert members_of(session, chess) == {bob.id}
    assert members_of(session, drama) == {ada.id}
    # Drama adds Bob from its page: Ada stays.
    data = club_post(
        drama,
        students=[str(ada.id)],
        **{"students-shown": str(ada.id), "students-add": str(bob.id)},
    )
    assert admin_client.post(f"{CLUBS}{drama.id}/change/", data).status_code == 302
    assert members_of(session, drama) == {ada.id, bob.id}
    assert members_of(session, chess) == {bob.id}
