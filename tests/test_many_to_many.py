"""Many-to-many choosers: only what the user changed is saved, unseen members are kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.admin.forms import membership
from shop.models import AuditDetail, AuditRecord, Club, Student, User, student_clubs
from tests import factories
from tests.test_autocomplete import grant


def clubs(session: Session, count: int, prefix: str = "Club") -> list[Club]:
    made = [Club(name=f"{prefix} {n:03}") for n in range(count)]
    session.add_all(made)
    session.flush()
    return made


def member_ids(session: Session, student: Student) -> set[int]:
    statement = select(student_clubs.c.club_id).where(student_clubs.c.student_id == student.id)
    return set(session.scalars(statement))


def student_with(session: Session, members: list[Club]) -> Student:
    row = factories.student(session)
    row.clubs = list(members)
    session.flush()
    session.expire(row, ["clubs"])
    return row


# The student page also carries its enrollments inline; these posts leave it empty.
NO_ENROLLMENT_ROWS = {"enrollments-TOTAL_FORMS": "0", "enrollments-INITIAL_FORMS": "0"}


def url(student: Student) -> str:
    return f"/admin/school/student/{student.id}/change/"


def post_data(student: Student, **values: Any) -> dict[str, Any]:
    data = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "clubs": [],
        "clubs-shown": "",
        "clubs-add": "",
        "_save": "Save",
        **NO_ENROLLMENT_ROWS,
    }
    data.update(values)
    return data


def test_the_page_shows_the_members_checked(admin_client: Client, session: Session) -> None:
    chess, drama, _other = clubs(session, 3)
    student = student_with(session, [chess, drama])
    page = admin_client.get(url(student)).content.decode()
    assert f'<input type="hidden" name="clubs-shown" value="{chess.id},{drama.id}">' in page
    assert f'name="clubs" value="{chess.id}" checked> {chess.name}' in page
    assert 'data-autocomplete-url="/admin/autocomplete/?app_label=school&amp;' in page
    assert "more not shown" not in page


def test_unchecking_removes_and_adding_adds(admin_client: Client, session: Session) -> None:
    chess, drama, choir = clubs(session, 3)
    student = student_with(session, [chess, drama])
    shown = f"{chess.id},{drama.id}"
    data = post_data(student, clubs=[str(chess.id)], **{"clubs-shown": shown})
    data["clubs-add"] = str(choir.id)
    response = admin_client.post(url(student), data)
    assert response.status_code == 302
    assert member_ids(session, student) == {chess.id, choir.id}


def test_members_that_were_not_shown_are_never_overwritten(
    admin_client: Client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(membership, "MEMBERS_SHOWN", 2)
    members = clubs(session, 5)
    student = student_with(session, members)
    page = admin_client.get(url(student)).content.decode()
    assert "3 more not shown; saving leaves them as they are." in page
    shown = sorted(members, key=lambda club: club.name)[:2]
    data = post_data(
        student,
        clubs=[str(shown[0].id)],  # the second shown one is unchecked
        **{"clubs-shown": f"{shown[0].id},{shown[1].id}"},
    )
    assert admin_client.post(url(student), data).status_code == 302
    assert member_ids(session, student) == {club.id for club in members} - {shown[1].id}


def test_two_editors_both_keep_their_changes(admin_client: Client, session: Session) -> None:
    chess, drama, choir = clubs(session, 3)
    student = student_with(session, [chess, drama])
    shown = {"clubs-shown": f"{chess.id},{drama.id}"}
    # Both opened the page with chess and drama; one adds choir, the other drops drama.
    first = post_data(student, clubs=[str(chess.id), str(drama.id)], **shown)
    first["clubs-add"] = str(choir.id)
    second = post_data(student, clubs=[str(chess.id)], **shown)
    assert admin_client.post(url(student), first).status_code == 302
    assert admin_client.post(url(student), second).status_code == 302
    assert member_ids(session, student) == {chess.id, choir.id}


@pytest.mark.parametrize("added", ["abc", "999999", "1.5", "-", "99999999999999999999999"])
def test_unknown_or_malformed_ids_are_a_form_error_and_nothing_is_saved(
    admin_client: Client, session: Session, added: str
) -> None:
    (chess,) = clubs(session, 1)
    student = student_with(session, [chess])
    data = post_data(student, last_name="Changed", clubs=[], **{"clubs-shown": str(chess.id)})
    data["clubs-add"] = added
    response = admin_client.post(url(student), data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    session.expire_all()
    assert member_ids(session, student) == {chess.id}
    assert session.get(Student, student.id).last_name != "Changed"


def test_membership_changes_are_audited_with_the_object(
    admin_client: Client, session: Session
) -> None:
    chess, drama = clubs(session, 2)
    student = student_with(session, [chess])
    data = post_data(student, clubs=[], **{"clubs-shown": str(chess.id)})
    data["clubs-add"] = str(drama.id)
    assert admin_client.post(url(student), data).status_code == 302
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.entity == "school.student")
    ).one()
    details = session.scalars(select(AuditDetail).where(AuditDetail.audit_id == record.id)).all()
    assert {(d.field, d.old_value, d.new_value) for d in details} == {
        ("clubs", f"{chess.name} (#{chess.id})", None),
        ("clubs", None, f"{drama.name} (#{drama.id})"),
    }


def test_a_new_object_gets_its_members(admin_client: Client, session: Session) -> None:
    chess, drama = clubs(session, 2)
    data = {
        "first_name": "New",
        "last_name": "Pupil",
        "email": "new.pupil@example.com",
        "clubs-add": f"{chess.id}, {drama.id}",
        "_save": "Save",
        **NO_ENROLLMENT_ROWS,
    }
    assert admin_client.post("/admin/school/student/add/", data).status_code == 302
    student = session.scalars(select(Student).where(Student.email == data["email"])).one()
    assert member_ids(session, student) == {chess.id, drama.id}


def test_following_oneself_is_a_form_error(admin_client: Client, session: Session) -> None:
    user = factories.user(session)
    other = factories.user(session)
    base = {
        "username": user.username,
        "email": user.email,
        "bio": "",
        "role": user.role,
        "is_active": "on",
        "_version": str(user.version_id),
        "_save": "Save",
    }
    response = admin_client.post(
        f"/admin/social/user/{user.id}/change/", {**base, "following-add": f"{other.id},{user.id}"}
    )
    assert response.status_code == 200
    assert "A user cannot be linked to itself." in response.content.decode()
    follows = select(func.count()).select_from(User.following.property.secondary)
    assert session.scalar(follows) == 0


def test_the_page_costs_the_same_queries_with_many_members(
    admin_client: Client, session: Session, queries: Any
) -> None:
    few = student_with(session, clubs(session, 1, "Few"))
    many = student_with(session, clubs(session, membership.MEMBERS_SHOWN + 10, "Many"))
    counts = []
    for student in (few, many):
        with queries:
            assert admin_client.get(url(student)).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0]  # the count of all members comes with the shown ones


def test_a_view_only_user_sees_the_members_read_only(
    client: Client, staff_user: Any, session: Session
) -> None:
    (chess,) = clubs(session, 1)
    student = student_with(session, [chess])
    grant(staff_user, "school", "view_student")
    client.force_login(staff_user)
    page = client.get(url(student)).content.decode()
    assert chess.name in page
    assert 'name="clubs"' not in page
    response = client.post(url(student), post_data(student, **{"clubs-shown": str(chess.id)}))
    assert response.status_code == 403
    assert member_ids(session, student) == {chess.id}
