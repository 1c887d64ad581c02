"""The pet clinic: owners, pets, vets and appointments."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Appointment, Owner, Pet, Vet
from shop.registrations.site import site


@register(Owner, site=site)
class OwnerAdmin(ModelAdmin):
    pass


@register(Pet, site=site)
class PetAdmin(ModelAdmin):
    pass


@register(Vet, site=site)
class VetAdmin(ModelAdmin):
    pass


@register(Appointment, site=site)
class AppointmentAdmin(ModelAdmin):
    pass
