"""Staff accounts and groups (Django's auth tables), managed from the admin itself.

Registered under Django's app label and URLs (`/admin/auth/user/`, `/admin/auth/group/`)
and checked against Django's own permissions (`auth.change_user`, ...). Each save goes
through the request's session: the account, its memberships and permissions, and the
audit record commit together. See grants.py for what non-superusers may hand out.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from sqlalchemy import inspect as sa_inspect

from shop.admin import ModelAdmin, register
from shop.models.auth import UNUSABLE_PASSWORD_PREFIX, Group, User
from shop.registrations.accounts.forms import GroupForm, UserAddForm, UserForm, password_hash
from shop.registrations.accounts.grants import AuditDetails, Grantor, outranks
from shop.registrations.accounts.password import user_change_password_view
from shop.registrations.site import site

APP_LABEL = "auth"
site.app_names[APP_LABEL] = "Authentication and authorization"

PERMISSION_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


class _GrantingAdmin(ModelAdmin):
    """Forms that know what the signed-in staff member may grant; saves their choices."""

    def get_form_base(self, request: HttpRequest, obj: Any = None) -> type[Any] | None:
        base = super().get_form_base(request, obj)
        if base is None:
            return None
        return type(base.__name__, (base,), {"grantor": Grantor.of(request)})

    def save_related(self, request: HttpRequest, form: Any, obj: Any, change: bool) -> AuditDetails:
        return form.save_related(obj)  # type: ignore[no-any-return]


@register(User, site=site, app_label=APP_LABEL)
class UserAdmin(_GrantingAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("^username", "first_name", "last_name", "email")
    ordering = ("username",)
    form = UserForm
    add_form = UserAddForm
    readonly_fields = ("password", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Permissions", {"fields": PERMISSION_FIELDS}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Permissions", {"fields": PERMISSION_FIELDS}),
    )

    def get_form_base(self, request: HttpRequest, obj: Any = None) -> type[Any] | None:
        if obj is None:
            return type(UserAddForm.__name__, (UserAddForm,), {"grantor": Grantor.of(request)})
        return super().get_form_base(request, obj)

    def get_fieldsets(
        self, request: HttpRequest, obj: Any = None
    ) -> tuple[tuple[str | None, dict[str, Any]], ...]:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(self.readonly_fields)
        # Only a superuser makes superusers.
        return readonly if request.user.is_superuser else (*readonly, "is_superuser")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not outranks(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not outranks(request, obj))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            # delete_selected checks the model permission, not each account's rank.
            actions.pop("delete_selected", None)
        return actions

    def get_urls(self) -> list[URLPattern]:
        # Before the model's own URLs: "<id>/" alone would take "<id>/password/".
        password_url = path(
            "<path:object_id>/password/",
            self._wrap(user_change_password_view),
            name=f"{self.url_prefix}_password_change",
        )
        return [password_url, *super().get_urls()]

    def password(self, obj: User) -> str:
        """What Django shows instead of the hash: the algorithm, and where to change it."""
        hashed = password_hash(sa_inspect(obj).session, obj)  # type: ignore[arg-type]
        if not hashed or hashed.startswith(UNUSABLE_PASSWORD_PREFIX):
            summary = "No password set."
        else:
            try:
                summary = f"Algorithm: {identify_hasher(hashed).algorithm}."
            except ValueError:
                summary = "Invalid password format or unknown hashing algorithm."
        url = reverse(
            f"admin:{self.url_prefix}_password_change", args=[obj.id], current_app=site.name
        )
        return format_html(
            "{} Raw passwords are not stored, so there is no way to see this user’s password. "
            '<a href="{}" class="password-change-link">Change the password</a>.',
            summary,
            url,
        )

    password.short_description = "Password"  # type: ignore[attr-defined]


@register(Group, site=site, app_label=APP_LABEL)
class GroupAdmin(_GrantingAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    ordering = ("name",)
    form = GroupForm
    fields = ("name", "permissions")
