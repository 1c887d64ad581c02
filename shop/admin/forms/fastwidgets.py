"""A form renderer that draws Django's plain widgets and error lists in Python.

A list with `list_editable` or a grade book shows hundreds of inputs; through the
template engine each costs about half a millisecond, most of a page's time. This
renderer writes the same markup as Django's own templates (text, number, e-mail, date,
hidden and checkbox inputs, select with its options, textarea, the field error list)
straight from the widget's context, escaping every value as the template would. Any
other template, or one a project overrides, goes to the wrapped renderer unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.safestring import SafeString

from shop.admin.escaping import attributes, formatted, text

WIDGETS = "django/forms/widgets/"
ATTRS = f"{WIDGETS}attrs.html"
INPUT = f"{WIDGETS}input.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"
ERRORS = "django/forms/errors/list/default.html"
ERRORS_UL = "django/forms/errors/list/ul.html"
# Each of these only includes input.html.
INPUT_KINDS = (
    "input", "text", "number", "email", "url", "password", "hidden", "checkbox",
    "date", "datetime", "time", "search", "tel", "color",
)  # fmt: skip
# Inputs whose value shows only as value="..." (a checkbox's is `checked`, a password's
# may be left out).
VALUE_INPUTS = frozenset(
    f"{WIDGETS}{kind}.html"
    for kind in ("text", "number", "email", "url", "hidden", "search", "tel")
)
OWN_TEMPLATES = Path(forms.__file__).parent / "templates"


def render_input(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{formatted(value)}"'
    name, kind = text(widget["name"]), text(widget["type"])
    return f'<input type="{kind}" name="{name}"{shown}{attributes(widget["attrs"])}>'


def render_option(option: dict[str, Any]) -> str:
    value, label, attrs = option["value"], option["label"], option["attrs"]
    if type(value) is str and type(label) is str and len(attrs) <= 1:
        selected = attrs.get("selected")
        if len(attrs) == 0 or selected is True:
            return _plain_option(value, label, selected is True)
    return f'<option value="{formatted(value)}"{attributes(attrs)}>{text(label)}</option>\n'


@lru_cache(maxsize=2048)  # a page repeats the same few options on every row
def _plain_option(value: str, label: str, selected: bool) -> str:
    chosen = " selected" if selected else ""
    return f'<option value="{formatted(value)}"{chosen}>{text(label)}</option>\n'


def render_select(context: dict[str, Any]) -> str:
    widget = context["widget"]
    parts = [f'<select name="{text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        parts.extend(f"\n  {render_option(option)}" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def render_textarea(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    content = text(value) if value else ""
    name = text(widget["name"])
    return f'<textarea name="{name}"{attributes(widget["attrs"])}>\n{content}</textarea>'


def render_errors(context: dict[str, Any]) -> str:
    """django/forms/errors/list/ul.html: nothing for no errors."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    named = f' id="{text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{text(error)}</li>" for error in errors)
    return f'<ul class="{text(context["error_class"])}"{named}>{items}</ul>'


Renderer = Callable[[dict[str, Any]], str]
# Each template drawn here, with the templates it includes (all must be Django's own).
PYTHON_TEMPLATES: dict[str, tuple[Renderer, tuple[str, ...]]] = {
    **{f"{WIDGETS}{kind}.html": (render_input, (INPUT, ATTRS)) for kind in INPUT_KINDS},
    SELECT: (render_select, (OPTION, ATTRS)),
    TEXTAREA: (render_textarea, (ATTRS,)),
    ERRORS: (render_errors, (ERRORS_UL,)),
}


def _is_own(template: Any) -> bool:
    """A template Django ships, loaded by an engine that escapes and shows "" for unknowns."""
    inner = getattr(template, "template", None)
    engine = getattr(inner, "engine", None)
    origin = getattr(getattr(inner, "origin", None), "name", None)
    if engine is None or origin is None or not engine.autoescape or engine.string_if_invalid:
        return False
    return Path(str(origin)).resolve().is_relative_to(OWN_TEMPLATES.resolve())


class FastRenderer(BaseRenderer):
    """Wraps the project's form renderer: Python for the templates above, it for the rest."""

    def __init__(self, base: BaseRenderer) -> None:
        self.base = base
        self.form_template_name = base.form_template_name
        self.formset_template_name = base.formset_template_name
        self.field_template_name = base.field_template_name
        self.bound_field_class = getattr(base, "bound_field_class", None)
        self._usable: dict[str, bool] = {}

    def get_template(self, template_name: str) -> Any:
        return self.base.get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        entry = PYTHON_TEMPLATES.get(template_name)
        if entry is None or not self._can_draw(template_name, context):
            return self.base.render(template_name, context, request=request)
        return entry[0](context)

    def draws(self, template_name: str) -> bool:
        """Whether this template (and what it includes) is drawn in Python here."""
        usable = self._usable.get(template_name)
        if usable is None:
            entry = PYTHON_TEMPLATES.get(template_name)
            names = (template_name, *entry[1]) if entry is not None else ()
            usable = bool(names) and all(_is_own(self.get_template(each)) for each in names)
            self._usable[template_name] = usable
        return usable

    def _can_draw(self, name: str, context: dict[str, Any]) -> bool:
        if not self.draws(name):
            return False
        if name == SELECT:  # options drawn by another template go the slow way
            groups = context["widget"]["optgroups"]
            return all(o["template_name"] == OPTION for _n, opts, _i in groups for o in opts)
        return True


def hidden_form_html(form: forms.Form) -> SafeString:
    """An unbound form of hidden fields only (a formset's management form), as its form
    template draws it: the inputs one after the other, without the template engine."""
    return SafeString("".join(str(bound) for bound in form.hidden_fields()))


def value_only(bound: forms.BoundField) -> bool:
    """Whether the field's input shows its value only as its value="..." attribute: a
    plain input drawn here, through none but Django's own methods. One drawing then serves
    every value (see value_text)."""
    field, renderer = bound.field, bound.form.renderer
    widget = field.widget
    plain = (
        type(bound) is forms.BoundField
        and isinstance(renderer, FastRenderer)
        and widget.template_name in VALUE_INPUTS
        and renderer.draws(widget.template_name)
        and not (widget.is_localized or field.localize or field.show_hidden_initial)
    )
    return plain and all(
        _defined_only_by(cls, method, owners) for cls, method, owners in _value_methods(field)
    )


def value_text(field: forms.Field, value: Any) -> str:
    """What such an input shows of `value` between the quotes of value="..."."""
    return formatted(field.widget.format_value(field.prepare_value(value)))


def _value_methods(field: forms.Field) -> list[tuple[type, str, tuple[type, ...]]]:
    widget = type(field.widget)
    return [
        (widget, "get_context", (forms.Widget, forms.widgets.Input)),
        (widget, "format_value", (forms.Widget,)),
        (widget, "build_attrs", (forms.Widget,)),
        (widget, "use_required_attribute", (forms.Widget,)),
        (widget, "render", (forms.Widget,)),
        (widget, "_render", (forms.Widget,)),
        (type(field), "prepare_value", (forms.Field,)),
    ]


def _defined_only_by(cls: type, method: str, owners: tuple[type, ...]) -> bool:
    return all(base in owners for base in cls.__mro__ if method in vars(base))


@lru_cache(maxsize=4)
def _wrap(base: BaseRenderer) -> FastRenderer:
    return FastRenderer(base)


def fast_renderer() -> FastRenderer:
    """The renderer for pages with many inputs (follows FORM_RENDERER, cached)."""
    return _wrap(get_default_renderer())
