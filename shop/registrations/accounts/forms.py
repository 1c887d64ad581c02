"""The user and group forms: Django's fields and validators over the mapped auth tables."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.views.decorators.debug import sensitive_variables
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop.admin.forms.factory import AdminModelForm
from shop.models.auth import Group, Permission, User, auth_user
from shop.registrations.accounts.fields import GroupsField, PermissionMatrixField, permission_matrix
from shop.registrations.accounts.grants import NOBODY, AuditDetails, Grantor, replace_members

NAME_FIELDS = ("username", "first_name", "last_name", "email")
PASSWORD_CHANGED = ("password", None, "changed")  # the audit never holds a hash
PASSWORD_SET = ("password", None, "set")


@sensitive_variables("raw_password")
def set_password(session: Session, user: User, raw_password: str) -> str:
    """Store Django's hash of `raw_password` for `user` (an UPDATE in the open transaction)."""
    hashed = make_password(raw_password)
    session.execute(update(auth_user).where(auth_user.c.id == user.id).values(password=hashed))
    return hashed


def unsaved_django_user(**names: Any) -> Any:
    """An unsaved Django user with these names, for Django's password validators."""
    return get_user_model()(**{name: names.get(name) or "" for name in NAME_FIELDS})


def password_hash(session: Session, user: User) -> str:
    """The stored hash, read on its own: the mapping never loads it."""
    return session.scalar(select(auth_user.c.password).where(auth_user.c.id == user.id)) or ""


class _GrantingForm(AdminModelForm):
    """A form whose many-to-many choices follow what the signed-in staff member may grant."""

    grantor: ClassVar[Grantor] = NOBODY  # set per request by the ModelAdmin

    def _load_permissions(self, name: str, current: list[Permission]) -> None:
        field = self.fields.get(name)
        if isinstance(field, PermissionMatrixField):
            field.load(permission_matrix(self.session, self.model_admin.admin_site), self.grantor)
            self.initial.setdefault(name, [permission.id for permission in current])

    def _save_permissions(self, name: str, collection: list[Permission]) -> AuditDetails:
        field = self.fields.get(name)
        if not isinstance(field, PermissionMatrixField) or not field.editable_ids:
            return []
        keys = dict(field.choices)
        return replace_members(
            collection,
            chosen=set(self.cleaned_data.get(name) or ()),
            editable=field.editable_ids,
            load=self._load(Permission),
            field=name,
            label=lambda permission: str(keys.get(permission.id, permission.codename)),
        )

    def _load(self, model: type) -> Any:
        def load(ids: set[int]) -> list[Any]:
            if not ids:
                return []
            return list(self.session.scalars(select(model).where(model.id.in_(ids))))  # type: ignore[attr-defined]

        return load


class UserForm(_GrantingForm):
    """The change page of an account (its password has a page of its own)."""

    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.EmailField(max_length=254, required=False, label="Email address")
    groups = GroupsField(
        label="Groups",
        help_text="The groups this user belongs to. A user will get all permissions granted "
        "to each of their groups.",
    )
    user_permissions = PermissionMatrixField(
        label="User permissions", help_text="Specific permissions for this user."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "username" in self.fields:
            self.fields["username"].validators.append(UnicodeUsernameValidator())
        account: User | None = self.instance
        groups = self.fields.get("groups")
        if isinstance(groups, GroupsField):
            groups.load(self.session, self.grantor)
            self.initial.setdefault("groups", [g.id for g in account.groups] if account else [])
        self._load_permissions("user_permissions", account.user_permissions if account else [])

    def save_related(self, user: User) -> AuditDetails:
        """Group memberships and direct permissions, as the form left them."""
        details = self._save_permissions("user_permissions", user.user_permissions)
        field = self.fields.get("groups")
        if isinstance(field, GroupsField) and field.editable_ids:
            details += replace_members(
                user.groups,
                chosen=set(self.cleaned_data.get("groups") or ()),
                editable=field.editable_ids,
                load=self._load(Group),
                field="groups",
                label=str,
            )
        return details


class UserAddForm(SetPasswordMixin, UserForm):
    """The add page: the account's fields plus a password, typed twice."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.validate_passwords()
        # Django's validators compare the password with the account's own names.
        names = {name: cleaned.get(name) for name in NAME_FIELDS}
        self.validate_password_for_user(unsaved_django_user(**names))
        return cleaned

    def save_related(self, user: User) -> AuditDetails:
        set_password(self.session, user, self.cleaned_data["password1"])
        return [PASSWORD_SET, *super().save_related(user)]


class GroupForm(_GrantingForm):
    permissions = PermissionMatrixField(label="Permissions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group: Group | None = self.instance
        self._load_permissions("permissions", group.permissions if group else [])

    def save_related(self, group: Group) -> AuditDetails:
        return self._save_permissions("permissions", group.permissions)


class AdminPasswordForm(SetPasswordMixin, forms.Form):
    """Set an account's password: typed twice, checked by Django's validators."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.validate_passwords()
        names = {name: getattr(self.user, name) for name in NAME_FIELDS}
        self.validate_password_for_user(unsaved_django_user(**names))
        return cleaned
