"""The generic admin engine: Django admin's shape over SQLAlchemy mappings.

It knows nothing of the domain: `shop.registrations` registers the mapped classes.
"""

from __future__ import annotations

from shop.admin.decorators import action, register
from shop.admin.options import ModelAdmin
from shop.admin.sites import AdminSite, AlreadyRegistered, NotRegistered

__all__ = ["AdminSite", "AlreadyRegistered", "ModelAdmin", "NotRegistered", "action", "register"]
