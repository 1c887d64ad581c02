"""Actions on one object, from its change page: POST `/admin/<app>/<model>/<pk>/actions/`.

The same actions and flow as the changelist's (intermediate pages, confirmation,
permissions, audit), with the selection fixed to this one object - found through
get_query(), so row scoping applies - and the way back leading to its change page
(or to the list once the object is gone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from sqlalchemy import and_

from shop.admin.actions.dispatch import NO_ACTION, response_action
from shop.admin.lookup import get_object, parse_pk
from shop.admin.urls import add_preserved_filters, model_url, object_url, preserved_filters
from shop.admin.views.change import does_not_exist_redirect

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin


def object_action_view(
    request: HttpRequest, model_admin: ModelAdmin, object_id: str
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = get_object(request, model_admin, object_id)
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    key = parse_pk(model_admin, object_id)
    if obj is None or key is None:
        return does_not_exist_redirect(request, model_admin, object_id)
    filters = preserved_filters(request, model_admin)
    back_url = add_preserved_filters(object_url(model_admin, obj), filters)
    actions = model_admin.get_object_actions(request, obj)
    if not actions:
        messages.warning(request, NO_ACTION)
        return HttpResponseRedirect(back_url)
    columns = list(model_admin.mapper.primary_key)
    scope = model_admin.get_query(request).where(
        and_(*(column == value for column, value in zip(columns, key, strict=True)))
    )
    response = response_action(
        request, model_admin, scope, actions=actions, back_url=back_url, single=key
    )
    if _back_to_a_deleted_object(request, model_admin, response, back_url, object_id):
        return HttpResponseRedirect(_after_delete_url(request, model_admin, filters))
    return response


def _back_to_a_deleted_object(
    request: HttpRequest,
    model_admin: ModelAdmin,
    response: HttpResponse,
    back_url: str,
    object_id: str,
) -> bool:
    """The action ended by sending the user back to the object, which no longer exists."""
    if not isinstance(response, HttpResponseRedirect) or response.url != back_url:
        return False
    return get_object(request, model_admin, object_id) is None


def _after_delete_url(request: HttpRequest, model_admin: ModelAdmin, filters: str) -> str:
    if not model_admin.has_view_permission(request):
        return reverse("admin:index", current_app=model_admin.admin_site.name)
    return add_preserved_filters(model_url(model_admin, "changelist"), filters, to_changelist=True)
