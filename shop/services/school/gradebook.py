"""A course's grade book: every enrolled student's grade, status and notes, saved at once.

The page posts every row; saving is two steps of the caller's one transaction:

- `review_gradebook` (no query) keeps the rows the user edited, checks them against the
  rules of an enrollment (`enrollment_problems`) and against the rows as they are now.
  Any broken rule, or an edited row that is not in this course, means nothing is written.
  An edited row that someone else changed since the page was loaded (its version moved
  on) is a conflict: it is left as it is, and the other rows still save.
- `write_gradebook` writes the remaining rows one by one, each in its own savepoint with
  its audit record, under the `version_id_col` check: a row changed between the review
  and the write (StaleDataError) becomes a conflict too, and is read again so the page
  can show its current values. The caller commits.

A row counts as edited when its posted values differ from those it was loaded with, not
from those it has now: a row only someone else changed is not overwritten with the
values this user saw, nor flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields

from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, raiseload
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.audit import as_text
from shop.models import Enrollment, Student
from shop.services.audit import Change, record_change
from shop.services.school.rules import enrollment_problems

NOTES_LENGTH: int = Enrollment.__table__.c.notes.type.length  # type: ignore[attr-defined]
NOTES_TOO_LONG = "Notes hold at most {limit} characters; these have {length}."
# Every column a conflict reads again: a partly expired row would load the rest one by one.
COLUMNS = tuple(prop.key for prop in Enrollment.__mapper__.column_attrs)


@dataclass(frozen=True)
class Marks:
    """What the grade book edits on one enrollment."""

    grade: str | None
    status: str
    notes: str | None

    @classmethod
    def of(cls, enrollment: Enrollment) -> Marks:
        return cls(enrollment.grade, enrollment.status, enrollment.notes)

    @classmethod
    def posted(cls, grade: str | None, status: str | None, notes: str | None) -> Marks:
        """Form values: surrounding blanks dropped, an empty grade or note is None."""
        return cls(_text(grade), _text(status) or "", _text(notes))

    def problems(self) -> dict[str, str]:
        """field -> message for each rule these values break; {} if none."""
        found = enrollment_problems(self.status, self.grade)
        if self.notes is not None and len(self.notes) > NOTES_LENGTH:
            found["notes"] = NOTES_TOO_LONG.format(limit=NOTES_LENGTH, length=len(self.notes))
        return found

    def changes_from(self, before: Marks) -> list[Change]:
        """(field, old, new) as audit text, for each field that differs."""
        names = [f.name for f in fields(self)]
        pairs = zip(names, astuple(before), astuple(self), strict=True)
        return [(name, as_text(old), as_text(new)) for name, old, new in pairs if old != new]


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


@dataclass(frozen=True)
class RowEdit:
    """One posted row: which enrollment, the version and values it was loaded with, and
    the values posted now."""

    enrollment_id: int
    version: int
    marks: Marks
    loaded: Marks | None = None  # None: not known, so any difference counts as an edit
    # field -> message for input refused before it became marks (e.g. a NUL character)
    errors: Mapping[str, str] = field(default_factory=dict)

    @property
    def edited(self) -> bool:
        return self.loaded is None or self.marks != self.loaded


@dataclass(frozen=True)
class GradebookRow:
    """One student of the course and their enrollment (`id`: its id, known even once the
    row is expired or was deleted)."""

    enrollment: Enrollment
    student: Student
    id: int


@dataclass
class GradebookReview:
    """What a save found and did, by enrollment id."""

    changes: list[tuple[GradebookRow, Marks]] = field(default_factory=list)
    problems: dict[int, dict[str, str]] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)  # edited, but not in this grade book
    conflicts: dict[int, Marks] = field(default_factory=dict)  # the values posted here
    gone: list[int] = field(default_factory=list)  # edited, and deleted meanwhile
    saved: list[int] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Nothing may be written: a rule is broken, or a row is not the course's."""
        return bool(self.problems or self.unknown)


def load_gradebook(session: Session, course_id: int) -> list[GradebookRow]:
    """Every enrollment of the course with its student, by last then first name (one query)."""
    statement = (
        select(Enrollment, Student)
        .join(Student, Student.id == Enrollment.student_id)
        .where(Enrollment.course_id == course_id)
        .order_by(Student.last_name, Student.first_name, Student.id)
        .options(raiseload("*"))
    )
    return [GradebookRow(e, student, e.id) for e, student in session.execute(statement)]


def review_gradebook(rows: Sequence[GradebookRow], edits: Sequence[RowEdit]) -> GradebookReview:
    """Sort the edited rows into changes to write, rule problems, unknown rows and conflicts."""
    by_id = {row.id: row for row in rows}
    review = GradebookReview()
    for edit in edits:
        if not (edit.edited or edit.errors):
            continue
        key = edit.enrollment_id
        problems = {**edit.marks.problems(), **edit.errors}
        if problems:
            review.problems[key] = problems
        row = by_id.get(key)
        if row is None:
            review.unknown.append(key)
            continue
        if problems or edit.marks == Marks.of(row.enrollment):
            continue  # refused anyway, or already what was asked for (whoever did it)
        if edit.version != row.enrollment.version_id:
            review.conflicts[key] = edit.marks
            continue
        review.changes.append((row, edit.marks))
    return review


def write_gradebook(session: Session, review: GradebookReview, *, actor: str) -> None:
    """Write the reviewed changes, each audited in its own savepoint; the caller commits.

    Writes nothing for a refused review. IntegrityError and OperationalError propagate
    (the caller rolls the whole save back); a row whose version moved on since it was
    read is recorded in `review.conflicts` (or `review.gone`) instead of `review.saved`.
    """
    if review.refused:
        return
    for row, marks in review.changes:
        enrollment, key = row.enrollment, row.id
        try:
            with session.begin_nested():
                _write_row(session, enrollment, marks, actor)
        except StaleDataError:
            if _read_again(session, enrollment):
                review.conflicts[key] = marks
            else:
                review.gone.append(key)
            continue
        review.saved.append(key)


def _write_row(session: Session, enrollment: Enrollment, marks: Marks, actor: str) -> None:
    changes = marks.changes_from(Marks.of(enrollment))
    enrollment.grade, enrollment.status, enrollment.notes = marks.grade, marks.status, marks.notes
    session.flush()  # the version check, before its audit record is written
    record_change(session, actor, enrollment, changes)
    session.flush()


def _read_again(session: Session, enrollment: Enrollment) -> bool:
    """The row as committed now (the savepoint's rollback expired it); False if deleted.

    A locking read: on MariaDB a plain SELECT would repeat this transaction's snapshot,
    which predates the other save.
    """
    try:
        session.refresh(enrollment, COLUMNS, with_for_update={"read": True})
    except InvalidRequestError:  # ObjectDeletedError
        return False
    return True
