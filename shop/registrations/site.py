"""The project's one admin site; the domain modules beside this one register with it."""

from __future__ import annotations

from shop.admin import AdminSite
from shop.admin.audit import AuditLog
from shop.models import AuditDetail, AuditRecord

site = AdminSite(name="admin")
site.audit_log = AuditLog(record_model=AuditRecord, detail_model=AuditDetail)
