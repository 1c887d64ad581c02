"""The pet clinic: owners, pets, vets and appointments."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Appointment, Owner, Pet, Vet
from shop.registrations.site import site


@register(Owner, site=site)
class OwnerAdmin(ModelAdmin):
    list_display = ("name", "email", "phone")
    # pets__name crosses a to-many relationship: searched with EXISTS, never duplicated.
    search_fields = ("name", "email", "phone", "pets__name")
    ordering = ("name",)


@register(Pet, site=site)
class PetAdmin(ModelAdmin):
    list_display = ("name", "species", "owner__name", "birth_date")
    list_filter = ("species", "birth_date")
    search_fields = ("name", "^owner__name", "owner__email")
    ordering = ("name",)


@register(Vet, site=site)
class VetAdmin(ModelAdmin):
    list_display = ("name", "specialty")
    list_filter = ("specialty",)
    search_fields = ("name", "specialty")
    ordering = ("name",)


@register(Appointment, site=site)
class AppointmentAdmin(ModelAdmin):
    list_display = ("scheduled_at", "pet__name", "pet__owner__name", "vet__name", "status")
    list_filter = ("status", "vet", "scheduled_at")
    search_fields = ("pet__name", "^vet__name", "pet__owner__name", "notes")
    ordering = ("-scheduled_at",)
    date_hierarchy = "scheduled_at"
