"""The audit trail. AuditDetail is not registered: it is shown inside its record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shop.admin import ModelAdmin, register
from shop.models import AuditRecord
from shop.registrations.site import site


@register(AuditRecord, site=site)
class AuditRecordAdmin(ModelAdmin):
    """The audit log: browsable and filterable like any model, and read-only for everyone."""

    list_display = ("created_at", "actor", "action", "entity", "entity_id", "entity_repr")
    list_filter = ("action", "entity", "created_at")
    search_fields = ("^actor", "entity_repr", "=entity_id")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
