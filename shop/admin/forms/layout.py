"""What the change form template iterates: fieldsets, their lines, and each field
(an input bound to the form, or a read-only value already escaped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorList
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from shop.admin.escaping import attributes, text
from shop.admin.forms.factory import FormLayout, flatten
from shop.admin.forms.readonly import readonly_contents, readonly_label

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

DJANGO_LABEL = "django/forms/label.html"


@dataclass
class FieldView:
    name: str
    label: str
    is_readonly: bool
    bound: forms.BoundField | None = None
    contents: str = ""  # the escaped value of a read-only field

    @property
    def errors(self) -> ErrorList:
        return self.bound.errors if self.bound is not None else ErrorList()

    @property
    def is_checkbox(self) -> bool:
        return self.bound is not None and isinstance(self.bound.field.widget, forms.CheckboxInput)

    @property
    def help_text(self) -> str:
        return str(self.bound.help_text) if self.bound is not None else ""

    @property
    def label_tag(self) -> str:
        if self.bound is not None:
            return label_tag(self.bound)
        return format_html("<label>{}:</label>", self.label)


def label_tag(bound: forms.BoundField) -> SafeString:
    """`bound.label_tag()` without its template: a page of inline rows shows hundreds.

    The same markup as Django's label.html: the label, its suffix unless it ends in
    punctuation, `for` the widget's id and the form's required class.
    """
    form, field = bound.form, bound.field
    if form.template_name_label != DJANGO_LABEL:
        return bound.label_tag()  # the form draws its labels its own way
    contents: Any = bound.label
    suffix = field.label_suffix if field.label_suffix is not None else form.label_suffix
    if suffix and contents and contents[-1] not in gettext(":?.!"):
        contents = format_html("{}{}", contents, suffix)
    id_ = field.widget.attrs.get("id") or bound.auto_id
    if not id_:
        return mark_safe(text(contents))
    attrs = {}
    for_id = field.widget.id_for_label(id_)
    if for_id:
        attrs["for"] = for_id
    if field.required and hasattr(form, "required_css_class"):
        attrs["class"] = form.required_css_class
    return mark_safe(f"<label{attributes(attrs)}>{text(contents)}</label>")


@dataclass
class LineView:
    fields: list[FieldView]

    @property
    def errors(self) -> ErrorList:
        if len(self.fields) == 1:
            return self.fields[0].errors
        return ErrorList()

    @property
    def css_names(self) -> str:
        return " ".join(f"field-{view.name}" for view in self.fields)


@dataclass
class FieldsetView:
    name: str | None
    classes: str
    description: str
    lines: list[LineView] = field(default_factory=list)


def fieldset_views(
    request: HttpRequest, model_admin: ModelAdmin, layout: FormLayout, form: forms.Form, obj: Any
) -> list[FieldsetView]:
    views = []
    for title, options in layout.fieldsets:
        fieldset = FieldsetView(
            name=title,
            classes=" ".join(options.get("classes", ())),
            description=options.get("description", ""),
        )
        for entry in options.get("fields", ()):
            names = flatten([entry])
            line = [_field_view(request, model_admin, layout, form, obj, name) for name in names]
            fieldset.lines.append(LineView([view for view in line if view is not None]))
        views.append(fieldset)
    return views


def _field_view(
    request: HttpRequest,
    model_admin: ModelAdmin,
    layout: FormLayout,
    form: forms.Form,
    obj: Any,
    name: str,
) -> FieldView | None:
    if name in form.fields:
        bound = form[name]
        return FieldView(name, str(bound.label), False, bound=bound)
    if name in layout.readonly:
        return FieldView(
            name,
            readonly_label(model_admin, name),
            True,
            contents=readonly_contents(request, model_admin, obj, name),
        )
    return None
