"""Build a ModelAdmin's add/change form from its fields, fieldsets, exclude and readonly_fields.

Follows Django's rules: without `fields`/`fieldsets` the form shows every editable
attribute, then the read-only ones; names are checked, and an unknown one is a clear
configuration error naming the model and the admin class.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from sqlalchemy.orm import Mapper, Session

from shop.admin.forms.fields import (
    FieldSource,
    auto_managed_names,
    column_label,
    form_sources,
    formfield_for,
    initial_for_add,
)
from shop.admin.forms.fieldtable import FieldTable
from shop.admin.forms.m2m import add_many_to_many_fields, bind_many_to_many, many_to_many_props
from shop.admin.forms.readonly import check_readonly_name
from shop.admin.forms.related import RelatedField
from shop.admin.forms.render import change_form_renderer

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

VERSION_FIELD = "_version"  # the version the user saw, checked again on save
Fieldsets = list[tuple[str | None, dict[str, Any]]]


class AdminModelForm(forms.Form):
    """A form over one mapped object; `clean()` also runs the pre-save unique checks."""

    required_css_class = "required"
    error_css_class = "errors"
    model_admin: ClassVar[ModelAdmin]
    sources: ClassVar[dict[str, FieldSource]]
    autocomplete: ClassVar[frozenset[str]] = frozenset()  # get_autocomplete_fields(request)
    # True when the class's own fields were bound once for many forms (inline rows):
    # each form's deep copy then shares those choices instead of querying again.
    related_bound: ClassVar[bool] = False

    def __init__(
        self,
        data: Any = None,
        *,
        session: Session,
        instance: Any,
        initial: Any = None,
        **options: Any,  # Django's prefix, auto_id, empty_permitted... (formset rows)
    ) -> None:
        super().__init__(data, initial=initial, **options)
        self.session = session
        self.instance = instance  # None on the add page
        if not self.related_bound:
            bind_related_fields(self.fields, session, type(self))
        bind_many_to_many(self)

    def clean(self) -> dict[str, Any]:
        from shop.admin.forms.unique import validate_unique

        cleaned = super().clean()
        if VERSION_FIELD in self.fields and self.instance is not None:
            # Text, so that a tampered value is a conflict too, not a hidden field's error.
            seen = cleaned.get(VERSION_FIELD)
            current = version_of(self.model_admin, self.instance)
            if seen and seen != str(current):
                raise forms.ValidationError(STALE_MESSAGE, code="stale")
        validate_unique(self)
        return cleaned


def bind_related_fields(
    fields: dict[str, forms.Field], session: Session, form_class: type[AdminModelForm]
) -> None:
    """Give each many-to-one field its session and choices (one query per field)."""
    for name, field in fields.items():
        if isinstance(field, RelatedField):
            autocomplete = name in form_class.autocomplete
            field.bind(session, form_class.model_admin, autocomplete=autocomplete)


def version_of(model_admin: ModelAdmin, obj: Any) -> Any:
    """The optimistic-lock counter of `obj` (its mapper's version_id_col), or None."""
    column = model_admin.mapper.version_id_col
    if column is None:
        return None
    return getattr(obj, model_admin.mapper.get_property_by_column(column).key)


STALE_MESSAGE = (
    "This record was changed by someone else since you opened it. Nothing was saved: "
    "your input is kept below, and each field that now differs shows its current value. "
    "Save again to replace the current values with yours."
)


@dataclass
class FormLayout:
    """What the change page shows: fieldsets, which names are read-only, and the form class."""

    fieldsets: Fieldsets
    readonly: list[str]
    form_class: type[AdminModelForm]

    def initial(self, obj: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Initial form values: the object's (change) or column defaults and `extra` (add)."""
        sources = self.form_class.sources
        names = [name for name in self.form_class.base_fields if name in sources]
        if obj is None:
            values = {name: initial_for_add(sources[name]) for name in names}
            values.update(extra or {})
            return {name: value for name, value in values.items() if value is not None}
        values = {name: getattr(obj, sources[name].attribute) for name in names}
        if VERSION_FIELD in self.form_class.base_fields:
            values[VERSION_FIELD] = version_of(self.form_class.model_admin, obj)
        return values


def flatten(names: Iterable[Any]) -> list[str]:
    """Field names of a `fields` option; a tuple entry puts several fields on one line."""
    flat: list[str] = []
    for name in names:
        flat.extend(name if isinstance(name, (list, tuple)) else [name])
    return flat


def flatten_fieldsets(fieldsets: Fieldsets) -> list[str]:
    return [name for _title, options in fieldsets for name in flatten(options.get("fields", ()))]


def build_layout(
    request: HttpRequest,
    model_admin: ModelAdmin,
    obj: Any,
    *,
    editable: bool = True,
    extra_readonly: Sequence[str] = (),
) -> FormLayout:
    """The layout and form class for the add page (obj None) or an object's change page.

    With `editable` False (a view-only user) every field is shown read-only;
    `extra_readonly` adds read-only names (an inline's rows that already exist).
    """
    sources = _sources(model_admin.mapper)
    base = model_admin.get_form_base(request, obj) or AdminModelForm
    exclude = list(model_admin.get_exclude(request, obj) or ())
    readonly = list(model_admin.get_readonly_fields(request, obj))
    readonly += [name for name in extra_readonly if name not in readonly]
    declared_fieldsets = model_admin.get_fieldsets(request, obj)
    declared_fields = model_admin.get_fields(request, obj)
    if not declared_fieldsets and declared_fields is None and obj is not None:
        # Timestamps and other auto-filled columns are worth seeing on a change page.
        auto = auto_managed_names(model_admin.mapper)
        readonly += [name for name in auto if name not in readonly]
    if declared_fieldsets:
        fieldsets = [(title, dict(options)) for title, options in declared_fieldsets]
    else:
        fieldsets = [
            (None, {"fields": _default_fields(declared_fields, sources, exclude, readonly)})
        ]
    many = many_to_many_props(model_admin.mapper)
    if not declared_fieldsets and declared_fields is None:
        # Many-to-many relationships are shown by default when they have a chooser.
        chosen = [n for n in model_admin.get_autocomplete_fields(request) if n in many]
        fieldsets[0][1]["fields"] += [n for n in chosen if n not in exclude]
    names = [name for name in flatten_fieldsets(fieldsets) if name not in exclude]
    declared = set(base.base_fields) | set(many)
    _check_names(model_admin, names, exclude, readonly, sources, declared=declared)
    if not editable:
        readonly = list(dict.fromkeys([*readonly, *names]))
    fieldsets = _drop(fieldsets, set(exclude))
    editable_names = [name for name in names if name not in readonly]
    form_class = _form_class(
        model_admin,
        sources,
        [name for name in editable_names if name not in many],
        versioned=obj is not None,
        base=base,
    )
    add_many_to_many_fields(form_class, many, editable_names)
    _fit_declared_fields(form_class, base, shown=names, editable=editable_names)
    form_class.autocomplete = frozenset(model_admin.get_autocomplete_fields(request))
    form_class.base_fields = FieldTable(form_class.base_fields)
    return FormLayout(fieldsets, readonly, form_class)


@cache
def _sources(mapper: Mapper[Any]) -> dict[str, FieldSource]:
    """form_sources(), once per mapper (a change page with inlines asks three times)."""
    return form_sources(mapper)


def _default_fields(
    declared: Sequence[str] | None,
    sources: dict[str, FieldSource],
    exclude: Sequence[str],
    readonly: Sequence[str],
) -> list[Any]:
    if declared is not None:
        return list(declared)
    # Django's default: the editable fields, then the read-only ones.
    editable = [name for name in sources if name not in exclude and name not in readonly]
    return [*editable, *readonly]


def _check_names(
    model_admin: ModelAdmin,
    names: Sequence[str],
    exclude: Sequence[str],
    readonly: Sequence[str],
    sources: dict[str, FieldSource],
    *,
    declared: set[str],
) -> None:
    for name in [*names, *readonly]:
        if name in declared:
            continue  # a field of the ModelAdmin's form base (ModelAdmin.form)
        if name in readonly:
            _readonly_or_error(model_admin, name)
        elif name not in sources:
            _unknown(model_admin, name)
    for name in exclude:
        if name not in sources and name not in model_admin.mapper.attrs:
            _unknown(model_admin, name)


def _readonly_or_error(model_admin: ModelAdmin, name: str) -> None:
    try:
        check_readonly_name(model_admin, name)
    except ImproperlyConfigured:
        _unknown(model_admin, name)


def _unknown(model_admin: ModelAdmin, name: str) -> None:
    model, admin = model_admin.model.__name__, type(model_admin).__name__
    if name in model_admin.mapper.column_attrs or name in model_admin.mapper.relationships:
        raise ImproperlyConfigured(
            f"{name!r} cannot be specified for the {model} form of {admin}: it is not an "
            "editable field (a key, version, timestamp, foreign key column or collection). "
            "Add it to readonly_fields to show it."
        )
    raise ImproperlyConfigured(
        f"Unknown field(s) ({name}) specified for {model}. Check the fields/fieldsets/"
        f"exclude/readonly_fields attributes of class {admin}."
    )


def _drop(fieldsets: Fieldsets, excluded: set[str]) -> Fieldsets:
    result: Fieldsets = []
    for title, options in fieldsets:
        lines = []
        for entry in options.get("fields", ()):
            line = [entry] if isinstance(entry, str) else list(entry)
            kept = [name for name in line if name not in excluded]
            if kept:
                lines.append(kept[0] if len(kept) == 1 else tuple(kept))
        result.append((title, {**options, "fields": lines}))
    return result


def _form_class(
    model_admin: ModelAdmin,
    sources: dict[str, FieldSource],
    names: Sequence[str],
    *,
    versioned: bool,
    base: type[AdminModelForm] = AdminModelForm,
) -> type[AdminModelForm]:
    attrs: dict[str, Any] = {}
    for name in names:
        if name in base.base_fields:
            continue  # as in Django, a declared field replaces the generated one
        source = sources[name]
        if source.relationship is not None:
            attrs[name] = RelatedField(
                source,
                required=not source.column.nullable,
                label=column_label(source),
                help_text=source.column.info.get("help_text") or "",
            )
        else:
            attrs[name] = formfield_for(source)
    if versioned and names and model_admin.mapper.version_id_col is not None:
        attrs[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
    attrs.update(model_admin=model_admin, sources=sources)
    if base.default_renderer is None:
        # A change page with an inline shows hundreds of inputs (50 rows a page).
        attrs["default_renderer"] = change_form_renderer()
    return type(f"{model_admin.object_name}Form", (base,), attrs)


def _fit_declared_fields(
    form_class: type[AdminModelForm],
    base: type[AdminModelForm],
    *,
    shown: Sequence[str],
    editable: Sequence[str],
) -> None:
    """The form base's own fields: dropped where not shown, disabled where read-only.

    A disabled field ignores posted data (Django uses its initial value), so a forged
    POST cannot change what the page showed read-only.
    """
    for name in base.base_fields:
        if name not in shown:
            del form_class.base_fields[name]
        elif name not in editable:
            field = copy.deepcopy(form_class.base_fields[name])
            field.disabled = True
            form_class.base_fields[name] = field
