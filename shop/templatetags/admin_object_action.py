"""`{% object_action_button model_admin obj "action_name" "Label" %}`: one action, one button.

Where a page offers a single action on an object in place of something it refuses (the
delete page of a record that must be kept, offering to deactivate it), the button posts
to the object's `<pk>/actions/` URL like the change page's action box: same permission
checks, version check and audit. Nothing is shown to a user who may not run the action.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from shop.admin.audit import entity_id
from shop.admin.forms.factory import version_of
from shop.admin.urls import add_preserved_filters, preserved_filters

register = template.Library()


@register.inclusion_tag("admin/includes/object_action_button.html", takes_context=True)
def object_action_button(
    context: template.Context, model_admin: Any, obj: Any, action_name: str, label: str = ""
) -> dict[str, Any]:
    """A form with one button running `action_name` on `obj`, if this user may run it."""
    request = context.get("request")
    if request is None or model_admin is None or obj is None:
        return {"url": None}
    actions = model_admin.get_object_actions(request, obj)
    if action_name not in actions:
        return {"url": None}
    key = entity_id(obj)
    try:
        url = reverse(
            f"admin:{model_admin.url_prefix}_actions",
            args=(key,),
            current_app=model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return {"url": None}
    version = version_of(model_admin, obj)
    return {
        "url": add_preserved_filters(url, preserved_filters(request, model_admin)),
        "key": key,
        "seen_version": f"{key}:{version}" if version is not None else None,
        "action_name": action_name,
        "label": label or actions[action_name][2],
        "csrf_token": context.get("csrf_token"),
    }
