"""A course's grade book: every enrolled student's grade, status and notes on one page.

Two queries whatever the size of the course: the course, then its enrollments with their
students (shop.services.school.gradebook). Who may view enrollments sees the values; who
may change them gets one form, a row per student, each with the enrollment's id, the
version it was loaded at and the values it was loaded with (Django's hidden initial).

The save is one POST and one transaction: only the rows edited here are written, each
with its audit record. A broken rule on any row saves nothing and shows the errors; a row
someone else changed meanwhile is not overwritten but shown with both values (the
engine's conflict marking), while the other rows save. A forged formset is a 400. The
row form and its widgets are in shop.registrations.gradebook_form.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from sqlalchemy.exc import IntegrityError, OperationalError

from shop.admin.changelist.editable import PREFIX
from shop.admin.export.formats import CSV, FORMATS, csv_cell
from shop.admin.forms.factory import VERSION_FIELD
from shop.admin.forms.fastwidgets import fast_renderer, hidden_form_html
from shop.admin.forms.save import is_write_conflict
from shop.admin.lookup import INT_RE, get_object
from shop.admin.options import ModelAdmin
from shop.admin.urls import object_url
from shop.admin.views.delete import object_context
from shop.models import Enrollment, Student
from shop.registrations.gradebook_form import (
    GradebookRowForm,
    flag_conflict,
    posted_form,
    rebound_form,
)
from shop.registrations.gradebook_rows import Line, lines_html, student_urls
from shop.registrations.workflows import end_read_before_first_write, plural
from shop.services.school.gradebook import (
    GradebookReview,
    GradebookRow,
    RowEdit,
    load_gradebook,
    review_gradebook,
    write_gradebook,
)
from shop.services.school.grades import grade_points

MAX_ROWS = 5000  # a course's students; DATA_UPLOAD_MAX_NUMBER_FIELDS caps a POST first
SAVED = "{saved} {verb} changed successfully."
CONFLICTED = (
    "{saved} saved; {conflicts} not saved because someone else changed {them} since you "
    "opened the grade book: see below, with your values and the current ones."
)
NOTHING_CHANGED = "No changes to save."
UNKNOWN = "Enrollment #{key} is not in this course's grade book (deleted or moved since you "
UNKNOWN += "opened the page?): nothing was saved."
GONE = "{count} deleted by someone else since you opened the grade book."
REFUSED = "The database refused the changes (someone else saved at the same moment?): "
REFUSED += "nothing was saved. Check the rows below and save again."
CSV_HEADERS = ("Student", "E-mail", "Grade", "Points", "Status", "Notes")


def gradebook_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    course, editable = _course(request, model_admin, object_id)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        return _save(request, model_admin, course)
    rows = load_gradebook(request.db, course.id)  # type: ignore[attr-defined]
    # No form for a row that shows what it holds (see gradebook_rows): editors only.
    current: list[GradebookRowForm | None] = [None] * len(rows)
    return _render(request, model_admin, course, rows, current if editable else None)


def _course(request: HttpRequest, model_admin: ModelAdmin, object_id: str) -> tuple[Any, bool]:
    """The course, and whether the user may edit its grade book (viewing it takes the
    permission to view enrollments)."""
    enrollments = model_admin.admin_site.get_model_admin(Enrollment)
    if not enrollments.has_view_permission(request):
        raise PermissionDenied
    course = get_object(request, model_admin, object_id)
    if course is None:
        raise Http404(f"No {model_admin.verbose_name} with this ID.")
    return course, enrollments.has_change_permission(request)


def _save(request: HttpRequest, model_admin: ModelAdmin, course: Any) -> HttpResponse:
    session = request.db  # type: ignore[attr-defined]
    posted = _posted_forms(request)
    rows = load_gradebook(session, course.id)
    edits = [
        RowEdit(*form.key, marks=form.marks, loaded=form.loaded, errors=form.field_errors)
        for form in posted
    ]
    review = review_gradebook(rows, edits)
    if review.refused:
        errors = [UNKNOWN.format(key=key) for key in review.unknown]
        return _render_again(request, model_admin, course, rows, posted, review, errors)
    if not review.changes and not review.conflicts:
        messages.info(request, NOTHING_CHANGED)
        return HttpResponseRedirect(object_url(model_admin, course, "gradebook"))
    try:
        if review.changes:
            end_read_before_first_write(session)
            write_gradebook(session, review, actor=request.user.get_username())
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and not is_write_conflict(exc):
            raise  # a lost connection: the middleware's error page
        session.rollback()
        rows = load_gradebook(session, course.id)  # the rollback expired what was loaded
        return _render_again(request, model_admin, course, rows, posted, None, [REFUSED])
    return _saved(request, model_admin, course, rows, posted, review)


def _posted_forms(request: HttpRequest) -> list[GradebookRowForm]:
    """The posted rows; 400 if the formset, an id or a version was tampered with."""
    management = ManagementForm(request.POST, prefix=PREFIX)
    total = management.cleaned_data[TOTAL_FORM_COUNT] if management.is_valid() else -1
    if not 0 <= total <= MAX_ROWS:
        raise BadRequest("ManagementForm data is missing or has been tampered with.")
    session = request.db  # type: ignore[attr-defined]
    posted = [posted_form(session, request.POST, index) for index in range(total)]
    keys = [form.cleaned_data.get(name, "") for form in posted for name in ("id", VERSION_FIELD)]
    if not all(INT_RE.fullmatch(key) for key in keys):
        raise BadRequest("A row of the grade book has no valid id or version.")
    if len({form.key[0] for form in posted}) != total:
        raise BadRequest("An enrollment is in the grade book twice.")
    return posted


def _saved(
    request: HttpRequest,
    model_admin: ModelAdmin,
    course: Any,
    rows: list[GradebookRow],
    posted: list[GradebookRowForm],
    review: GradebookReview,
) -> HttpResponse:
    """Saved: back to the page, or the page with the rows that were not saved flagged."""
    saved, missed = len(review.saved), len(review.conflicts) + len(review.gone)
    if not missed:
        verb = "was" if saved == 1 else "were"
        messages.success(request, SAVED.format(saved=plural(saved, "enrollment"), verb=verb))
        return HttpResponseRedirect(object_url(model_admin, course, "gradebook"))
    them = "it" if missed == 1 else "them"
    messages.warning(
        request, CONFLICTED.format(saved=plural(saved, "enrollment"), conflicts=missed, them=them)
    )
    gone = plural(len(review.gone), "edited row was", "edited rows were")
    errors = [GONE.format(count=gone)] if review.gone else []
    rows = [row for row in rows if row.id not in review.gone]
    return _render_again(request, model_admin, course, rows, posted, review, errors)


def _render_again(
    request: HttpRequest,
    model_admin: ModelAdmin,
    course: Any,
    rows: list[GradebookRow],
    posted: list[GradebookRowForm],
    review: GradebookReview | None,
    errors: list[str],
) -> HttpResponse:
    """The page again after a save that did not go through entirely.

    A refused save (broken rules, or `review` None: refused by the database) keeps every
    row's input. After a partial save, each conflicting row keeps the user's input, with
    the current values beside it; every other row shows what it holds now.
    """
    session = request.db  # type: ignore[attr-defined]
    enrollments = model_admin.admin_site.get_model_admin(Enrollment)
    by_id = {form.key[0]: form for form in posted}
    keep_all = review is None or review.refused
    conflicts = review.conflicts if review is not None else {}
    problems = review.problems if review is not None else {}
    forms: list[GradebookRowForm | None] = []
    for index, row in enumerate(rows):
        form = by_id.get(row.id)
        if form is None or not (keep_all or row.id in conflicts):
            forms.append(None)  # the row shows what it holds now
            continue
        form = rebound_form(session, form, index, row, current=row.id in conflicts)
        for name, message in problems.get(row.id, {}).items():
            if message not in form.errors.get(name, ()):
                form.add_error(name, message)
        if row.id in conflicts:
            flag_conflict(request, enrollments, form, row)
        forms.append(form)
    return _render(request, model_admin, course, rows, forms, errors)


def _render(
    request: HttpRequest,
    model_admin: ModelAdmin,
    course: Any,
    rows: list[GradebookRow],
    forms: list[GradebookRowForm | None] | None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """`forms`: None for a user who may only view; else each row's form, None for a row
    that shows the enrollment's current values."""
    site = model_admin.admin_site
    students = site.get_model_admin(Student)
    urls = student_urls(students, rows) if students.has_view_permission(request) else None
    lines = [
        Line(row, forms[index] if forms is not None else None, urls[index] if urls else None)
        for index, row in enumerate(rows)
    ]
    errors = errors or []
    bound = [line.form for line in lines if line.form is not None and line.form.is_bound]
    context = {
        **site.each_context(request),
        **object_context(request, model_admin, course),
        "title": f"Grade book: {course}",
        "course": course,
        "lines": lines,
        "lines_html": lines_html(lines, editable=forms is not None),
        "editable": forms is not None,
        "management_inputs": hidden_form_html(
            ManagementForm(
                prefix=PREFIX,
                initial={TOTAL_FORM_COUNT: len(rows), INITIAL_FORM_COUNT: len(rows)},
                renderer=fast_renderer(),
            )
        ),
        "errors": errors,
        "error_count": len(errors) + sum(len(form.errors) for form in bound),
        "has_course_view_permission": model_admin.has_view_permission(request),
        "csv_url": object_url(model_admin, course, "gradebook_csv"),
    }
    return TemplateResponse(request, model_admin.template_names("gradebook.html"), context)


def gradebook_csv_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    """The grade book as CSV: student, e-mail, grade, points, status, notes."""
    course, _editable = _course(request, model_admin, object_id)
    response = HttpResponse(content_type=FORMATS[CSV].content_type)
    name = slugify(course.code) or f"course-{course.id}"
    response["Content-Disposition"] = f'attachment; filename="{name}-grade-book.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADERS)
    for row in load_gradebook(request.db, course.id):  # type: ignore[attr-defined]
        enrollment, student = row.enrollment, row.student
        values = (
            f"{student.last_name}, {student.first_name}",
            student.email,
            enrollment.grade,
            grade_points(enrollment.grade),
            enrollment.status,
            enrollment.notes,
        )
        writer.writerow([csv_cell(value) for value in values])
    return response
