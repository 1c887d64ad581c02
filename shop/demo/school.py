"""Demo school: students, clubs with members, courses and enrollments (graded or not)."""

from __future__ import annotations

from datetime import date

from shop.demo.context import DemoContext, Row, Step, UniqueNames, spread
from shop.demo.words import (
    CAMPUSES,
    CLUBS,
    DEPARTMENTS,
    ENROLLMENT_NOTES,
    FIRST_NAMES,
    LAST_NAMES,
    LEVEL_PREFIXES,
)
from shop.models import Club, Course, Enrollment, Student, student_clubs
from shop.models.school import ENROLLMENT_STATUSES, GRADES

STUDENTS_PER_SCALE = 60
CLUBS_PER_SCALE = 8
COURSES_PER_SCALE = 20
GRADE_WEIGHTS = (4, 10, 12, 14, 15, 12, 9, 8, 5, 5, 6)  # same order as GRADES
STATUS_WEIGHTS = (35, 15, 50)  # same order as ENROLLMENT_STATUSES
# Probability that an enrollment in each status carries a grade; dropped ones never do.
GRADED_SHARE = {"completed": 0.92, "active": 0.15, "dropped": 0.0}
# When enrollments in each status began, in days ago (min, max).
ENROLLED_AGO = {"completed": (120, 700), "active": (5, 110), "dropped": (5, 400)}


def build_students(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    emails = UniqueNames()
    rows: list[Row] = []
    for student_id in range(1, ctx.count(STUDENTS_PER_SCALE) + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = emails(f"{first}.{last}".lower())
        rows.append(
            {
                "id": student_id,
                "first_name": first,
                "last_name": last,
                "email": f"{local}@students.example.edu",
            }
        )
    ctx.student_count = len(rows)
    return rows


def _club_name(index: int) -> tuple[str, str]:
    """Unique club names: the plain list first, then per campus, then numbered."""
    name, description = CLUBS[index % len(CLUBS)]
    round_ = index // len(CLUBS)
    if round_ == 0:
        return name, description
    campus = CAMPUSES[(round_ - 1) % len(CAMPUSES)]
    number = (round_ - 1) // len(CAMPUSES) + 1
    suffix = f" {number}" if number > 1 else ""
    return f"{campus} {name}{suffix}", description


def build_clubs(ctx: DemoContext) -> list[Row]:
    rows: list[Row] = []
    for club_id in range(1, ctx.count(CLUBS_PER_SCALE) + 1):
        name, description = _club_name(club_id - 1)
        rows.append({"id": club_id, "name": name, "description": ctx.maybe(0.9, description)})
    return rows


def build_student_clubs(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    clubs = range(1, ctx.count(CLUBS_PER_SCALE) + 1)
    rows: list[Row] = []
    for student_id in range(1, ctx.student_count + 1):
        count = min(len(clubs), rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0])
        rows.extend(
            {"student_id": student_id, "club_id": club} for club in sorted(rng.sample(clubs, count))
        )
    return rows


def _course_code(index: int) -> tuple[str, str, tuple[str, ...]]:
    """A unique code (CS101, MATH204, ...), its level's title prefix and its topics."""
    department, _subject, topics = DEPARTMENTS[index % len(DEPARTMENTS)]
    serial = index // len(DEPARTMENTS)
    level = serial % len(LEVEL_PREFIXES)
    sequence = serial // len(LEVEL_PREFIXES) + 1
    # The level digit leads and the sequence is at least two digits: codes never collide.
    return f"{department}{level + 1}{sequence:02d}", LEVEL_PREFIXES[level], topics


def build_courses(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    rows: list[Row] = []
    for course_id in range(1, ctx.count(COURSES_PER_SCALE) + 1):
        code, prefix, topics = _course_code(course_id - 1)
        rows.append(
            {
                "id": course_id,
                "code": code,
                "title": f"{prefix} {rng.choice(topics)}",
                "credits": rng.choices((1, 2, 3, 4, 5, 6), (5, 10, 40, 30, 10, 5))[0],
            }
        )
    return rows


def _enrollment_pairs(ctx: DemoContext) -> list[tuple[int, int]]:
    rng = ctx.rng
    courses = range(1, ctx.count(COURSES_PER_SCALE) + 1)
    pairs: list[tuple[int, int]] = []
    for student_id in range(1, ctx.student_count + 1):
        count = min(len(courses), rng.randint(2, 6))
        pairs.extend((student_id, course) for course in sorted(rng.sample(courses, count)))
    return pairs


def _enrolled_on(ctx: DemoContext, status: str) -> date:
    return ctx.days_ago(*ENROLLED_AGO[status]).date()


def build_enrollments(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    pairs = _enrollment_pairs(ctx)
    statuses = spread(rng, ENROLLMENT_STATUSES, STATUS_WEIGHTS, len(pairs))
    rows: list[Row] = []
    for enrollment_id, ((student_id, course_id), status) in enumerate(
        zip(pairs, statuses, strict=True), start=1
    ):
        graded = rng.random() < GRADED_SHARE[status]
        row = {
            "id": enrollment_id,
            "student_id": student_id,
            "course_id": course_id,
            "enrolled_date": _enrolled_on(ctx, status),
            "grade": rng.choices(GRADES, GRADE_WEIGHTS)[0] if graded else None,
            "notes": ctx.maybe(0.1, rng.choice(ENROLLMENT_NOTES)),
            "status": status,
        }
        if graded:
            ctx.graded.append(row)
        rows.append(row)
    return rows


STEPS = (
    Step(Student, build_students),
    Step(Club, build_clubs),
    Step(student_clubs, build_student_clubs),
    Step(Course, build_courses),
    Step(Enrollment, build_enrollments),
)
