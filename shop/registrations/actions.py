"""The domain's admin actions: product activation and enrollments (the clinic's are in
shop.registrations.clinic_actions).

Each is a Django-style action (`function(modeladmin, request, selection[, form])`) that
writes through the engine's ActionWriter or a workflow of shop.services (enrolling):
every row changed is version-checked and audited, and the whole action is one transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from sqlalchemy import select

from shop.admin import ModelAdmin, action
from shop.admin.actions import (
    ActionFailed,
    ActionParametersForm,
    RowChoiceField,
    Selection,
    change_selected,
)
from shop.admin.related_rows import autocomplete_url
from shop.models import Course, Enrollment
from shop.registrations.workflows import end_read_before_first_write, refused_as_stale
from shop.services.school.enrollments import EnrollmentRefused, enroll


def _count(model_admin: ModelAdmin, count: int) -> str:
    name = model_admin.verbose_name if count == 1 else model_admin.verbose_name_plural
    return f"{count} {name}"


def _changed(request: HttpRequest, model_admin: ModelAdmin, count: int, what: str) -> None:
    if count == 0:
        messages.info(request, f"No {model_admin.verbose_name_plural} needed changing.")
        return
    verb = "was" if count == 1 else "were"
    messages.success(request, f"{_count(model_admin, count)} {verb} {what}.")


# Commerce


@action(description="Deactivate selected products", permissions=["change"])
def deactivate_products(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> None:
    changed = change_selected(request, model_admin, selection, lambda p: _set_active(p, False))
    _changed(request, model_admin, changed, "deactivated")


@action(description="Activate selected products", permissions=["change"])
def activate_products(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    changed = change_selected(request, model_admin, selection, lambda p: _set_active(p, True))
    _changed(request, model_admin, changed, "activated")


def _set_active(product: Any, active: bool) -> None:
    product.is_active = active


# School


COURSE_SEARCH_HELP = "Type a course code or title to search (or enter the course id)."


class CourseSearchInput(forms.TextInput):
    """The course id, inside the wrapper that base.html's autocomplete script turns into a
    search by code or title (the enrollment form's course search); a plain id input
    without the script."""

    def __init__(self, search_url: str) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off"})
        self.search_url = search_url

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="related-widget" data-autocomplete-url="{}" data-required="true">{}</div>',
            self.search_url,
            html,
        )


class EnrollForm(ActionParametersForm):
    # A select while there are few courses, a search past 50: never the whole table.
    course = RowChoiceField(Course, order_by=("code",), limit=50, label="Course")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["course"]
        assert isinstance(field, RowChoiceField)
        enrollments = self.model_admin.admin_site.get_model_admin(Enrollment)
        search_url = autocomplete_url(enrollments, "course")
        if field.rows is None and search_url is not None:  # past the limit
            field.widget = CourseSearchInput(search_url)
            field.help_text = COURSE_SEARCH_HELP


@action(description="Enroll selected students in course …", permissions=["enroll"], form=EnrollForm)
def enroll_in_course(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: EnrollForm
) -> None:
    """Add an active enrollment per selected student; those already enrolled are skipped.

    Each enrollment is its own savepoint (shop.services.school.enroll): a student whom
    someone else enrolled in the same course meanwhile counts as already enrolled, and
    the other students are still enrolled.
    """
    course = form.cleaned_data["course"]
    session = selection.session
    actor = request.user.get_username()
    found = added = already = 0
    for batch in selection.batches():
        found += len(batch)
        enrolled = _enrolled(selection, course, [student.id for student in batch])
        if added == 0:
            end_read_before_first_write(session)
        for student in batch:
            if student.id in enrolled:
                already += 1
                continue
            try:
                with refused_as_stale(student):
                    outcome = enroll(session, student, course, actor=actor)
            except EnrollmentRefused as exc:
                raise ActionFailed(f"{exc.message} Nothing was changed.") from None
            if outcome.created:
                added += 1
            else:
                already += 1
    selection.check_complete(found)
    _report_enrolled(request, model_admin, course, added, already)


def _report_enrolled(
    request: HttpRequest, model_admin: ModelAdmin, course: Course, added: int, already: int
) -> None:
    if added == 0:
        who = "the selected student is" if already == 1 else f"all {already} selected are"
        messages.warning(
            request, f"Nobody was enrolled in “{course}”: {who} already enrolled in it."
        )
        return
    text = f"Enrolled {_count(model_admin, added)} in “{course}”."
    if already:
        text += f" {_count(model_admin, already)} already enrolled: left as they were."
    messages.success(request, text)


def _enrolled(selection: Selection, course: Course, student_ids: list[int]) -> set[int]:
    statement = select(Enrollment.student_id).where(
        Enrollment.course_id == course.id, Enrollment.student_id.in_(student_ids)
    )
    return set(selection.session.scalars(statement))


@action(description="Drop selected enrollments", permissions=["change"])
def drop_enrollments(model_admin: ModelAdmin, request: HttpRequest, selection: Selection) -> None:
    """Status "dropped"; a dropped enrollment has no grade (a rule of the table)."""
    changed = change_selected(request, model_admin, selection, _drop)
    _changed(request, model_admin, changed, "dropped")


def _drop(enrollment: Any) -> None:
    enrollment.status = "dropped"
    enrollment.grade = None
