"""Escaping for pages that build thousands of HTML fragments: the same rules as Django's.

`escaped` is conditional_escape (what format_html applies to each argument), `text` is
what an autoescaped template does with `{{ value }}`, `formatted` with
`{{ value|stringformat:'s' }}`. Each returns a plain str (the caller marks the whole
fragment safe once) and skips the lazy-string wrappers of django.utils.html, which cost
more than the escaping itself in a loop over a page's cells.
"""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.safestring import SafeData

# render_value_in_context reads only autoescape, use_l10n and use_tz: the defaults.
_CONTEXT = Context()


def escaped(value: Any) -> str:
    """conditional_escape(value): safe strings (anything with __html__) as they are."""
    if type(value) is str:
        return html.escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def text(value: Any) -> str:
    """`{{ value }}` in an autoescaped template: localized, then escaped unless safe."""
    if type(value) is str:  # nothing to localize
        return html.escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() makes of an integer without grouping
    return str(render_value_in_context(value, _CONTEXT))


def formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: str(value), escaped unless it was safe."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: True is a bare name, False leaves the attribute out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {text(name)}")
        elif value is not False:
            parts.append(f' {text(name)}="{formatted(value)}"')
    return "".join(parts)
