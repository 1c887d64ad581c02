"""System checks for a ModelAdmin's inlines, with Django admin's check ids.

A wrong `fk_name`, an unknown field or a negative `extra` is reported by
`manage.py check`, not by the first request that opens the parent's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.checks import CheckMessage
from django.core.checks import Error as DjangoError
from django.core.exceptions import ImproperlyConfigured

from shop.admin.inlines.options import InlineModelAdmin

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def check_inlines(admin: ModelAdmin) -> list[CheckMessage]:
    """Every problem in `admin.inlines` (each inline is checked as a ModelAdmin too)."""
    errors: list[CheckMessage] = []
    for index, inline_class in enumerate(admin.inlines):
        errors += _check_inline(admin, index, inline_class)
    return errors


def _error(obj: Any, check_id: str, message: str) -> CheckMessage:
    return DjangoError(message, obj=obj, id=f"admin.{check_id}")


def _check_inline(admin: ModelAdmin, index: int, inline_class: Any) -> list[CheckMessage]:
    from shop.admin.checks import check_model_admin

    if not (isinstance(inline_class, type) and issubclass(inline_class, InlineModelAdmin)):
        message = f"The value of 'inlines[{index}]' must inherit from 'InlineModelAdmin'."
        return [_error(type(admin), "E104", message)]
    if not isinstance(getattr(inline_class, "model", None), type):
        return [_error(inline_class, "E105", f"'{inline_class.__name__}' must have a 'model'.")]
    try:
        inline = inline_class(admin.model, admin.admin_site)
    except ImproperlyConfigured as exc:
        return [_error(inline_class, "E202", str(exc))]
    # Its fields, readonly_fields and ordering follow the ModelAdmin rules.
    errors = list(check_model_admin(inline))
    errors += _numbers(inline)
    errors += _existing_readonly(inline)
    return errors


def _numbers(inline: InlineModelAdmin) -> list[CheckMessage]:
    errors = []
    for check_id, name in (("E203", "extra"), ("E204", "max_num"), ("E205", "min_num")):
        value = getattr(inline, name)
        optional = name != "extra"
        if (value is None and optional) or (isinstance(value, int) and value >= 0):
            continue
        errors.append(_error(type(inline), check_id, f"The value of '{name}' must be an integer."))
    if not isinstance(inline.max_shown, int) or inline.max_shown < 1:
        message = "The value of 'max_shown' must be a positive integer."
        errors.append(_error(type(inline), "E206", message))
    return errors


def _existing_readonly(inline: InlineModelAdmin) -> list[CheckMessage]:
    shown = set(inline.fields or ()) | set(inline.readonly_fields)
    return [
        _error(
            type(inline),
            "E035",
            f"The value of 'existing_readonly_fields' refers to {name!r}, which is not "
            "one of the inline's fields.",
        )
        for name in inline.existing_readonly_fields
        if inline.fields is not None and name not in shown
    ]
