"""The renderer of change forms: shop.admin.forms.fastwidgets, plus multi-widgets.

A change page with an inline shows a page of rows, each with its inputs; a split date
and time (the UTC date-time fields) is a multi-widget, which Django draws through its
template engine. Here its inputs are drawn by the fast renderer and joined as Django's
`{% spaceless %}` joins them. A multi-widget template that is not Django's own (a
project override) goes to the template engine unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import BaseRenderer

from shop.admin.forms.fastwidgets import (
    PYTHON_TEMPLATES,
    FastRenderer,
    fast_renderer,
    render_input,
)

MULTI = "django/forms/widgets/multiwidget.html"
# Each of these only includes multiwidget.html.
MULTI_KINDS = frozenset(
    {
        MULTI,
        "django/forms/widgets/splitdatetime.html",
        "django/forms/widgets/splithiddendatetime.html",
    }
)
DJANGO_TEMPLATES = Path(django.forms.__file__).parent / "templates"
BETWEEN_TAGS = re.compile(r">\s+<")


class ChangeFormRenderer(BaseRenderer):
    """Multi-widgets drawn input by input; everything else by the fast renderer."""

    def __init__(self, base: FastRenderer) -> None:
        self.base = base
        self.form_template_name = base.form_template_name
        self.formset_template_name = base.formset_template_name
        self.field_template_name = base.field_template_name
        self.bound_field_class = base.bound_field_class
        self._own: dict[str, bool] = {}

    def get_template(self, template_name: str) -> Any:
        return self.base.get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        subwidgets = context["widget"].get("subwidgets", ()) if template_name in MULTI_KINDS else ()
        if subwidgets and self._is_own(template_name) and all(map(_is_input, subwidgets)):
            parts = (self.base.render(sub["template_name"], {"widget": sub}) for sub in subwidgets)
            return BETWEEN_TAGS.sub("><", "".join(parts).strip())  # {% spaceless %}
        return self.base.render(template_name, context, request=request)

    def _is_own(self, template_name: str) -> bool:
        own = self._own.get(template_name)
        if own is None:
            names = {template_name, MULTI}
            own = all(_from_django(self.get_template(name)) for name in names)
            self._own[template_name] = own
        return own


def _is_input(subwidget: dict[str, Any]) -> bool:
    """A subwidget the fast renderer draws as one <input> (so nothing lies between them)."""
    entry = PYTHON_TEMPLATES.get(subwidget["template_name"])
    return entry is not None and entry[0] is render_input


def _from_django(template: Any) -> bool:
    """A template Django ships, in an engine that escapes (as the fast renderer needs)."""
    inner = getattr(template, "template", None)
    origin = getattr(getattr(inner, "origin", None), "name", None)
    engine = getattr(inner, "engine", None)
    if origin is None or engine is None or not engine.autoescape:
        return False
    return Path(str(origin)).resolve().is_relative_to(DJANGO_TEMPLATES.resolve())


@lru_cache(maxsize=4)
def _wrap(base: FastRenderer) -> ChangeFormRenderer:
    return ChangeFormRenderer(base)


def change_form_renderer() -> ChangeFormRenderer:
    """The renderer of add and change forms and their inline rows (cached)."""
    return _wrap(fast_renderer())
