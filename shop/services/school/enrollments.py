"""Enrolling a student in a course: one enrollment per pair, however many ask at once.

The seed checks "is the student enrolled?" and then inserts. Two requests doing that at
the same moment both see "not enrolled", and UNIQUE(student_id, course_id) refuses one
of the inserts. Here the insert is tried first, inside a savepoint (`begin_nested()`):
the refusal undoes that insert alone, the caller's transaction goes on, and the outcome
is "already enrolled" - the same answer as when the enrollment existed all along.

Inserting before reading also suits SQLite, where a transaction that has read cannot
start writing once another connection has committed (SQLITE_BUSY_SNAPSHOT); a first
write waits for the lock instead, as the commerce workflows do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.models import Course, Enrollment, Student
from shop.services.audit import record_addition

ACTIVE = "active"
NO_STUDENT = "“{student}” no longer exists."
NO_COURSE = "“{course}” no longer exists."
REFUSED = "The database refused to enroll “{student}” in “{course}”."


class EnrollmentRefused(Exception):
    """The enrollment could not be made; `message` says why, and nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EnrollOutcome:
    """The student's enrollment in the course, and whether this call made it."""

    enrollment: Enrollment
    created: bool


def enroll(session: Session, student: Student, course: Course, *, actor: str) -> EnrollOutcome:
    """Enroll `student` in `course` (active, today), audited; the caller commits.

    A student already enrolled - before the call, or by a concurrent transaction that
    committed first - is left as they are: `created` is False and nothing is written.
    Raises EnrollmentRefused when the student or the course no longer exists.
    """
    enrollment = Enrollment(student_id=student.id, course_id=course.id, status=ACTIVE)
    try:
        with session.begin_nested():
            session.add(enrollment)
            session.flush()  # the id, which the audit record names
            record_addition(session, actor, enrollment)
            session.flush()
    except IntegrityError:
        existing = current_enrollment(session, student.id, course.id)
        if existing is None:
            raise EnrollmentRefused(_missing(session, student, course)) from None
        return EnrollOutcome(existing, created=False)
    return EnrollOutcome(enrollment, created=True)


def current_enrollment(session: Session, student_id: int, course_id: int) -> Enrollment | None:
    """The committed enrollment of the pair, if any, read past this transaction's snapshot.

    A locking read: on MariaDB (REPEATABLE READ) a plain SELECT would still answer from
    the snapshot taken before the concurrent enrollment was committed.
    """
    statement = (
        select(Enrollment)
        .where(Enrollment.student_id == student_id, Enrollment.course_id == course_id)
        .with_for_update(read=True)
    )
    return session.scalars(statement).one_or_none()


def _missing(session: Session, student: Student, course: Course) -> str:
    """Why an insert that was not a duplicate was refused (a row it refers to is gone)."""
    if session.scalar(select(Student.id).where(Student.id == student.id)) is None:
        return NO_STUDENT.format(student=student)
    if session.scalar(select(Course.id).where(Course.id == course.id)) is None:
        return NO_COURSE.format(course=course)
    return REFUSED.format(student=student, course=course)
