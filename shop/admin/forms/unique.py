"""Unique columns and UNIQUE constraints checked before saving, with Django's messages.

One query per constraint whose values the form sets (or changes), excluding the object
itself. A collision that slips through (a race) still fails at flush and is reported by
shop.admin.forms.integrity with the same message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.text import capfirst, get_text_list
from sqlalchemy import Column, Table, UniqueConstraint, and_, not_, select
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.exc import UnmappedColumnError

from shop.admin.forms.fields import humanize, many_to_one

if TYPE_CHECKING:
    from shop.admin.forms.factory import AdminModelForm
    from shop.admin.options import ModelAdmin


def unique_column_sets(table: Table) -> list[tuple[Column[Any], ...]]:
    """The column tuples of the table's UNIQUE constraints and (non-partial) unique indexes."""
    found: dict[frozenset[str], tuple[Column[Any], ...]] = {}
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            columns = tuple(constraint.columns)
            found.setdefault(frozenset(c.key for c in columns), columns)
    for index in table.indexes:
        partial = any(
            key.endswith("_where") and value is not None
            for key, value in index.dialect_kwargs.items()
        )
        if index.unique and not partial and len(index.expressions) == len(index.columns):
            columns = tuple(index.columns)
            found.setdefault(frozenset(c.key for c in columns), columns)
    return list(found.values())


def attribute_keys(mapper: Mapper[Any], columns: tuple[Column[Any], ...]) -> list[str] | None:
    """The column attribute keys of `columns`, or None if one is not mapped."""
    try:
        return [mapper.get_property_by_column(column).key for column in columns]
    except UnmappedColumnError:
        return None


def field_name(mapper: Mapper[Any], attribute: str) -> str:
    """The form field name that edits a column attribute (the relationship for an FK)."""
    rel = many_to_one(mapper).get(attribute)
    return rel.key if rel is not None else attribute


def unique_message(model_admin: ModelAdmin, attributes: list[str], form: Any = None) -> str:
    """Django's "<Model> with this <A> and <B> already exists."."""
    labels = []
    for attribute in attributes:
        name = field_name(model_admin.mapper, attribute)
        field = form.fields.get(name) if form is not None else None
        labels.append(capfirst(str(field.label)) if field is not None else humanize(name))
    model = capfirst(str(model_admin.verbose_name))
    return f"{model} with this {get_text_list(labels, 'and')} already exists."


def validate_unique(form: AdminModelForm) -> None:
    """Add Django's unique error to the form for each constraint another row already holds."""
    mapper = form.model_admin.mapper
    for columns in unique_column_sets(mapper.local_table):  # type: ignore[arg-type]
        attributes = attribute_keys(mapper, columns)
        if attributes is None:
            continue
        names = [field_name(mapper, attribute) for attribute in attributes]
        if not any(name in form.fields for name in names):
            continue  # as in Django: the form does not set this constraint's values
        if any(name in form.fields and name not in form.cleaned_data for name in names):
            continue  # a field already has an error
        values = _values(form, attributes, names)
        if values is None or not _taken(form, columns, values):
            continue
        message = unique_message(form.model_admin, attributes, form)
        form.add_error(names[0] if len(names) == 1 else None, message)


def _values(form: AdminModelForm, attributes: list[str], names: list[str]) -> list[Any] | None:
    """The values the row would have, or None when one is NULL, unknown or unchanged."""
    values = []
    for attribute, name in zip(attributes, names, strict=True):
        if name in form.cleaned_data:
            values.append(form.cleaned_data[name])
        elif form.instance is not None:
            values.append(getattr(form.instance, attribute))
        else:
            return None  # an add form that does not set this column: the default decides
    if any(value is None for value in values):
        return None  # NULLs never collide in a UNIQUE constraint
    if form.instance is not None and all(
        getattr(form.instance, attribute) == value
        for attribute, value in zip(attributes, values, strict=True)
    ):
        return None  # unchanged: the row holding these values is this one
    return values


def _taken(form: AdminModelForm, columns: tuple[Column[Any], ...], values: list[Any]) -> bool:
    mapper = form.model_admin.mapper
    key = mapper.primary_key
    statement = select(*key).where(
        *(column == value for column, value in zip(columns, values, strict=True))
    )
    if form.instance is not None:
        own = mapper.primary_key_from_instance(form.instance)
        statement = statement.where(not_(and_(*(c == v for c, v in zip(key, own, strict=True)))))
    with form.session.no_autoflush:
        return form.session.execute(statement.limit(1)).first() is not None
