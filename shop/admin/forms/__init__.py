"""The admin's forms: sign-in and password (auth) and the generated add/change forms."""

from __future__ import annotations

from shop.admin.forms.auth import AdminAuthenticationForm, AdminPasswordChangeForm

__all__ = ["AdminAuthenticationForm", "AdminPasswordChangeForm"]
