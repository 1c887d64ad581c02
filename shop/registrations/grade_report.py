"""The grade distribution per course, as a site page one click from the index.

At /admin/school/grades/: for one page of courses (by code), how many students got each
grade, how many wait for one and how many dropped, from ONE aggregate query
(shop.reports.grades). The chart is inline SVG drawn on the server, one 100% stacked
bar per course; its text alternative is its title and description and the table of
every count below it. Staff who may view enrollments may open it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from shop.admin.pages import SitePage
from shop.models import Course, Enrollment
from shop.models.school import GRADES
from shop.registrations.grade_chart import LEGEND, chart_description, grade_chart
from shop.registrations.site import site
from shop.reports import grades
from shop.reports.grades import CourseGrades, GradePage

TEMPLATE = "admin/school/grade_report.html"
PAGE_VAR = "p"
NOT_DROPPED = "active,completed"  # the changelist's `__in` takes a comma-separated list
PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")  # 1-based, as the changelist's `p`


@dataclass(frozen=True)
class Cell:
    count: int
    url: str | None


@dataclass(frozen=True)
class CourseRow:
    course: CourseGrades
    url: str | None
    grades: list[Cell]
    ungraded: Cell
    dropped: Cell


def can_view_grades(request: HttpRequest) -> bool:
    return site.get_model_admin(Enrollment).has_view_permission(request)


def page_number(request: HttpRequest) -> int:
    """The `p` parameter; anything but a page number is a 404, as Django's list views do."""
    raw = request.GET.get(PAGE_VAR, "1")
    if not PAGE_RE.fullmatch(raw):
        raise Http404("Not a page number.")
    return int(raw)


def grade_report(request: HttpRequest) -> HttpResponse:
    number = page_number(request)
    found = grades.grade_distribution(request.db, number)  # type: ignore[attr-defined]
    if not found.courses and number > 1:
        raise Http404("No courses on this page.")
    context = {
        **site.each_context(request),
        "title": GRADE_REPORT.title,
        "app_label": "school",
        "app_name": site.app_name("school"),
        "grades": GRADES,
        "page": found,
        "rows": _rows(request, found.courses),
        "chart": grade_chart(found.courses),
        "chart_desc": chart_description(found.courses),
        "legend": LEGEND,
        **_page_links(found),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _rows(request: HttpRequest, courses: list[CourseGrades]) -> list[CourseRow]:
    """The table's rows; counts link to the enrollments they count."""
    changelist = reverse("admin:school_enrollment_changelist", current_app=site.name)
    course_admin = site.get_model_admin(Course)
    may_view_courses = course_admin.has_view_permission(request)

    def cell(count: int, course_id: int, **filters: str) -> Cell:
        if not count:
            return Cell(0, None)
        query = urlencode({"course__id__exact": course_id, **filters})
        return Cell(count, f"{changelist}?{query}")

    rows = []
    for course in courses:
        url = None
        if may_view_courses:
            url = reverse(
                f"admin:{course_admin.url_prefix}_change",
                args=(course.course_id,),
                current_app=site.name,
            )
        rows.append(
            CourseRow(
                course=course,
                url=url,
                grades=[
                    cell(course.counts[grade], course.course_id, grade__exact=grade)
                    for grade in GRADES
                ],
                ungraded=cell(
                    course.ungraded,
                    course.course_id,
                    grade__isnull="True",
                    status__in=NOT_DROPPED,
                ),
                dropped=cell(course.dropped, course.course_id, status__exact="dropped"),
            )
        )
    return rows


def _page_links(found: GradePage) -> dict[str, Any]:
    def link(number: int) -> str:
        return f"?{urlencode({PAGE_VAR: number})}"

    return {
        "previous_url": link(found.number - 1) if found.number > 1 else None,
        "next_url": link(found.number + 1) if found.number < found.pages else None,
    }


GRADE_REPORT = SitePage(
    route="school/grades/",
    name="school_grades",
    title="Grade distribution",
    view=grade_report,
    has_permission=can_view_grades,
    description="How many students got each grade, per course.",
)

# Listed on the index beside the other reports.
site.register_page(GRADE_REPORT)
