"""The domain's admin actions: order status, product activation, enrollments, appointments.

Each is a Django-style action (`function(modeladmin, request, selection[, form])`) that
writes through the engine's ActionWriter: every row changed is version-checked and
audited, and the whole action is one transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from sqlalchemy import select

from shop.admin import ModelAdmin, action
from shop.admin.actions import (
    ActionParametersForm,
    ActionWriter,
    RowChoiceField,
    Selection,
    change_selected,
)
from shop.models import Course, Enrollment
from shop.models.commerce import ORDER_STATUSES


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


class SetStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=[
            ("", "---------"),
            *((s, s.replace("_", " ").capitalize()) for s in ORDER_STATUSES),
        ],
    )


@action(description="Set status of selected orders", permissions=["change"], form=SetStatusForm)
def set_order_status(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: SetStatusForm
) -> None:
    status = form.cleaned_data["status"]
    changed = change_selected(
        request, model_admin, selection, lambda order: _set_status(order, status)
    )
    _changed(request, model_admin, changed, f"set to “{status}”")


def _set_status(order: Any, status: str) -> None:
    order.status = status


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


class EnrollForm(ActionParametersForm):
    # A select while there are few courses, an id input past 50: never the whole table.
    course = RowChoiceField(Course, order_by=("code",), limit=50, label="Course")


@action(description="Enroll selected students in course …", permissions=["enroll"], form=EnrollForm)
def enroll_in_course(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: EnrollForm
) -> None:
    """Add an active enrollment per selected student; those already enrolled are skipped."""
    course = form.cleaned_data["course"]
    enrollment_admin = model_admin.admin_site.get_model_admin(Enrollment)
    writer = ActionWriter(request, model_admin)
    found = already = 0
    with writer.atomic():
        for batch in selection.batches():
            found += len(batch)
            enrolled = _enrolled(selection, course, [student.id for student in batch])
            already += len(enrolled)
            for student in batch:
                if student.id not in enrolled:
                    enrollment = Enrollment(student_id=student.id, course_id=course.id)
                    writer.add(enrollment, enrollment_admin)
        selection.check_complete(found)
    text = f"Enrolled {_count(model_admin, writer.added)} in “{course}”."
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


# Clinic


@action(description="Cancel selected appointments", permissions=["change"])
def cancel_appointments(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> None:
    changed = change_selected(request, model_admin, selection, _cancel)
    _changed(request, model_admin, changed, "cancelled")


def _cancel(appointment: Any) -> None:
    if appointment.status == "scheduled":
        appointment.status = "cancelled"
