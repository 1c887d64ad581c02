"""A course's grade book: one page, one POST, one transaction, conflicts per row."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shop.db import SessionFactory
from shop.models import AuditRecord, Course, Enrollment, Student
from shop.registrations import gradebook as gradebook_views
from shop.services.school import gradebook as gradebook_service
from shop.services.school.gradebook import Marks, RowEdit, load_gradebook, review_gradebook
from tests import factories
from tests.action_helpers import audit_of, form_data, fresh, messages_of, staff_client

FORM = "gradebook-form"
STALE = "Someone else changed this enrollment since you opened the grade book"
VIEW = ("school.view_enrollment",)
CHANGE = ("school.view_enrollment", "school.change_enrollment")


def url(course: Course, csv_file: bool = False) -> str:
    return f"/admin/school/course/{course.id}/gradebook{'.csv' if csv_file else '/'}"


def enrolled(session: Session, count: int, course: Course | None = None) -> list[Enrollment]:
    """`count` students in `course` (a new one by default), in grade book order."""
    course = course or factories.course(session)
    tag = factories._n()
    students = [
        Student(first_name="Ada", last_name=f"Name{tag}-{n:04}", email=f"s{tag}-{n}@example.com")
        for n in range(count)
    ]
    rows = [Enrollment(student=student, course=course) for student in students]
    session.add_all(rows)
    session.flush()
    return rows


def index_of(data: dict[str, list[str]], row: Enrollment) -> int:
    for key, values in data.items():
        if key.startswith("form-") and key.endswith("-id") and values == [str(row.id)]:
            return int(key.split("-")[1])
    raise AssertionError(f"enrollment {row.id} is not in the form")


def edit(data: dict[str, list[str]], row: Enrollment, **values: Any) -> dict[str, list[str]]:
    number = index_of(data, row)
    return {**data, **{f"form-{number}-{name}": [str(v)] for name, v in values.items()}}


def save(client: Client, course: Course, data: dict[str, list[str]]) -> Any:
    return client.post(url(course), {**data, "_save": "Save"})


def loaded(client: Client, course: Course) -> dict[str, list[str]]:
    return form_data(client.get(url(course)), FORM)


def state(session: Session, row: Enrollment) -> tuple[Any, ...]:
    current = fresh(session, Enrollment, row.id)
    return (current.grade, current.status, current.notes, current.version_id)


def someone_else_sets(session: Session, row: Enrollment, **values: Any) -> None:
    """Another staff member's save: new values and the next version."""
    statement = (
        update(Enrollment)
        .where(Enrollment.id == row.id)
        .values(**values, version_id=Enrollment.version_id + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)


# The page


def test_the_grade_book_lists_every_student_by_last_name(admin_client, session) -> None:
    course = factories.course(session)
    names = [("Zoe", "Young"), ("Bob", "Adams"), ("Al", "Adams"), ("Cy", "Miller")]
    for first, last in names:
        student = Student(first_name=first, last_name=last, email=f"{first}@example.com")
        session.add(Enrollment(student=student, course=course, grade="B", notes="fine"))
    other = enrolled(session, 1)[0]  # another course's student is not listed
    session.flush()
    response = admin_client.get(url(course))
    body = response.content.decode()
    assert response.status_code == 200
    order = ["Adams, Al", "Adams, Bob", "Miller, Cy", "Young, Zoe"]
    positions = [body.index(f">{name}</a>") for name in order]
    assert positions == sorted(positions)
    assert other.student.last_name not in body
    data = form_data(response, FORM)
    assert data["form-TOTAL_FORMS"] == ["4"]
    assert data["form-0-grade"] == ["B"]
    assert data["initial-form-0-grade"] == ["B"]
    assert data["form-0-status"] == ["active"]
    assert data["initial-form-0-notes"] == ["fine"]
    assert data["form-0-_version"] == ["1"]
    assert 'aria-label="Grade of Al Adams"' in body
    crumbs = body[
        body.index('class="breadcrumbs"') : body.index("</nav>", body.index("breadcrumbs"))
    ]
    assert "Home" in crumbs
    assert "School" in crumbs
    assert "Courses" in crumbs
    assert f'<a href="/admin/school/course/{course.id}/change/">{course}</a>' in crumbs
    assert "Grade book" in crumbs
    assert f'href="/admin/school/course/{course.id}/gradebook.csv"' in body
    assert "<script" not in body[body.index('id="content-main"') :], "works without JavaScript"


def test_the_page_reads_in_two_queries_for_10_or_300_students(
    admin_client, session, queries
) -> None:
    def page_queries(count: int) -> int:
        course = factories.course(session)
        enrolled(session, count, course)
        with queries:
            response = admin_client.get(url(course))
        assert response.content.decode().count("<tr data-pk=") == count
        return len(queries)

    assert page_queries(10) == page_queries(300) == 2


def test_unknown_or_malformed_course_is_404(admin_client) -> None:
    for address in ("/admin/school/course/999999/gradebook/", "/admin/school/course/x/gradebook/"):
        assert admin_client.get(address).status_code == 404
        assert admin_client.get(address.rstrip("/") + ".csv").status_code == 404


# Saving


def test_saving_writes_only_the_changed_rows_each_audited(admin_client, session) -> None:
    rows = enrolled(session, 4)
    course = rows[0].course
    data = loaded(admin_client, course)
    data = edit(data, rows[0], grade="A-")
    data = edit(data, rows[2], status="completed", notes="Final project: excellent")
    response = save(admin_client, course, data)
    assert response.status_code == 302
    assert response.url == url(course)
    assert messages_of(response) == ["2 enrollments were changed successfully."]
    assert state(session, rows[0]) == ("A-", "active", None, 2)
    assert state(session, rows[1]) == (None, "active", None, 1), "an untouched row is not written"
    assert state(session, rows[2]) == (None, "completed", "Final project: excellent", 2)
    assert audit_of(session, "school.enrollment", rows[0].id) == [
        ("change", {"grade": (None, "A-")})
    ]
    assert audit_of(session, "school.enrollment", rows[2].id) == [
        ("change", {"status": ("active", "completed"), "notes": (None, "Final project: excellent")})
    ]
    assert audit_of(session, "school.enrollment", rows[1].id) == []
    record = session.scalars(select(AuditRecord).where(AuditRecord.entity_id == str(rows[0].id)))
    assert record.one().actor == "root"


def test_a_save_writes_as_many_statements_for_300_students_as_for_10(
    admin_client, session, queries
) -> None:
    def saved(count: int) -> tuple[int, int, int]:
        rows = enrolled(session, count)
        course = rows[0].course
        data = loaded(admin_client, course)
        for row, grade in zip((rows[0], rows[count // 2], rows[-1]), ("A", "B+", "F"), strict=True):
            data = edit(data, row, grade=grade)
        audits_before = session.scalar(select(func.count()).select_from(AuditRecord))
        with queries:
            response = save(admin_client, course, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        updates = [s for s in queries.writes if s.lstrip().upper().startswith("UPDATE")]
        audits = session.scalar(select(func.count()).select_from(AuditRecord)) - audits_before
        graded = session.scalar(
            select(func.count()).where(
                Enrollment.course_id == course.id, Enrollment.grade.is_not(None)
            )
        )
        assert graded == 3
        return len(queries), len(updates), audits

    few, many = saved(10), saved(300)
    assert few == many, "the number of statements depends on the changed rows only"
    assert many[1:] == (3, 3), "three UPDATEs, three audit records"


@pytest.mark.parametrize("outcome", ["refused", "conflict"])
def test_a_save_shown_again_takes_as_many_statements_for_300_students_as_for_10(
    admin_client, session, queries, outcome
) -> None:
    def shown_again(count: int) -> int:
        rows = enrolled(session, count)
        course = rows[0].course
        data = edit(loaded(admin_client, course), rows[0], grade="A")
        if outcome == "refused":
            data = edit(data, rows[-1], grade="Z")
        else:
            someone_else_sets(session, rows[-1], notes="Theirs")
            data = edit(data, rows[-1], grade="B")
        with queries:
            response = save(admin_client, course, data)
        assert response.status_code == 200
        assert response.content.decode().count("<tr data-pk=") == count
        return len(queries)

    assert shown_again(10) == shown_again(300)


def test_saving_nothing_changed_says_so(admin_client, session, queries) -> None:
    rows = enrolled(session, 3)
    data = loaded(admin_client, rows[0].course)
    with queries:
        response = save(admin_client, rows[0].course, data)
    assert response.status_code == 302
    assert messages_of(response) == ["No changes to save."]
    assert queries.writes == []


def test_a_stale_row_is_flagged_while_the_others_save(admin_client, session) -> None:
    rows = enrolled(session, 3)
    course = rows[0].course
    data = loaded(admin_client, course)
    someone_else_sets(session, rows[0], grade="C", notes="Late work")
    data = edit(data, rows[0], grade="A")
    data = edit(data, rows[1], grade="B")
    response = save(admin_client, course, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert messages_of(response) == [
        "1 enrollment saved; 1 not saved because someone else changed it since you opened "
        "the grade book: see below, with your values and the current ones."
    ]
    assert state(session, rows[0]) == ("C", "active", "Late work", 2), "theirs is kept"
    assert state(session, rows[1]) == ("B", "active", None, 2), "the other row saved"
    assert audit_of(session, "school.enrollment", rows[0].id) == []
    assert STALE in body
    assert "Current value: C" in body
    assert "Current value: Late work" in body
    again = form_data(response, FORM)
    number = index_of(again, rows[0])
    assert again[f"form-{number}-grade"] == ["A"], "the user's input is kept"
    assert again[f"form-{number}-notes"] == [""]
    assert again[f"form-{number}-_version"] == ["2"], "the current version"
    assert again[f"initial-form-{number}-grade"] == ["C"]
    saved_row = index_of(again, rows[1])
    assert again[f"form-{saved_row}-_version"] == ["2"], "the saved row's new version"

    # Saving the page again is deliberate: the user's values replace theirs.
    response = save(admin_client, course, again)
    assert response.status_code == 302
    assert messages_of(response) == ["1 enrollment was changed successfully."]
    assert state(session, rows[0]) == ("A", "active", None, 3)
    assert state(session, rows[1]) == ("B", "active", None, 2)
    assert audit_of(session, "school.enrollment", rows[0].id) == [
        ("change", {"grade": ("C", "A"), "notes": ("Late work", None)})
    ]


def test_a_row_changed_elsewhere_only_is_neither_flagged_nor_overwritten(
    admin_client, session
) -> None:
    rows = enrolled(session, 2)
    course = rows[0].course
    data = loaded(admin_client, course)
    someone_else_sets(session, rows[1], grade="D")
    response = save(admin_client, course, edit(data, rows[0], grade="A"))
    assert response.status_code == 302
    assert state(session, rows[0])[0] == "A"
    assert state(session, rows[1]) == ("D", "active", None, 2)


def test_the_same_change_made_by_both_is_no_conflict(admin_client, session) -> None:
    rows = enrolled(session, 1)
    data = loaded(admin_client, rows[0].course)
    someone_else_sets(session, rows[0], grade="A")
    response = save(admin_client, rows[0].course, edit(data, rows[0], grade="A"))
    assert response.status_code == 302
    assert messages_of(response) == ["No changes to save."]
    assert state(session, rows[0]) == ("A", "active", None, 2)


def test_a_change_between_reading_and_writing_is_a_row_conflict(
    admin_client, session, monkeypatch
) -> None:
    rows = enrolled(session, 3)
    course = rows[0].course
    original = gradebook_views.end_read_before_first_write

    def someone_else_writes_first(db: Session) -> None:
        # After the review read the rows, before this save writes them.
        someone_else_sets(db, rows[1], grade="D")
        table: Any = Enrollment.__table__
        db.execute(table.delete().where(table.c.id == rows[2].id))
        original(db)

    monkeypatch.setattr(gradebook_views, "end_read_before_first_write", someone_else_writes_first)
    data = loaded(admin_client, course)
    for row, grade in zip(rows, ("A", "B", "C"), strict=True):
        data = edit(data, row, grade=grade)
    response = save(admin_client, course, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert messages_of(response)[0].startswith("1 enrollment saved; 2 not saved")
    assert "1 edited row was deleted by someone else" in body
    assert STALE in body
    assert "Current value: D" in body
    assert state(session, rows[0])[:2] == ("A", "active")
    assert state(session, rows[1]) == ("D", "active", None, 2)
    assert session.get(Enrollment, rows[2].id, populate_existing=True) is None
    assert [len(audit_of(session, "school.enrollment", row.id)) for row in rows] == [1, 0, 0]
    again = form_data(response, FORM)
    assert again["form-TOTAL_FORMS"] == ["2"]
    assert again[f"form-{index_of(again, rows[1])}-_version"] == ["2"]


@pytest.mark.committed
def test_another_connection_committing_between_read_and_write(
    admin_client, sa_engine, monkeypatch
) -> None:
    """A real second transaction: caught by the version check at flush, and the current
    values read back past this transaction's snapshot (MariaDB's REPEATABLE READ)."""
    with SessionFactory() as setup, setup.begin():
        rows = enrolled(setup, 2)
        course = rows[0].course
    original = gradebook_views.end_read_before_first_write

    def another_connection_commits(db: Session) -> None:
        with sa_engine.begin() as other:
            table: Any = Enrollment.__table__
            other.execute(
                update(table).where(table.c.id == rows[1].id).values(grade="D", version_id=2)
            )
        original(db)

    monkeypatch.setattr(gradebook_views, "end_read_before_first_write", another_connection_commits)
    data = edit(loaded(admin_client, course), rows[0], grade="A")
    response = save(admin_client, course, edit(data, rows[1], grade="B"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Current value: D" in body
    again = form_data(response, FORM)
    assert again[f"form-{index_of(again, rows[1])}-_version"] == ["2"]
    with SessionFactory() as check:
        assert state(check, rows[0])[::3] == ("A", 2)
        assert state(check, rows[1])[::3] == ("D", 2)
        assert len(audit_of(check, "school.enrollment", rows[0].id)) == 1


# Refusals: nothing saved


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"grade": "Z"}, "“Z” is not a grade."),
        ({"grade": "B", "status": "dropped"}, "A dropped enrollment cannot receive a grade"),
        ({"status": "expelled"}, "“expelled” is not an enrollment status."),
        ({"status": ""}, "“” is not an enrollment status."),
        ({"notes": "x" * 501}, "Notes hold at most 500 characters; these have 501."),
    ],
)
def test_a_broken_rule_on_any_row_saves_nothing(admin_client, session, values, message) -> None:
    rows = enrolled(session, 3)
    course = rows[0].course
    data = edit(loaded(admin_client, course), rows[0], grade="A")
    data = edit(data, rows[2], **values)
    response = save(admin_client, course, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the error below." in body
    assert message in body
    assert [state(session, row) for row in rows] == [(None, "active", None, 1)] * 3
    assert audit_of(session, "school.enrollment", rows[0].id) == []
    again = form_data(response, FORM)
    assert again[f"form-{index_of(again, rows[0])}-grade"] == ["A"], "the input is kept"


@pytest.mark.parametrize("where", ["other course", "no such row"])
def test_a_row_not_in_the_grade_book_saves_nothing(admin_client, session, where) -> None:
    rows = enrolled(session, 2)
    stranger = enrolled(session, 1)[0]
    course = rows[0].course
    data = edit(loaded(admin_client, course), rows[0], grade="A")
    forged = str(stranger.id) if where == "other course" else "999999999"
    number = index_of(data, rows[1])
    data = {**data, f"form-{number}-id": [forged], f"form-{number}-grade": ["F"]}
    response = save(admin_client, course, data)
    assert response.status_code == 200
    assert f"Enrollment #{forged} is not in this course" in response.content.decode()
    assert state(session, rows[0]) == (None, "active", None, 1)
    assert state(session, stranger) == (None, "active", None, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"form-TOTAL_FORMS": ["x"]},
        {"form-TOTAL_FORMS": ["100000"]},
        {"form-0-id": ["abc"]},
        {"form-0-id": [""]},
        {"form-0-_version": ["one"]},
        {"form-0-_version": [""]},
        {"form-1-id": ["@same"]},
    ],
)
def test_a_tampered_formset_is_a_bad_request(admin_client, session, change) -> None:
    rows = enrolled(session, 2)
    data = edit(loaded(admin_client, rows[0].course), rows[0], grade="A")
    if change == {"form-1-id": ["@same"]}:
        change = {"form-1-id": [str(rows[0].id)]}  # one enrollment twice
    response = save(admin_client, rows[0].course, {**data, **change})
    assert response.status_code == 400
    assert state(session, rows[0]) == (None, "active", None, 1)


def test_a_refusal_by_the_database_rolls_every_row_back(admin_client, session, monkeypatch) -> None:
    rows = enrolled(session, 2)
    course = rows[0].course
    monkeypatch.setattr(Marks, "problems", lambda self: {})  # let the CHECK refuse instead
    data = edit(loaded(admin_client, course), rows[0], grade="A")
    data = edit(data, rows[1], grade="B", status="dropped")
    response = save(admin_client, course, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The database refused the changes" in body
    assert [state(session, row) for row in rows] == [(None, "active", None, 1)] * 2
    assert audit_of(session, "school.enrollment", rows[0].id) == []
    again = form_data(response, FORM)
    assert again[f"form-{index_of(again, rows[1])}-status"] == ["dropped"]


# Permissions


def test_view_only_staff_see_values_without_inputs_and_cannot_save(
    django_user_model, session
) -> None:
    rows = enrolled(session, 1)
    course = rows[0].course
    rows[0].grade = "B+"
    session.flush()
    client = staff_client(django_user_model, *VIEW)
    response = client.get(url(course))
    body = response.content.decode()
    assert response.status_code == 200
    assert "B+" in body
    assert FORM not in body
    assert "<select" not in body
    assert 'name="_save"' not in body
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(rows[0].id),
        "form-0-_version": "2", "form-0-grade": "F", "form-0-status": "active", "_save": "Save",
    }  # fmt: skip
    assert client.post(url(course), data).status_code == 403
    assert state(session, rows[0])[0] == "B+"


def test_staff_who_may_change_enrollments_can_save(django_user_model, session) -> None:
    rows = enrolled(session, 1)
    client = staff_client(django_user_model, *CHANGE)
    data = edit(loaded(client, rows[0].course), rows[0], grade="C+")
    assert save(client, rows[0].course, data).status_code == 302
    assert state(session, rows[0])[0] == "C+"


def test_staff_without_enrollment_permissions_are_refused(django_user_model, session) -> None:
    rows = enrolled(session, 1)
    client = staff_client(django_user_model, "school.view_course", "school.change_course")
    assert client.get(url(rows[0].course)).status_code == 403
    assert client.get(url(rows[0].course, csv_file=True)).status_code == 403


# CSV


def test_the_csv_lists_the_grade_book_with_formulas_neutralized(admin_client, session) -> None:
    course = factories.course(session)
    course.code = "CS 101"
    evil = Student(first_name="Eve", last_name="=HYPERLINK(1)", email="eve@example.com")
    plain = Student(first_name="Al", last_name="Adams", email="al@example.com")
    session.add_all(
        [
            Enrollment(student=evil, course=course, grade="A-", notes="@SUM(A1)"),
            Enrollment(student=plain, course=course, status="dropped", notes="Moved away"),
        ]
    )
    session.flush()
    response = admin_client.get(url(course, csv_file=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cs-101-grade-book.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Student", "E-mail", "Grade", "Points", "Status", "Notes"],
        ["'=HYPERLINK(1), Eve", "eve@example.com", "A-", "3.7", "active", "'@SUM(A1)"],
        ["Adams, Al", "al@example.com", "", "", "dropped", "Moved away"],
    ]


def test_view_only_staff_may_download_the_csv(django_user_model, session) -> None:
    rows = enrolled(session, 2)
    client = staff_client(django_user_model, *VIEW)
    response = client.get(url(rows[0].course, csv_file=True))
    assert response.status_code == 200
    assert len(response.content.decode().splitlines()) == 3


# The workflow on its own


def test_review_keeps_only_the_rows_edited_here(session) -> None:
    rows = enrolled(session, 3)
    book = load_gradebook(session, rows[0].course_id)
    blank = Marks(None, "active", None)
    edits = [
        RowEdit(rows[0].id, 1, Marks("A", "active", None), blank),
        RowEdit(rows[1].id, 1, blank, blank),  # untouched
        RowEdit(rows[2].id, 7, Marks(None, "completed", None), blank),  # stale version
    ]
    review = review_gradebook(book, edits)
    assert [row.enrollment.id for row, _ in review.changes] == [rows[0].id]
    assert review.conflicts == {rows[2].id: Marks(None, "completed", None)}
    assert not review.refused
    unknown = review_gradebook(book, [RowEdit(-5, 1, Marks("A", "active", None))])
    assert unknown.unknown == [-5]
    assert unknown.refused


def test_write_gradebook_writes_nothing_for_a_refused_review(session, queries) -> None:
    rows = enrolled(session, 1)
    book = load_gradebook(session, rows[0].course_id)
    edits = [RowEdit(rows[0].id, 1, Marks("Q", "active", None))]
    review = review_gradebook(book, edits)
    assert list(review.problems) == [rows[0].id]
    assert list(review.problems[rows[0].id]) == ["grade"]
    with queries:
        gradebook_service.write_gradebook(session, review, actor="clerk")
    assert queries.writes == []
