"""The audit trail. AuditDetail is not registered: it is shown inside its record."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import AuditRecord
from shop.registrations.site import site


@register(AuditRecord, site=site)
class AuditRecordAdmin(ModelAdmin):
    pass
