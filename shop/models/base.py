"""The declarative base: one MetaData with stable constraint names on every database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Enum, Index, MetaData, inspect
from sqlalchemy.orm import DeclarativeBase

from shop.models.types import Money, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {Decimal: Money(), datetime: UTCDateTime()}

    def __repr__(self) -> str:
        identity = inspect(self).identity
        key = ",".join(str(part) for part in identity) if identity else "new"
        return f"<{type(self).__name__} {key}: {self}>"


# Indexes that exist on PostgreSQL only (Index.info["dialects"]); Alembic compares them there.
POSTGRESQL_ONLY = ("postgresql",)


def trigram_index(table: str, column: str) -> Index:
    """A pg_trgm GIN index: `column ILIKE '%text%'` (a "contains" search) without a scan.

    PostgreSQL only; the other databases search the plain way.
    """
    index = Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={"dialects": POSTGRESQL_ONLY},
    )
    return index.ddl_if(dialect="postgresql")


def choice_type(name: str, values: tuple[str, ...], length: int = 20) -> Enum:
    """A fixed set of strings, stored as VARCHAR with a named CHECK on every database."""
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)
