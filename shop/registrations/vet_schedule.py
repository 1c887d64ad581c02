"""A vet's schedule: `/admin/clinic/vet/<pk>/schedule/?week=2031-W05`, Monday to Sunday (UTC).

Two queries whatever the week holds: the vet, then the week's appointments with their
pets and owners (shop.services.clinic.schedule). Without `week` the page shows the
current week; a `week` that is not one says so and shows the current week too. Viewing
it takes the permission to view appointments, as every appointment is listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch

from shop.admin.forms.fields import humanize
from shop.admin.lookup import get_object
from shop.admin.options import ModelAdmin
from shop.admin.urls import model_url, object_url
from shop.admin.views.delete import object_context
from shop.models import Appointment, Vet
from shop.models.types import utcnow
from shop.services.clinic import ScheduleDay, Week, load_week, parse_week, week_of

WEEK_PARAM = "week"


@dataclass(frozen=True)
class Visit:
    """One appointment of the page: its time (UTC) and status as shown, and its link."""

    appointment: Appointment
    url: str
    time: str
    status: str


def vet_schedule_view(request: HttpRequest, model_admin: Any, object_id: str) -> HttpResponse:
    appointments = model_admin.admin_site.get_model_admin(Appointment)
    if not appointments.has_view_permission(request):
        raise PermissionDenied
    vet = get_object(request, model_admin, object_id)
    if not model_admin.has_view_permission(request, vet):
        raise PermissionDenied
    if vet is None:
        raise Http404(f"No {model_admin.verbose_name} with this ID.")
    week, error = _week(request)
    days = load_week(request.db, vet.id, week)  # type: ignore[attr-defined]
    context = {
        **model_admin.admin_site.each_context(request),
        **object_context(request, model_admin, vet),
        "title": f"Schedule of {vet}",
        "vet": vet,
        "week": week,
        "week_error": error,
        "days": [(day, _visits(appointments, day)) for day in days],
        "count": sum(len(day.appointments) for day in days),
        "this_week": week_of(utcnow()),
        "schedule_url": object_url(model_admin, vet, "schedule"),
        "add_url": _add_url(request, appointments, vet),
        "has_vet_view_permission": model_admin.has_view_permission(request),
    }
    return TemplateResponse(request, model_admin.template_names("schedule.html"), context)


def _week(request: HttpRequest) -> tuple[Week, str | None]:
    """The week asked for, or the current one (with the reason when `week` was not one)."""
    now = utcnow()
    raw = request.GET.get(WEEK_PARAM)
    if not raw:
        return week_of(now), None
    try:
        return parse_week(raw, today=now), None
    except ValueError as exc:
        return week_of(now), f"{exc} Showing the current week."


def _visits(appointments: ModelAdmin, day: ScheduleDay) -> list[Visit]:
    # Times in UTC whatever the active time zone, as every admin page writes them.
    return [
        Visit(
            a,
            object_url(appointments, a),
            f"{a.scheduled_at.astimezone(UTC):%H:%M}",
            humanize(a.status),
        )
        for a in day.appointments
    ]


def _add_url(request: HttpRequest, appointments: ModelAdmin, vet: Vet) -> str | None:
    """The add page with this vet chosen, for whoever may add appointments."""
    if not appointments.has_add_permission(request):
        return None
    try:
        return f"{model_url(appointments, 'add')}?vet={vet.id}"
    except NoReverseMatch:
        return None
