"""Running an action from a POST: Django's ModelAdmin.response_action, over a Selection.

The POST names the action (`action`, the bar picked by `index`), the rows
(`_selected_action`, or `select_across` for every row of the list) and, for versioned
models, the version of each row the user saw. An action the user may not run is not
one of the choices, so a forged POST of it gets "No action selected." and changes
nothing; malformed ids are a 400. A refusal (a stale row, a broken rule) rolls the
whole action back and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.actions.base import (
    ACTION_INDEX,
    ACTION_NAME,
    CONFIRM,
    Action,
    ActionFailed,
)
from shop.admin.actions.forms import build_form
from shop.admin.actions.pages import render_parameters
from shop.admin.actions.selection import Key, Selection, selection_from_post
from shop.admin.forms.save import is_write_conflict

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

logger = logging.getLogger(__name__)

NO_SELECTION = (
    "Items must be selected in order to perform actions on them. No items have been changed."
)
NO_ACTION = "No action selected."
REFUSED = (
    "The database refused the action: a row was changed by someone else or a rule was "
    "broken. Nothing was changed."
)
MAX_INDEX_DIGITS = 3


def is_action_post(request: HttpRequest) -> bool:
    """An action's POST (the bar's Go, or an intermediate page), not a list_editable save."""
    post = request.POST
    return (
        request.method == "POST"
        and "_save" not in post
        and (ACTION_INDEX in post or ACTION_NAME in post)
    )


def chosen_action(request: HttpRequest) -> str:
    """The action of the bar whose Go was pressed: Django's `action[index]` (index 0 if bad)."""
    names = request.POST.getlist(ACTION_NAME)
    raw = request.POST.get(ACTION_INDEX, "0")
    index = int(raw) if raw.isdigit() and len(raw) <= MAX_INDEX_DIGITS else 0
    return names[index] if index < len(names) else ""


def response_action(
    request: HttpRequest,
    model_admin: ModelAdmin,
    scope: Select[Any],
    *,
    actions: dict[str, Action],
    back_url: str,
    single: Key | None = None,
) -> HttpResponse:
    """Run the posted action on the posted selection within `scope`; its response or a redirect."""
    selection = selection_from_post(request, model_admin, scope, back_url=back_url, single=single)
    if selection.empty:
        messages.warning(request, NO_SELECTION)
        return HttpResponseRedirect(back_url)
    name = chosen_action(request)
    if name not in actions:
        messages.warning(request, NO_ACTION)
        return HttpResponseRedirect(back_url)
    function, name, description = actions[name]
    selection.action = name
    arguments: list[Any] = []
    form_class = getattr(function, "form_class", None)
    if form_class is not None:
        confirmed = request.POST.get(CONFIRM) == "yes"
        form = build_form(form_class, request, model_admin, request.POST if confirmed else None)
        if not form.is_valid():
            return render_parameters(request, model_admin, selection, description, form)
        arguments.append(form)
    return run(request, model_admin, selection, function, arguments)


def run(
    request: HttpRequest,
    model_admin: ModelAdmin,
    selection: Selection,
    function: Any,
    arguments: Sequence[Any],
) -> HttpResponse:
    """Call the action; commit what it left pending; a refusal rolls everything back."""
    session = selection.session
    try:
        response = function(model_admin, request, selection, *arguments)
        session.commit()
    except ActionFailed as exc:
        return _failed(request, selection, str(exc))
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and not is_write_conflict(exc):
            raise  # a lost connection: the middleware's error page
        logger.info("admin action refused by the database: %s", exc)
        return _failed(request, selection, REFUSED)
    if isinstance(response, HttpResponseBase):
        return response  # type: ignore[return-value]
    return HttpResponseRedirect(selection.back_url)


def _failed(request: HttpRequest, selection: Selection, message: str) -> HttpResponse:
    selection.session.rollback()
    # A success message the action queued before the refusal must not be shown.
    for _message in messages.get_messages(request):
        pass
    messages.error(request, message)
    return HttpResponseRedirect(selection.back_url)
