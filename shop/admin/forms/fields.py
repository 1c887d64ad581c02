"""Which mapper attributes a form edits, and the Django form field for each column type.

A form field is named after the attribute that holds its value: a column attribute, or
for a many-to-one foreign key the relationship (`user`, not `user_id`), as in Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from sqlalchemy import BigInteger, Column, Enum, Integer, Numeric, SmallInteger, Text
from sqlalchemy.orm import ColumnProperty, Mapper, RelationshipProperty
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.types import TypeDecorator, TypeEngine

from shop.admin.forms.utc import DATE_INPUT, UTCSplitDateTimeField, year_validator

EMPTY_LABEL = "---------"
TEXTAREA_ABOVE = 255  # longer VARCHARs get a textarea (with maxlength), shorter a line
# The smallest signed range of each integer type over SQLite, PostgreSQL and MariaDB:
# a bigger number is a form error, never an "out of range" error from the database.
INTEGER_RANGES: tuple[tuple[type, int], ...] = (
    (SmallInteger, 2**15 - 1),
    (BigInteger, 2**63 - 1),
    (Integer, 2**31 - 1),
)


@dataclass(frozen=True)
class FieldSource:
    """What one form field edits: the column attribute set on the object."""

    name: str  # the form field name
    attribute: str  # the column attribute that stores the value
    column: Column[Any]
    relationship: RelationshipProperty[Any] | None = None


def humanize(name: str) -> str:
    """A label for an attribute name, Django style: "price_at_purchase" -> "Price at purchase"."""
    return capfirst(name.replace("_", " "))


def column_label(source: FieldSource) -> str:
    info = source.column.info
    return humanize(info.get("verbose_name") or source.name)


def many_to_one(mapper: Mapper[Any]) -> dict[str, RelationshipProperty[Any]]:
    """Foreign key column attribute -> the writable many-to-one relationship over it."""
    found: dict[str, RelationshipProperty[Any]] = {}
    for rel in mapper.relationships:
        if rel.direction is not MANYTOONE or rel.viewonly or rel.secondary is not None:
            continue
        columns = list(rel.local_columns)
        if len(columns) == 1:
            found.setdefault(mapper.get_property_by_column(columns[0]).key, rel)
    return found


def is_auto_managed(mapper: Mapper[Any], column: Column[Any]) -> bool:
    """Columns the database or the ORM fills in: keys, version counters, timestamps.

    `info={"editable": True/False}` on a column overrides the guess.
    """
    if "editable" in column.info:
        return not column.info["editable"]
    if column.primary_key or column is mapper.version_id_col or column.computed is not None:
        return True
    if column.onupdate is not None or column.server_onupdate is not None:
        return True
    # A timestamp stamped on insert (default=utcnow) is Django's auto_now_add.
    stamped = column.server_default is not None or (
        column.default is not None and column.default.is_callable
    )
    return stamped and python_type(column) is datetime


def python_type(column: Column[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def form_sources(mapper: Mapper[Any]) -> dict[str, FieldSource]:
    """Every attribute a form may edit, in column order, keyed by form field name."""
    relationships = many_to_one(mapper)
    sources: dict[str, FieldSource] = {}
    for prop in mapper.column_attrs:
        column = _plain_column(prop)
        if column is None or is_auto_managed(mapper, column):
            continue
        rel = relationships.get(prop.key)
        if rel is not None:
            sources[rel.key] = FieldSource(rel.key, prop.key, column, rel)
        elif formfield_for(FieldSource(prop.key, prop.key, column)) is not None:
            sources[prop.key] = FieldSource(prop.key, prop.key, column)
    return sources


def auto_managed_names(mapper: Mapper[Any]) -> list[str]:
    """Auto-filled columns worth showing (read-only) on a change page: not keys or versions."""
    names = []
    for prop in mapper.column_attrs:
        column = _plain_column(prop)
        if column is None or column.primary_key or column is mapper.version_id_col:
            continue
        if is_auto_managed(mapper, column):
            names.append(prop.key)
    return names


def _plain_column(prop: ColumnProperty[Any]) -> Column[Any] | None:
    column = prop.columns[0]
    return column if isinstance(column, Column) and len(prop.columns) == 1 else None


def _base_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    # Money and UTCDateTime are TypeDecorators: their impl says how they are stored.
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def formfield_for(source: FieldSource) -> forms.Field | None:
    """A form field for a scalar column, or None for a type forms cannot edit."""
    column = source.column
    options: dict[str, Any] = {
        "required": not column.nullable,
        "label": column_label(source),
        "help_text": column.info.get("help_text") or column.comment or "",
    }
    type_ = column.type
    if isinstance(type_, Enum):  # before String: Enum is a String subclass
        return _choice_field(column, options)
    kind = python_type(column)
    if kind is bool:
        if column.nullable:
            return forms.NullBooleanField(**{**options, "required": False})
        return forms.BooleanField(**{**options, "required": False})
    if kind is int:
        return _integer_field(column, options)
    if kind is Decimal:
        return _decimal_field(column, options)
    if kind is float:
        return forms.FloatField(**options)
    if kind is datetime:
        return UTCSplitDateTimeField(**options)
    if kind is date:
        return forms.DateField(widget=DATE_INPUT, validators=[year_validator], **options)
    if kind is str:
        return _char_field(column, options)
    return None


def _choice_field(column: Column[Any], options: dict[str, Any]) -> forms.Field:
    choices = [(value, humanize(value)) for value in column.type.enums]  # type: ignore[attr-defined]
    # As in Django: no blank choice when a value is required and a default preselects one.
    if column.nullable or column.default is None:
        choices.insert(0, ("", EMPTY_LABEL))
    return forms.TypedChoiceField(choices=choices, coerce=str, empty_value=None, **options)


def integer_limit(type_: TypeEngine[Any]) -> int:
    """The largest value an integer column of this type holds on every database."""
    base = _base_type(type_)
    return next((top for kind, top in INTEGER_RANGES if isinstance(base, kind)), 2**31 - 1)


def _integer_field(column: Column[Any], options: dict[str, Any]) -> forms.Field:
    limit = integer_limit(column.type)
    # Declared bounds (info={"min_value": 0}) narrow the range; CHECK text is not parsed.
    low = max(column.info.get("min_value", -limit - 1), -limit - 1)
    high = min(column.info.get("max_value", limit), limit)
    return forms.IntegerField(min_value=low, max_value=high, **options)


def _decimal_field(column: Column[Any], options: dict[str, Any]) -> forms.Field:
    base = _base_type(column.type)
    precision = getattr(base, "precision", None) if isinstance(base, Numeric) else None
    scale = getattr(base, "scale", None) if isinstance(base, Numeric) else None
    validators = []
    if "min_value" in column.info:
        validators.append(MinValueValidator(Decimal(str(column.info["min_value"]))))
    if "max_value" in column.info:
        validators.append(MaxValueValidator(Decimal(str(column.info["max_value"]))))
    # DecimalField parses the text itself: "0.30" stays Decimal("0.30"), never a float.
    return forms.DecimalField(
        max_digits=precision, decimal_places=scale, validators=validators, **options
    )


def _char_field(column: Column[Any], options: dict[str, Any]) -> forms.Field:
    length = getattr(column.type, "length", None)
    long_text = isinstance(column.type, Text) or length is None or length > TEXTAREA_ABOVE
    widget = forms.Textarea(attrs={"rows": 4 if length else 8}) if long_text else None
    # A nullable string stores NULL, not "", when left empty.
    empty_value = None if column.nullable else ""
    return forms.CharField(max_length=length, widget=widget, empty_value=empty_value, **options)


def initial_for_add(source: FieldSource) -> Any:
    """The column default as a form's initial value (callables such as date.today called)."""
    default = source.column.default
    if default is None or source.relationship is not None:
        return None
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if default.is_callable:
        try:
            return default.arg(None)  # type: ignore[attr-defined]
        except Exception:  # a default that needs the insert context: no initial value
            return None
    return None
