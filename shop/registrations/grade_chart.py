"""Geometry of the grade distribution chart: one 100% stacked bar per course.

Each bar is a course's students who did not drop it, split by grade in scale order and
then "not graded yet". Segments are coloured by letter (A, B, C, D, F) through CSS
classes whose colours come from the stylesheet, so the chart follows dark mode; a thin
gap separates neighbouring segments of one colour (A+ from A). Counts stay exact ints;
only the drawing coordinates are floats.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.models.school import GRADES
from shop.reports.grades import CourseGrades

# Drawing units of the SVG viewBox; the SVG scales to its container's width.
WIDTH = 720
LABEL_WIDTH = 120  # course codes, right-aligned before the bars
TOTAL_WIDTH = 56  # "n = 34" after the bars
ROW_HEIGHT, BAR_HEIGHT = 24, 16
TOP, BOTTOM = 4, 4
NOT_GRADED = "Not graded yet"


@dataclass(frozen=True)
class Family:
    """A colour of the chart and its legend entry."""

    css: str
    label: str


FAMILIES = {
    "A": Family("grade-a", "A (A+, A, A-)"),
    "B": Family("grade-b", "B (B+, B, B-)"),
    "C": Family("grade-c", "C (C+, C, C-)"),
    "D": Family("grade-d", "D"),
    "F": Family("grade-f", "F"),
}
UNGRADED = Family("grade-none", NOT_GRADED)
LEGEND = [*FAMILIES.values(), UNGRADED]


@dataclass(frozen=True)
class Segment:
    css: str
    x: float
    width: float
    tooltip: str


@dataclass(frozen=True)
class Bar:
    code: str
    y: float
    text_y: float
    segments: list[Segment]
    total_text: str


@dataclass(frozen=True)
class GradeChart:
    bars: list[Bar]
    width: int
    height: int
    bar_x: int
    bar_width: int
    bar_height: int
    total_x: int


def grade_chart(courses: list[CourseGrades]) -> GradeChart:
    """A bar per course, top to bottom in the given order."""
    bar_width = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    bars = []
    for index, course in enumerate(courses):
        y = TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        bars.append(
            Bar(
                code=course.code,
                y=y,
                text_y=y + BAR_HEIGHT / 2,
                segments=_segments(course, bar_width),
                total_text=f"n = {course.students}",
            )
        )
    return GradeChart(
        bars=bars,
        width=WIDTH,
        height=TOP + len(courses) * ROW_HEIGHT + BOTTOM,
        bar_x=LABEL_WIDTH,
        bar_width=bar_width,
        bar_height=BAR_HEIGHT,
        total_x=WIDTH - TOTAL_WIDTH + 6,
    )


def _segments(course: CourseGrades, bar_width: int) -> list[Segment]:
    """The course's non-empty parts, left to right: A+ ... F, then not graded yet."""
    parts = [(grade, FAMILIES[grade[0]].css, course.counts[grade]) for grade in GRADES]
    parts.append((NOT_GRADED, UNGRADED.css, course.ungraded))
    segments = []
    x = float(LABEL_WIDTH)
    for label, css, count in parts:
        if not count:
            continue
        width = bar_width * count / course.students
        share = round(count * 100 / course.students)
        tooltip = f"{course.code}, {label}: {count} of {course.students} ({share}%)"
        segments.append(Segment(css, round(x, 2), round(width, 2), tooltip))
        x += width
    return segments


def chart_description(courses: list[CourseGrades]) -> str:
    """The chart's summary in words, for its <desc>."""
    if not courses:
        return "No courses."
    students = sum(course.students for course in courses)
    graded = sum(course.graded for course in courses)
    codes = f"{courses[0].code} to {courses[-1].code}" if len(courses) > 1 else courses[0].code
    return (
        f"Share of each grade among the students of courses {codes}: "
        f"{graded} of {students} students graded. "
        "The table that follows lists every count."
    )
