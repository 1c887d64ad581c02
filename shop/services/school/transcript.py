"""A student's transcript as read from the database: ONE query for all its rows.

The GPA is `gpa()` of the rows, computed in Python from the same (grade, credits) pairs
the SQL `student_gpa()` sums, so the page, its CSV and a list sorted by GPA agree to the
hundredth. Credits attempted are those of every course not dropped; credits graded are
those of the courses with a grade (the GPA's weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Course, Enrollment
from shop.services.school.grades import gpa, grade_points

DROPPED = "dropped"


@dataclass(frozen=True)
class TranscriptRow:
    """One course on the transcript: the enrollment with its course's code, title, credits."""

    enrollment_id: int
    course_id: int
    code: str
    title: str
    credits: int
    enrolled_date: date
    status: str
    grade: str | None

    @property
    def points(self) -> Decimal | None:
        """The grade's points on the 4.0 scale (None while ungraded)."""
        return grade_points(self.grade)


@dataclass(frozen=True)
class Transcript:
    rows: list[TranscriptRow]

    @property
    def credits_attempted(self) -> int:
        return sum(row.credits for row in self.rows if row.status != DROPPED)

    @property
    def credits_graded(self) -> int:
        return sum(row.credits for row in self.rows if row.grade is not None)

    @property
    def gpa(self) -> Decimal | None:
        """Credit-weighted GPA to two decimals, half up; None with no graded course."""
        return gpa((row.grade, row.credits) for row in self.rows)


def student_transcript(session: Session, student_id: int) -> Transcript:
    """The student's courses, oldest enrollment first, in one query."""
    statement = (
        select(
            Enrollment.id,
            Course.id,
            Course.code,
            Course.title,
            Course.credits,
            Enrollment.enrolled_date,
            Enrollment.status,
            Enrollment.grade,
        )
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.student_id == student_id)
        .order_by(Enrollment.enrolled_date, Course.code, Enrollment.id)
    )
    return Transcript([TranscriptRow(*row) for row in session.execute(statement)])
