"""System checks of `list_editable`: Django's admin.E120 to E125.

Only columns can be edited in a list: a many-to-one field would need a chooser per row
(a query each), so it is refused here with E125 and edited on the change page instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.checks import CheckMessage, Error

from shop.admin.forms.fields import form_sources

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def _error(admin: ModelAdmin, check_id: str, message: str) -> CheckMessage:
    return Error(message, obj=type(admin), id=f"admin.{check_id}")


def check_list_editable(admin: ModelAdmin) -> Iterator[CheckMessage]:
    names = admin.list_editable
    if not isinstance(names, (list, tuple)):
        yield _error(admin, "E120", "The value of 'list_editable' must be a list or tuple.")
        return
    if names and len(admin.mapper.primary_key) != 1:
        yield _error(
            admin, "E125", "'list_editable' needs a model with a single-column primary key."
        )
        return
    for index, name in enumerate(names):
        yield from _check_item(admin, name, f"list_editable[{index}]")


def _check_item(admin: ModelAdmin, name: str, label: str) -> Iterator[CheckMessage]:
    mapper = admin.mapper
    if name not in mapper.column_attrs and name not in mapper.relationships:
        yield _error(
            admin, "E121", f"The value of '{label}' refers to {name!r}, which is not a field "
            f"of {admin.model.__name__}.",
        )  # fmt: skip
    elif name not in admin.list_display:
        yield _error(
            admin, "E122", f"The value of '{label}' refers to {name!r}, which is not "
            "contained in 'list_display'.",
        )  # fmt: skip
    elif admin.list_display_links and name in admin.list_display_links:
        yield _error(
            admin, "E123", f"The value of {name!r} cannot be in both 'list_editable' and "
            "'list_display_links'.",
        )  # fmt: skip
    elif admin.list_display[0] == name and admin.list_display_links == ():
        yield _error(
            admin, "E124", f"The value of '{label}' refers to the first field in "
            f"'list_display' ({name!r}), which cannot be used unless 'list_display_links' "
            "is set.",
        )  # fmt: skip
    elif not _editable_column(admin, name):
        yield _error(
            admin, "E125", f"The value of '{label}' refers to {name!r}, which is not "
            "editable through the admin list (only columns are: keys, versions, "
            "timestamps and relationships are edited on the change page).",
        )  # fmt: skip


def _editable_column(admin: ModelAdmin, name: str) -> bool:
    source = form_sources(admin.mapper).get(name)
    return source is not None and source.relationship is None
