"""Form fields for the small many-to-many sets of staff management: groups, permissions.

Both sets are small (a few dozen groups, four permissions per registered model), so
they are plain checkboxes. A choice the signed-in staff member may not grant is shown
disabled, and whatever a POST says about it is ignored when saving (see grants.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.admin.sites import AdminSite
from shop.models.auth import ContentType, Group, Permission
from shop.registrations.accounts.grants import Grantor, permission_key

MATRIX_ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class Cell:
    permission_id: int
    key: str  # "social.view_user"


@dataclass(frozen=True)
class MatrixRow:
    """One registered model: its label and a cell per action (None: no such permission)."""

    app_name: str
    model_name: str
    cells: tuple[Cell | None, ...]


def permission_matrix(session: Session, site: AdminSite) -> list[MatrixRow]:
    """A row per registered model, sorted as the index sorts them (one query)."""
    statement = select(Permission.id, Permission.codename, ContentType.app_label, ContentType.model)
    statement = statement.join(ContentType, Permission.content_type_id == ContentType.id)
    ids = {(app, model, code): pk for pk, code, app, model in session.execute(statement)}
    rows = []
    for admin in site.model_admins():
        cells = []
        for action in MATRIX_ACTIONS:
            codename = admin.get_permission_codename(action)
            pk = ids.get((admin.app_label, admin.model_name, codename))
            cells.append(
                None if pk is None else Cell(pk, permission_key(admin.app_label, codename))
            )
        name = capfirst(admin.verbose_name_plural or admin.model_name)
        rows.append(MatrixRow(site.app_name(admin.app_label), name, tuple(cells)))
    return sorted(rows, key=lambda row: (row.app_name.lower(), row.model_name.lower()))


class PermissionMatrixWidget(forms.Widget):
    """A table: a row per model, a checkbox per view/add/change/delete permission."""

    template_name = "admin/auth/widgets/permission_matrix.html"
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.rows: list[MatrixRow] = []
        self.locked: frozenset[int] = frozenset()

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no box ticked is a value: none of these permissions

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        checked = {str(item) for item in value or ()}
        rows = [
            {
                "app_name": row.app_name,
                "model_name": row.model_name,
                "cells": [
                    self._cell(action, cell, checked, attrs)
                    for action, cell in zip(MATRIX_ACTIONS, row.cells, strict=True)
                ],
            }
            for row in self.rows
        ]
        context = {"name": name, "id": attrs.get("id", name), "actions": MATRIX_ACTIONS}
        return mark_safe(render_to_string(self.template_name, {**context, "rows": rows}))

    def _cell(
        self, action: str, cell: Cell | None, checked: set[str], attrs: dict[str, Any]
    ) -> dict[str, Any] | None:
        if cell is None:
            return None
        value = str(cell.permission_id)
        return {
            "value": value,
            "key": cell.key,
            "action": action,
            "checked": value in checked,
            "disabled": bool(attrs.get("disabled")) or cell.permission_id in self.locked,
        }


class PermissionMatrixField(forms.TypedMultipleChoiceField):
    widget = PermissionMatrixWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, required=False, **kwargs)

    def load(self, rows: list[MatrixRow], grantor: Grantor) -> None:
        """Offer the permissions of `rows`; lock those `grantor` may not grant."""
        cells = [cell for row in rows for cell in row.cells if cell is not None]
        self.choices = [(cell.permission_id, cell.key) for cell in cells]
        widget: PermissionMatrixWidget = self.widget  # type: ignore[assignment]
        widget.rows = rows
        widget.locked = frozenset(
            cell.permission_id for cell in cells if not grantor.may_grant([cell.key])
        )

    @property
    def editable_ids(self) -> set[int]:
        """The ids a POST may change: offered and not locked (none when disabled)."""
        if self.disabled:
            return set()
        widget: PermissionMatrixWidget = self.widget  # type: ignore[assignment]
        return {int(value) for value, _label in self.choices} - set(widget.locked)


class LockableCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes some of which are shown but cannot be ticked or unticked."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.locked: frozenset[int] = frozenset()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.locked:
            option["attrs"]["disabled"] = True
        return option


class GroupsField(forms.TypedMultipleChoiceField):
    widget = LockableCheckboxes

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, required=False, **kwargs)

    def load(self, session: Session, grantor: Grantor) -> None:
        """Offer every group; lock those whose permissions `grantor` does not all hold."""
        statement = select(Group).order_by(Group.name)
        if not grantor.is_superuser:
            statement = statement.options(
                selectinload(Group.permissions).joinedload(Permission.content_type)
            )
        groups = list(session.scalars(statement))
        self.choices = [(group.id, group.name) for group in groups]
        locked: set[int] = set()
        if not grantor.is_superuser:
            locked = {g.id for g in groups if not grantor.may_grant(_keys(g.permissions))}
        widget: LockableCheckboxes = self.widget  # type: ignore[assignment]
        widget.locked = frozenset(locked)

    @property
    def editable_ids(self) -> set[int]:
        if self.disabled:
            return set()
        widget: LockableCheckboxes = self.widget  # type: ignore[assignment]
        return {int(value) for value, _label in self.choices} - set(widget.locked)


def _keys(permissions: Iterable[Permission]) -> list[str]:
    return [permission_key(p.content_type.app_label, p.codename) for p in permissions]
