"""System checks of `actions` (Django's admin.E129 and E130, and what Django lets slip)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.checks import CheckMessage, Error

from shop.admin.actions.base import base_actions, resolve_action

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def _error(admin: ModelAdmin, check_id: str, message: str) -> CheckMessage:
    return Error(message, obj=type(admin), id=f"admin.{check_id}")


def check_actions(admin: ModelAdmin) -> Iterator[CheckMessage]:
    if admin.actions is None:
        return
    yield from _unknown_entries(admin)
    actions = base_actions(admin)
    for function, name, _description in actions:
        yield from _permissions_and_form(admin, function, name)
    for name, count in Counter(name for _f, name, _d in actions).items():
        if count > 1:
            yield _error(
                admin, "E130", f"__name__ attributes of actions defined in "
                f"{type(admin).__name__} must be unique. Name {name!r} is not unique.",
            )  # fmt: skip


def _unknown_entries(admin: ModelAdmin) -> Iterator[CheckMessage]:
    for index, entry in enumerate(admin.actions or ()):
        if resolve_action(admin, entry) is None:
            yield _error(
                admin, "E402", f"The value of 'actions[{index}]' refers to {entry!r}, which is "
                f"neither a callable nor a method of {type(admin).__name__}.",
            )  # fmt: skip


def _permissions_and_form(admin: ModelAdmin, function: Any, name: str) -> Iterator[CheckMessage]:
    for permission in getattr(function, "allowed_permissions", ()):
        method = f"has_{permission}_permission"
        if not hasattr(admin, method):
            yield _error(
                admin, "E129", f"{type(admin).__name__} must define a {method}() method "
                f"for the {name} action.",
            )  # fmt: skip
    form_class = getattr(function, "form_class", None)
    if form_class is not None and not (
        isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)
    ):
        yield _error(admin, "E403", f"The form of the {name} action must be a Django form class.")
