"""`{% object_actions %}`: the small action box of an object's change page.

A tag (as Django admin's `{% submit_row %}` is) so that the change view needs no
knowledge of actions: it reads `model_admin` and `original` from the page's context.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from shop.admin.actions.base import action_choices
from shop.admin.audit import entity_id
from shop.admin.forms.factory import version_of
from shop.admin.urls import add_preserved_filters, preserved_filters

register = template.Library()


@register.inclusion_tag("admin/includes/object_actions.html", takes_context=True)
def object_actions(context: template.Context) -> dict[str, Any]:
    """The actions this user may run on the page's object, posting to `<pk>/actions/`."""
    request = context.get("request")
    model_admin = context.get("model_admin")
    obj = context.get("original")
    if request is None or model_admin is None or obj is None:
        return {"choices": None}
    actions = model_admin.get_object_actions(request, obj)
    if not actions:
        return {"choices": None}
    key = entity_id(obj)
    try:
        url = reverse(
            f"admin:{model_admin.url_prefix}_actions",
            args=(key,),
            current_app=model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return {"choices": None}
    version = version_of(model_admin, obj)
    return {
        "choices": action_choices(actions),
        "url": add_preserved_filters(url, preserved_filters(request, model_admin)),
        "key": key,
        "seen_version": f"{key}:{version}" if version is not None else None,
        "csrf_token": context.get("csrf_token"),
    }
