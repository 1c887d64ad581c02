"""The form classes of an inline's rows, and what the user may do with them.

Rows that exist and new rows get separate form classes: an existing row may be
read-only (no change permission, or `existing_readonly_fields`) while new rows are not.
Both are built by the change form's own factory, so many-to-one fields are the same
bounded choosers as on the main form; their choices are loaded once per inline, not once
per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest
from sqlalchemy.orm import Session

from shop.admin.forms.factory import (
    VERSION_FIELD,
    FormLayout,
    bind_related_fields,
    build_layout,
    flatten_fieldsets,
)
from shop.admin.forms.related import RelatedField

if TYPE_CHECKING:
    from shop.admin.inlines.options import InlineModelAdmin


@dataclass(frozen=True)
class RowRights:
    """What the user may do with an inline's rows on this page."""

    add: bool
    change: bool
    delete: bool

    @classmethod
    def for_page(
        cls, request: HttpRequest, inline: InlineModelAdmin, parent: Any, *, editable: bool
    ) -> RowRights:
        """The child model's permissions; nothing at all on a read-only page."""
        if not editable:
            return cls(add=False, change=False, delete=False)
        return cls(
            add=inline.has_add_permission(request, parent),
            change=parent is not None and inline.has_change_permission(request, parent),
            delete=inline.can_delete and inline.has_delete_permission(request, parent),
        )


@dataclass(frozen=True)
class RowLayouts:
    """Form classes for existing and new rows, and the columns both show, in order."""

    existing: FormLayout
    new: FormLayout
    columns: list[str]


def row_layouts(
    request: HttpRequest, inline: InlineModelAdmin, parent: Any, *, can_change: bool
) -> RowLayouts:
    new = build_layout(request, inline, parent, editable=True)
    existing = build_layout(
        request,
        inline,
        parent,
        editable=can_change,
        extra_readonly=inline.get_existing_readonly_fields(request, parent),
    )
    # A versioned child's rows carry the version the user saw even when read-only:
    # deleting a row that someone else changed meanwhile is a conflict too. A new row
    # has no version yet (a posted one is ignored).
    if inline.mapper.version_id_col is not None and parent is not None:
        existing.form_class.base_fields.setdefault(
            VERSION_FIELD, forms.CharField(widget=forms.HiddenInput, required=False)
        )
    new.form_class.base_fields.pop(VERSION_FIELD, None)
    return RowLayouts(existing, new, flatten_fieldsets(new.fieldsets))


def bind_once(layouts: RowLayouts, session: Session) -> None:
    """Load each many-to-one field's choices once; every row's copy shares them.

    Existing and new rows share the bound field where both edit it (one query, not two).
    """
    new, existing = layouts.new.form_class, layouts.existing.form_class
    bind_related_fields(new.base_fields, session, new)
    shared = {
        name: field for name, field in new.base_fields.items() if name in existing.base_fields
    }
    existing.base_fields.update(
        {name: field for name, field in shared.items() if isinstance(field, RelatedField)}
    )
    unbound = {name: f for name, f in existing.base_fields.items() if name not in shared}
    bind_related_fields(unbound, session, existing)
    new.related_bound = existing.related_bound = True


def row_field_names(layouts: RowLayouts) -> list[str]:
    """Every name a row shows (editable or read-only), to eager-load its relationships."""
    return list(dict.fromkeys([*layouts.columns, *layouts.existing.readonly]))
