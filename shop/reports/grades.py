"""The grade distribution per course, one page of courses at a time, in ONE query.

The page's courses (by code) are a LIMITed derived table that also carries the number of
all courses (a window count taken before the LIMIT); it is outer-joined to the
enrollments and grouped by course and grade, so a course nobody took still has its row.
Within the group of no grade, dropped enrollments are told apart from those still
waiting for a grade by a conditional sum (a dropped enrollment never has a grade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shop.models import Course, Enrollment
from shop.models.school import GRADES

COURSES_PER_PAGE = 20
DROPPED = "dropped"


@dataclass(frozen=True)
class CourseGrades:
    """One course's counts: each grade of the scale, not graded yet, and dropped."""

    course_id: int
    code: str
    title: str
    counts: dict[str, int]  # every grade of GRADES, in scale order
    ungraded: int  # active or completed, no grade yet
    dropped: int

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def students(self) -> int:
        """Students who did not drop the course: the whole of its bar."""
        return self.graded + self.ungraded


@dataclass(frozen=True)
class GradePage:
    courses: list[CourseGrades]
    number: int  # 1-based
    per_page: int
    total: int  # courses in all (0 when the page is past the last)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.courses) - 1


def grade_distribution(
    session: Session, number: int = 1, per_page: int = COURSES_PER_PAGE
) -> GradePage:
    """Page `number` of the courses, by code, with the count of each grade."""
    statement = _statement(number, per_page)
    found: dict[int, dict[str, Any]] = {}
    total = 0
    for row in session.execute(statement):
        total = int(row.total)
        course = found.setdefault(
            row.id,
            {"code": row.code, "title": row.title, "counts": dict.fromkeys(GRADES, 0)},
        )
        count, dropped = int(row.enrollments), int(row.dropped or 0)
        if row.grade is None:
            course["ungraded"], course["dropped"] = count - dropped, dropped
        else:
            course["counts"][row.grade] = count
    courses = [
        CourseGrades(
            course_id,
            values["code"],
            values["title"],
            values["counts"],
            values.get("ungraded", 0),
            values.get("dropped", 0),
        )
        for course_id, values in found.items()
    ]
    return GradePage(courses, number, per_page, total)


def _statement(number: int, per_page: int) -> Any:
    courses = (
        select(
            Course.id,
            Course.code,
            Course.title,
            func.count().over().label("total"),
        )
        .order_by(Course.code, Course.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
        .subquery("page_courses")
    )
    dropped = func.sum(case((Enrollment.status == DROPPED, 1), else_=0))
    return (
        select(
            courses.c.id,
            courses.c.code,
            courses.c.title,
            courses.c.total,
            Enrollment.grade,
            func.count(Enrollment.id).label("enrollments"),
            dropped.label("dropped"),
        )
        .select_from(courses)
        .outerjoin(Enrollment, Enrollment.course_id == courses.c.id)
        .group_by(courses.c.id, courses.c.code, courses.c.title, courses.c.total, Enrollment.grade)
        .order_by(courses.c.code, courses.c.id)
    )
