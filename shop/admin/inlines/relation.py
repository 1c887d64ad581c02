"""Which relationship joins an inline's rows to their parent, and how to load them.

The parent's one-to-many collection (`Cart.items`) names the formset's prefix, as
Django's related name does; the child's many-to-one over the same columns (`CartItem.cart`)
is the field the inline never shows, set by the engine on new rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from sqlalchemy.orm import Mapper, RelationshipProperty, raiseload, selectinload
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

from shop.admin.options_base import mapper_of
from shop.admin.paths import PathError, resolve

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shop.admin.inlines.options import InlineModelAdmin


@dataclass(frozen=True)
class ParentRelation:
    """The parent's collection of children and the child's link back to the parent."""

    collection: RelationshipProperty[Any]
    parent_field: str | None  # the child's many-to-one to the parent ("cart"), if mapped
    pairs: tuple[tuple[str, str], ...]  # (parent attribute, child attribute): ("id", "cart_id")

    @property
    def prefix(self) -> str:
        """The formset prefix: the collection's name, Django's related name ("items")."""
        return self.collection.key

    def key_values(self, parent: Any) -> dict[str, Any] | None:
        """The child attributes that point at `parent`, or None while it has no id (or is None)."""
        if parent is None:
            return None
        values = {child: getattr(parent, mine) for mine, child in self.pairs}
        return None if any(value is None for value in values.values()) else values

    def condition(self, child_model: type, parent: Any) -> list[Any]:
        values = self.key_values(parent) or {}
        mapper = mapper_of(child_model)
        return [mapper.attrs[name].class_attribute == value for name, value in values.items()]

    def child_columns(self) -> set[str]:
        return {child for _mine, child in self.pairs}


def resolve_relation(parent: type, child: type, fk_name: str | None) -> ParentRelation:
    """The one relationship from `parent` to `child` (or the one `fk_name` names).

    `fk_name` may name the parent's collection ("items") or, as in Django, the child's
    many-to-one ("cart").
    """
    parent_mapper, child_mapper = mapper_of(parent), mapper_of(child)
    found = []
    for rel in parent_mapper.relationships:
        if rel.mapper is not child_mapper or rel.direction is not ONETOMANY or rel.viewonly:
            continue
        back = _back_reference(rel, child_mapper, parent_mapper)
        if fk_name is None or fk_name in (rel.key, back):
            found.append((rel, back))
    if len(found) != 1:
        wanted = f" named {fk_name!r}" if fk_name else ""
        raise ImproperlyConfigured(
            f"{child.__name__} needs exactly one one-to-many relationship{wanted} from "
            f"{parent.__name__} to be an inline of it (found {len(found)}); set fk_name."
        )
    collection, back = found[0]
    pairs = tuple(
        (
            parent_mapper.get_property_by_column(mine).key,
            child_mapper.get_property_by_column(theirs).key,
        )
        for mine, theirs in collection.local_remote_pairs
    )
    return ParentRelation(collection, back, pairs)


def _back_reference(
    collection: RelationshipProperty[Any], child: Mapper[Any], parent: Mapper[Any]
) -> str | None:
    remote = {column.key for column in collection.remote_side}
    for rel in child.relationships:
        same_columns = {column.key for column in rel.local_columns} == remote
        writable = rel.direction is MANYTOONE and not rel.viewonly
        if writable and rel.mapper is parent and same_columns:
            return rel.key
    return None


def ordering_of(inline: InlineModelAdmin, request: HttpRequest) -> list[Any]:
    """The inline's `ordering` on the child's own columns, then the primary key."""
    order: list[Any] = []
    for entry in inline.get_ordering(request) or ():
        try:
            path = resolve(inline.model, entry.removeprefix("-"))
        except PathError:
            raise ImproperlyConfigured(
                f"ordering entry {entry!r} of {type(inline).__name__} is not a column"
            ) from None
        if path.is_local and path.column is not None:
            order.append(path.expression.desc() if entry.startswith("-") else path.expression)
    return [*order, *inline.mapper.primary_key]


def eager_loads(inline: InlineModelAdmin, names: list[str]) -> list[Any]:
    """selectinload for each to-one relationship a row shows; raiseload for the rest."""
    loads: list[Any] = []
    for name in names:
        rel = inline.mapper.relationships.get(name)
        if rel is not None and not rel.uselist:
            loads.append(selectinload(rel.class_attribute))
    return [*loads, raiseload("*")]
