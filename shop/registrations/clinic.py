"""The pet clinic: owners, pets, vets and appointments.

Counts in the lists are correlated subqueries labeled in get_query (Django's annotate()):
one query per page, sortable. A pet changes owner through "Transfer to another owner …"
(shop.registrations.pet_transfer), an appointment's visit ends through its status actions
(shop.registrations.clinic_actions); both run the clinic's workflows (shop.services.clinic).
Every form that books an appointment - its own page and the pet's inline - refuses a time
in the past and a vet's slot that is already taken, in the same words before the save and
when the database's UNIQUE(vet_id, scheduled_at) refuses a concurrent booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.html import format_html
from sqlalchemy import inspect, select

from shop.admin import ModelAdmin, register
from shop.admin.actions.base import Action
from shop.admin.annotations import count_of
from shop.admin.forms.factory import AdminModelForm
from shop.admin.forms.unique import unique_message
from shop.admin.inlines import StackedInline, TabularInline
from shop.admin.urls import object_url
from shop.models import Appointment, Owner, Pet, Vet
from shop.models.types import utcnow
from shop.registrations.clinic_actions import (
    CLOSING_ACTION_NAMES,
    cancel_appointments,
    complete_appointments,
    no_show_appointments,
    offered_on,
)
from shop.registrations.pet_transfer import transfer_pets
from shop.registrations.site import site
from shop.registrations.vet_schedule import vet_schedule_view
from shop.registrations.workflows import end_read_before_first_write
from shop.services.clinic import booked_slot, double_booked, time_problem

PET_COUNT = count_of(Pet, Pet.owner_id == Owner.id, label="pet_count")
APPOINTMENT_COUNT = count_of(Appointment, Appointment.vet_id == Vet.id, label="appointment_count")
SLOT_COLUMNS = ["vet_id", "scheduled_at"]  # UNIQUE(vet_id, scheduled_at)


class AppointmentForm(AdminModelForm):
    """A booking: never in the past when new or moved, never a slot the vet already has.

    The slot check is the engine's unique check (before the save) and its reading of the
    database's refusal (a concurrent booking that won): both add the engine's generic
    "Appointment with this Vet and Scheduled at already exists.", which add_error puts
    in the clinic's words, on the time, whichever of the two found it.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the engine's unique check: a taken slot
        when = self._value("scheduled_at")
        if when is not None and "scheduled_at" not in self.errors:
            moved = "scheduled_at" in self.changed_data
            problem = time_problem(when, new=self._is_new(), moved=moved, now=utcnow())
            if problem is not None:
                self.add_error(self._target("scheduled_at"), problem)
        return cleaned

    def add_error(self, field: str | None, error: Any) -> None:
        if isinstance(error, str) and error == unique_message(self.model_admin, SLOT_COLUMNS, self):
            field, error = self._target("scheduled_at"), self._slot_taken()
            if error in self.errors.get(field or NON_FIELD_ERRORS, []):
                return
        super().add_error(field, error)

    def _slot_taken(self) -> str:
        vet_id, when = self._value("vet"), self._value("scheduled_at")
        if vet_id is None or when is None:
            return unique_message(self.model_admin, SLOT_COLUMNS, self)
        vet = self.session.get(Vet, vet_id)
        holder = booked_slot(self.session, vet_id, when)
        return double_booked(vet if vet is not None else "This vet", when, holder)

    def _value(self, name: str) -> Any:
        """The value the form sets, else the appointment's own (`vet` as its id)."""
        if name in self.fields and not self.fields[name].disabled:
            return self.cleaned_data.get(name)
        attribute = "vet_id" if name == "vet" else name
        return getattr(self.instance, attribute, None) if self.instance is not None else None

    def _target(self, name: str) -> str | None:
        editable = name in self.fields and not self.fields[name].disabled
        return name if editable else None

    def _is_new(self) -> bool:
        return self.instance is None or inspect(self.instance).key is None


class PetInline(TabularInline):
    """An owner's pets (they go with the owner)."""

    model = Pet
    fields = ("name", "species", "birth_date")
    extra = 1
    show_change_link = True


class AppointmentInline(StackedInline):
    """A pet's appointments, latest first; a visit is closed from the appointment's page."""

    model = Appointment
    form = AppointmentForm
    fields = ("scheduled_at", "vet", "status", "notes")
    readonly_fields = ("status",)
    # A clinic's vets outgrow a select: searched, never loaded for each pet's page.
    autocomplete_fields = ("vet",)
    ordering = ("-scheduled_at",)
    extra = 1
    show_change_link = True


@register(Owner, site=site)
class OwnerAdmin(ModelAdmin):
    list_display = ("name", "email", "phone", "pet_count")
    # pets__name crosses a to-many relationship: searched with EXISTS, never duplicated.
    search_fields = ("name", "email", "phone", "pets__name")
    ordering = ("name",)
    inlines = (PetInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Owner, PET_COUNT)


@register(Pet, site=site)
class PetAdmin(ModelAdmin):
    list_display = ("name", "species", "owner__name", "birth_date")
    list_filter = ("species", "birth_date", "owner")
    search_fields = ("name", "^owner__name", "owner__email")
    ordering = ("name",)
    autocomplete_fields = ("owner",)
    inlines = (AppointmentInline,)
    actions = (transfer_pets,)


@register(Vet, site=site)
class VetAdmin(ModelAdmin):
    list_display = ("name", "specialty", "appointment_count")
    list_filter = ("specialty",)
    search_fields = ("name", "specialty")
    ordering = ("name",)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Vet, APPOINTMENT_COUNT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))
        appointments = self.admin_site.get_model_admin(Appointment)
        if obj is None or not appointments.has_view_permission(request):
            return fields
        return (*fields, "schedule")

    def schedule(self, vet: Vet) -> str:
        """The link to the vet's week (no query: the page itself loads the week)."""
        if inspect(vet).key is None:
            return "-"
        url = object_url(self, vet, "schedule")
        return format_html('<a href="{}">Open the weekly schedule</a>', url)

    schedule.short_description = "Schedule"  # type: ignore[attr-defined]

    def get_urls(self) -> list[URLPattern]:
        """The weekly schedule beside the vet's change page."""
        return [
            path(
                "<path:object_id>/schedule/",
                self._wrap(vet_schedule_view),
                name=f"{self.url_prefix}_schedule",
            ),
            *super().get_urls(),
        ]


@register(Appointment, site=site)
class AppointmentAdmin(ModelAdmin):
    list_display = ("scheduled_at", "pet__name", "pet__owner__name", "vet__name", "status")
    actions = (complete_appointments, cancel_appointments, no_show_appointments)
    list_filter = ("status", "vet", "pet__species", "scheduled_at")
    search_fields = ("pet__name", "^vet__name", "pet__owner__name", "notes")
    ordering = ("-scheduled_at",)
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ("pet",)
    form = AppointmentForm
    # A new appointment is scheduled; it moves on only through the status actions.
    fields = ("pet", "vet", "scheduled_at", "status", "notes")
    readonly_fields = ("status",)

    def get_object_actions(self, request: HttpRequest, obj: Any) -> dict[str, Action]:
        """The closing actions only while the appointment is scheduled."""
        actions = super().get_object_actions(request, obj)
        if offered_on(obj):
            return actions
        return {name: found for name, found in actions.items() if name not in CLOSING_ACTION_NAMES}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            # SQLite: the form's checks read; the booking's INSERT then starts a fresh
            # transaction, so that a concurrent booking of the slot that committed first
            # is refused by UNIQUE (the clear message), not as a stale snapshot.
            end_read_before_first_write(request.db)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
