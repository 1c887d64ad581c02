"""Field paths (`user__username`) resolved against mappers, never against user strings.

Every name in list_display, search_fields, list_filter, ordering and date_hierarchy is
looked up here among the mapper's declared attributes; anything else is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import ColumnProperty, Mapper, RelationshipProperty
from sqlalchemy.orm.attributes import QueryableAttribute
from sqlalchemy.sql import ColumnElement

from shop.admin.options_base import mapper_of

SEPARATOR = "__"


class PathError(ValueError):
    """A name that is not a declared attribute path of the model."""


@dataclass(frozen=True)
class ResolvedPath:
    """A path such as `order__user__email`: the relationships walked and the final target."""

    name: str
    relationships: tuple[RelationshipProperty[Any], ...]
    target_mapper: Mapper[Any]
    attribute: str
    expression: ColumnElement[Any]  # the column (or hybrid expression) at the end
    column_property: ColumnProperty[Any] | None  # None for hybrids and SQL expressions

    @property
    def is_local(self) -> bool:
        return not self.relationships

    @property
    def crosses_to_many(self) -> bool:
        """True when a step is one-to-many or many-to-many (joins would multiply rows)."""
        return any(rel.uselist for rel in self.relationships)

    @property
    def column(self) -> Any:
        """The mapped Column at the end, or None for a hybrid/expression."""
        if self.column_property is None:
            return None
        return self.column_property.columns[0]


def resolve(model: type, path: str) -> ResolvedPath:
    """Resolve `path` on `model`, raising PathError for anything undeclared."""
    mapper = mapper_of(model)
    parts = path.split(SEPARATOR)
    if not all(parts):
        raise PathError(f"{path!r} is not a field path")
    relationships: list[RelationshipProperty[Any]] = []
    for part in parts[:-1]:
        prop = mapper.relationships.get(part)
        if prop is None:
            raise PathError(f"{mapper.class_.__name__} has no relationship {part!r} (in {path!r})")
        relationships.append(prop)
        mapper = prop.mapper
    return _resolve_leaf(path, tuple(relationships), mapper, parts[-1])


def _resolve_leaf(
    path: str, relationships: tuple[RelationshipProperty[Any], ...], mapper: Mapper[Any], name: str
) -> ResolvedPath:
    prop = mapper.column_attrs.get(name)
    if prop is not None:
        expression = getattr(mapper.class_, name).expression
        return ResolvedPath(path, relationships, mapper, name, expression, prop)
    descriptor = mapper.all_orm_descriptors.get(name)
    if isinstance(descriptor, hybrid_property):
        attribute = getattr(mapper.class_, name)
        expression = (
            attribute.expression if isinstance(attribute, QueryableAttribute) else attribute
        )
        return ResolvedPath(path, relationships, mapper, name, expression, None)
    raise PathError(
        f"{mapper.class_.__name__} has no column or SQL property {name!r} (in {path!r})"
    )


def try_resolve(model: type, path: str) -> ResolvedPath | None:
    try:
        return resolve(model, path)
    except PathError:
        return None
