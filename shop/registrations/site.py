"""The project's one admin site; the domain modules beside this one register with it."""

from __future__ import annotations

from shop.admin import AdminSite

site = AdminSite(name="admin")
