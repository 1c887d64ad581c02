"""Which actions a ModelAdmin offers, and to whom: Django admin's rules.

The site-wide actions (delete_selected) come first, then the ModelAdmin's `actions`
(names of its methods, or callables). An action decorated with
`@action(permissions=[...])` is offered only if one of the ModelAdmin's
`has_<permission>_permission(request)` methods says yes; `actions = None` turns them all off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.text import capfirst

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

ActionFunction = Callable[..., Any]
Action = tuple[ActionFunction, str, str]  # (function, name, description), as in Django

ACTION_CHECKBOX_NAME = "_selected_action"
SELECT_ACROSS = "select_across"
ACTION_INDEX = "index"
ACTION_NAME = "action"
CONFIRM = "post"  # Django's delete confirmation field; "yes" applies a confirmed action
SEEN_VERSION = "_action_version"  # "<pk>:<version>" of each row the user saw
BLANK_CHOICE = ("", "---------")


class ActionFailed(Exception):
    """An action was refused or rolled back; the message says why, and nothing was saved."""


def site_actions() -> dict[str, ActionFunction]:
    """Actions every ModelAdmin offers unless it opts out (Django's AdminSite actions)."""
    from shop.admin.actions.delete import delete_selected

    return {"delete_selected": delete_selected}


def describe(model_admin: ModelAdmin, function: ActionFunction, name: str) -> str:
    """The action's label, with `%(verbose_name_plural)s` filled in as Django does."""
    text = str(getattr(function, "short_description", capfirst(name.replace("_", " "))))
    names = {
        "verbose_name": model_admin.verbose_name,
        "verbose_name_plural": model_admin.verbose_name_plural,
    }
    try:
        return text % names
    except (KeyError, TypeError, ValueError):
        return text  # a literal "%" in a description is not a format


def resolve_action(model_admin: ModelAdmin, entry: Any) -> Action | None:
    """One entry of `actions`: a callable, a ModelAdmin method name, or a site action name."""
    if callable(entry):
        function, name = entry, entry.__name__
    elif isinstance(entry, str) and not entry.startswith("_") and hasattr(type(model_admin), entry):
        # The plain function, so that methods and functions are called alike.
        function, name = getattr(type(model_admin), entry), entry
    elif isinstance(entry, str) and entry in site_actions():
        function, name = site_actions()[entry], entry
    else:
        return None
    return function, name, describe(model_admin, function, name)


def base_actions(model_admin: ModelAdmin) -> list[Action]:
    """Every declared action, before any permission check; site actions first."""
    own = [resolve_action(model_admin, entry) for entry in model_admin.actions or ()]
    declared = [found for found in own if found is not None]
    names = {name for _function, name, _description in declared}
    shared = [
        (function, name, describe(model_admin, function, name))
        for name, function in site_actions().items()
        if name not in names
    ]
    return [*shared, *declared]


def allowed(model_admin: ModelAdmin, request: HttpRequest, function: ActionFunction) -> bool:
    """Django's rule: no `allowed_permissions` = everyone; else any one of them."""
    permissions = getattr(function, "allowed_permissions", None)
    if permissions is None:
        return True
    checks = (getattr(model_admin, f"has_{name}_permission", None) for name in permissions)
    return any(check is not None and check(request) for check in checks)


def get_actions(model_admin: ModelAdmin, request: HttpRequest) -> dict[str, Action]:
    """name -> (function, name, description) of the actions this user may run."""
    if model_admin.actions is None:
        return {}
    return {
        name: (function, name, description)
        for function, name, description in base_actions(model_admin)
        if allowed(model_admin, request, function)
    }


def action_choices(actions: dict[str, Action]) -> list[tuple[str, str]]:
    """The options of the action select, blank first."""
    return [BLANK_CHOICE, *((name, description) for _f, name, description in actions.values())]
