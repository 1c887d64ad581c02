"""The pet clinic: owners, pets, vets and appointments."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.admin.inlines import StackedInline, TabularInline
from shop.models import Appointment, Owner, Pet, Vet
from shop.registrations.actions import cancel_appointments
from shop.registrations.site import site


class PetInline(TabularInline):
    """An owner's pets (they go with the owner)."""

    model = Pet
    fields = ("name", "species", "birth_date")
    extra = 1
    show_change_link = True


class AppointmentInline(StackedInline):
    """A pet's appointments, latest first."""

    model = Appointment
    fields = ("scheduled_at", "vet", "status", "notes")
    ordering = ("-scheduled_at",)
    extra = 1
    show_change_link = True


@register(Owner, site=site)
class OwnerAdmin(ModelAdmin):
    list_display = ("name", "email", "phone")
    # pets__name crosses a to-many relationship: searched with EXISTS, never duplicated.
    search_fields = ("name", "email", "phone", "pets__name")
    ordering = ("name",)
    inlines = (PetInline,)


@register(Pet, site=site)
class PetAdmin(ModelAdmin):
    list_display = ("name", "species", "owner__name", "birth_date")
    list_filter = ("species", "birth_date", "owner")
    search_fields = ("name", "^owner__name", "owner__email")
    ordering = ("name",)
    autocomplete_fields = ("owner",)
    inlines = (AppointmentInline,)


@register(Vet, site=site)
class VetAdmin(ModelAdmin):
    list_display = ("name", "specialty")
    list_filter = ("specialty",)
    search_fields = ("name", "specialty")
    ordering = ("name",)


@register(Appointment, site=site)
class AppointmentAdmin(ModelAdmin):
    list_display = ("scheduled_at", "pet__name", "pet__owner__name", "vet__name", "status")
    actions = (cancel_appointments,)
    list_filter = ("status", "vet", "scheduled_at")
    search_fields = ("pet__name", "^vet__name", "pet__owner__name", "notes")
    ordering = ("-scheduled_at",)
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ("pet",)
