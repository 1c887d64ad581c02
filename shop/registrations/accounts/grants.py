"""Who may hand out what: the rules that keep staff management from raising privileges.

A superuser may grant anything. Any other staff member may grant or revoke only the
permissions they hold themselves (directly or through a group), may add or remove
only groups whose permissions they all hold, and cannot change or delete an account
that holds more than they do (a superuser's, for one). Django admin has none of these
limits: there, whoever may change users may make themselves a superuser's equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from shop.models.auth import (
    ContentType,
    Permission,
    User,
    group_permissions,
    user_groups,
    user_permissions,
)

AuditDetails = list[tuple[str, str | None, str | None]]


@dataclass(frozen=True)
class Grantor:
    """The signed-in staff member, as far as granting goes."""

    is_superuser: bool
    held: frozenset[str]  # "app_label.codename", as Django's has_perm() takes them

    @classmethod
    def of(cls, request: HttpRequest) -> Grantor:
        user = request.user
        if user.is_active and user.is_superuser:
            return cls(is_superuser=True, held=frozenset())
        return cls(is_superuser=False, held=frozenset(user.get_all_permissions()))

    def may_grant(self, keys: Iterable[str]) -> bool:
        return self.is_superuser or set(keys) <= self.held


NOBODY = Grantor(is_superuser=False, held=frozenset())


def permission_key(app_label: str, codename: str) -> str:
    return f"{app_label}.{codename}"


def account_permission_keys(session: Session, user_id: int) -> set[str]:
    """Every permission an account holds, directly or through its groups (one query)."""
    direct = (
        select(ContentType.app_label, Permission.codename)
        .join(Permission, Permission.content_type_id == ContentType.id)
        .join(user_permissions, user_permissions.c.permission_id == Permission.id)
        .where(user_permissions.c.user_id == user_id)
    )
    via_groups = (
        select(ContentType.app_label, Permission.codename)
        .join(Permission, Permission.content_type_id == ContentType.id)
        .join(group_permissions, group_permissions.c.permission_id == Permission.id)
        .join(user_groups, user_groups.c.group_id == group_permissions.c.group_id)
        .where(user_groups.c.user_id == user_id)
    )
    rows = session.execute(union(direct, via_groups))
    return {permission_key(app_label, codename) for app_label, codename in rows}


def outranks(request: HttpRequest, account: User) -> bool:
    """Does `account` hold something the signed-in staff member could not grant?"""
    grantor = Grantor.of(request)
    if grantor.is_superuser:
        return False
    if account.is_superuser:
        return True
    session: Session = request.db  # type: ignore[attr-defined]
    return not grantor.may_grant(account_permission_keys(session, account.id))


def replace_members(
    collection: list[Any],
    *,
    chosen: set[int],
    editable: set[int],
    load: Callable[[set[int]], list[Any]],
    field: str,
    label: Callable[[Any], str],
) -> AuditDetails:
    """Make `collection` hold `chosen` among the `editable` ids; keep every other member.

    Members the form did not offer (locked or not shown) are never dropped. Returns one
    audit detail per member added or removed.
    """
    current = {member.id for member in collection}
    wanted = (current - editable) | (chosen & editable)
    removed = [member for member in collection if member.id not in wanted]
    added = load(wanted - current)
    for member in removed:
        collection.remove(member)
    collection.extend(added)
    return [(field, label(member), None) for member in removed] + [
        (field, None, label(member)) for member in added
    ]
