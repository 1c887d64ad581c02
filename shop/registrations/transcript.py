"""A student's transcript: courses, credits, grades and the credit-weighted GPA.

Served beside the student's change page (`StudentAdmin.get_urls`) as a printable page
and as CSV. Grades are enrollment records, so both need view permission on students
and on enrollments. Query budget: the student, then one query for all the rows.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from shop.admin.export.formats import CSV, FORMATS, csv_cell
from shop.admin.lookup import get_object
from shop.admin.views.change import does_not_exist_redirect
from shop.admin.views.delete import object_context
from shop.models import Course, Enrollment
from shop.services.school.transcript import Transcript, TranscriptRow, student_transcript

TEMPLATE = "admin/school/student/transcript.html"
NO_GRADES = "no graded courses"
CSV_HEADER = ("Code", "Title", "Credits", "Enrolled", "Status", "Grade", "Grade points")


def _load(
    request: HttpRequest, model_admin: Any, object_id: str
) -> tuple[Any, Transcript] | HttpResponse:
    """The student and the transcript, or the answer to an unknown id; 403 without access."""
    student = get_object(request, model_admin, object_id)
    enrollments = model_admin.admin_site.get_model_admin(Enrollment)
    allowed = model_admin.has_view_permission(request, student) and enrollments.has_view_permission(
        request
    )
    if not allowed:
        raise PermissionDenied
    if student is None:
        return does_not_exist_redirect(request, model_admin, object_id)
    return student, student_transcript(request.db, student.id)  # type: ignore[attr-defined]


@require_safe
def transcript_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """The transcript page, print-friendly."""
    loaded = _load(request, model_admin, object_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    student, transcript = loaded
    site = model_admin.admin_site
    context = {
        **site.each_context(request),
        **object_context(request, model_admin, student),
        "title": f"Transcript: {student}",
        "student": student,
        "transcript": transcript,
        "rows": _with_course_links(request, site, transcript.rows),
        "gpa": transcript.gpa,
        "no_grades": NO_GRADES,
        "csv_url": reverse(
            f"admin:{model_admin.url_prefix}_transcript_csv",
            args=(student.id,),
            current_app=site.name,
        ),
        "generated_at": datetime.now(UTC),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _with_course_links(
    request: HttpRequest, site: Any, rows: list[TranscriptRow]
) -> list[tuple[TranscriptRow, str | None]]:
    """Each row with its course's change page, for a user who may view courses."""
    courses = site.get_model_admin(Course)
    if not courses.has_view_permission(request):
        return [(row, None) for row in rows]
    name = f"admin:{courses.url_prefix}_change"
    return [(row, reverse(name, args=(row.course_id,), current_app=site.name)) for row in rows]


@require_safe
def transcript_csv_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """The transcript as CSV: a header, one row per course, and the GPA row last."""
    loaded = _load(request, model_admin, object_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    student, transcript = loaded
    response = HttpResponse(transcript_csv(transcript), content_type=FORMATS[CSV].content_type)
    response["Content-Disposition"] = content_disposition_header(True, csv_filename(student))
    return response


def transcript_csv(transcript: Transcript) -> str:
    """CSV text; cells a spreadsheet would run as formulas are neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in transcript.rows:
        values = (
            row.code,
            row.title,
            row.credits,
            row.enrolled_date.isoformat(),
            row.status,
            row.grade,
            row.points,
        )
        writer.writerow([csv_cell(value) for value in values])
    gpa = transcript.gpa
    note = NO_GRADES if gpa is None else ""
    writer.writerow(["GPA", note, transcript.credits_graded, "", "", "", csv_cell(gpa)])
    return buffer.getvalue()


def csv_filename(student: Any) -> str:
    """`transcript-lovelace-12.csv`: ASCII letters, digits and dashes only."""
    name = slugify(student.last_name) or "student"
    return f"transcript-{name}-{student.id}.csv"
