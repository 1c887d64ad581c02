"""Grade points and the credit-weighted GPA on the 4.0 scale, exact on every database.

A grade's points are kept in tenths (A- = 37), so every sum is an integer and nothing is
ever a float: a GPA is sum(points * credits) / (10 * sum(credits)), rounded half up to
two decimals. In SQL the rounding is integer division of non-negative integers (`/` on
SQLite and PostgreSQL, `DIV` on MariaDB, whose `/` would give a rounded decimal), so a
list sorted by GPA and the transcript agree to the hundredth. Only graded enrollments
count; a dropped enrollment never has a grade (a rule of the table).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, select, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from shop.models import Course, Enrollment, Student
from shop.models.school import GRADES

# Points per grade, in tenths: A+ and A = 4.0, A- = 3.7, B+ = 3.3 ... D = 1.0, F = 0.
GRADE_TENTHS: dict[str, int] = {
    "A+": 40,
    "A": 40,
    "A-": 37,
    "B+": 33,
    "B": 30,
    "B-": 27,
    "C+": 23,
    "C": 20,
    "C-": 17,
    "D": 10,
    "F": 0,
}
assert set(GRADE_TENTHS) == set(GRADES), "every grade of the scale has its points"

HUNDREDTH = Decimal("0.01")


def grade_points(grade: str | None) -> Decimal | None:
    """A grade's points on the 4.0 scale (None for no grade)."""
    if grade is None:
        return None
    return Decimal(GRADE_TENTHS[grade]).scaleb(-1)


def gpa(graded: Iterable[tuple[str | None, int]]) -> Decimal | None:
    """Credit-weighted GPA of (grade, credits) pairs, to two decimals; None if none graded."""
    points = credits = 0
    for grade, course_credits in graded:
        if grade is None:
            continue
        points += GRADE_TENTHS[grade] * course_credits
        credits += course_credits
    if credits == 0:
        return None
    return (Decimal(points) / (10 * credits)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


class Hundredths(TypeDecorator[Decimal]):
    """An integer number of hundredths read back as an exact two-decimal Decimal."""

    impl = Integer
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(int(value)).scaleb(-2)


def tenths_of(grade: Any) -> ColumnElement[int]:
    """SQL: the grade's points in tenths (NULL for no grade)."""
    return case(GRADE_TENTHS, value=grade, else_=None)


def rounded_ratio(points_tenths: Any, credits: Any) -> ColumnElement[Decimal]:
    """SQL: points / (10 * credits) rounded half up to hundredths; NULL when no credits.

    round(10P / C) = floor((20P + C) / (2C)), all in integers.
    """
    denominator = func.nullif(2 * credits, 0)
    return type_coerce(IntegerDivision(20 * points_tenths + credits, denominator), Hundredths())


class IntegerDivision(ColumnElement[int]):
    """`a / b` truncated, for non-negative integers, on every database."""

    inherit_cache = True
    type = Integer()

    def __init__(self, dividend: Any, divisor: Any) -> None:
        self.dividend = dividend
        self.divisor = divisor

    _traverse_internals = [
        ("dividend", InternalTraversal.dp_clauseelement),
        ("divisor", InternalTraversal.dp_clauseelement),
    ]


@compiles(IntegerDivision)
def _divide(element: IntegerDivision, compiler: Any, **kw: Any) -> str:
    dividend, divisor = (
        compiler.process(part, **kw) for part in (element.dividend, element.divisor)
    )
    return f"(({dividend}) / ({divisor}))"


@compiles(IntegerDivision, "mysql", "mariadb")
def _divide_mysql(element: IntegerDivision, compiler: Any, **kw: Any) -> str:
    dividend, divisor = (
        compiler.process(part, **kw) for part in (element.dividend, element.divisor)
    )
    return f"(({dividend}) DIV ({divisor}))"


def student_gpa() -> ColumnElement[Decimal]:
    """A correlated subquery: the GPA of the outer query's Student row (NULL if ungraded)."""
    # Each enrollment's credits by its course's key: a join would let the planner hash
    # the whole course table once per listed student.
    course_credits = (
        select(Course.credits)
        .where(Course.id == Enrollment.course_id)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    points = func.coalesce(func.sum(tenths_of(Enrollment.grade) * course_credits), 0)
    credits = func.coalesce(
        func.sum(case((Enrollment.grade.is_not(None), course_credits), else_=0)), 0
    )
    statement = (
        select(rounded_ratio(points, credits))
        .select_from(Enrollment)
        .where(Enrollment.student_id == Student.id)
    )
    return statement.correlate(Student).scalar_subquery()


def course_average() -> ColumnElement[Decimal]:
    """A correlated subquery: the mean grade points of the outer Course row's graded
    enrollments, to two decimals (NULL when nobody is graded yet)."""
    graded = case((Enrollment.grade.is_not(None), 1), else_=0)
    statement = select(
        rounded_ratio(func.sum(tenths_of(Enrollment.grade)), func.sum(graded))
    ).where(Enrollment.course_id == Course.id)
    return statement.correlate(Course).scalar_subquery()
