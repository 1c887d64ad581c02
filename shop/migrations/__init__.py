"""Alembic, driven from Django's manage.py: configuration and the calls the commands use.

Only the tables of the SQLAlchemy metadata are managed here; Django's own tables
(auth_*, django_*) live in the same database and belong to Django's migrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from shop.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Compare only our own tables: Django's tables share the database."""
    if type_ == "table":
        return name in Base.metadata.tables
    return True


def _include_object_on(dialect: str) -> Any:
    """Leave out the model's indexes that exist on other databases only (trigram indexes)."""

    def include_object(obj: Any, _name: Any, type_: str, reflected: bool, _other: Any) -> bool:
        if type_ != "index" or reflected:
            return True
        dialects = obj.info.get("dialects")
        return dialects is None or dialect in dialects

    return include_object


def context_options(dialect: str) -> dict[str, Any]:
    """Options shared by env.py and the model/migration agreement check."""
    return {
        "target_metadata": Base.metadata,
        "include_name": include_name,
        "include_object": _include_object_on(dialect),
        # Each revision commits on its own, so one may build indexes outside a
        # transaction (PostgreSQL's CREATE INDEX CONCURRENTLY) without undoing another.
        "transaction_per_migration": True,
        "compare_type": True,
        "compare_server_default": True,
        "render_as_batch": True,  # SQLite needs table rebuilds for ALTER
        "user_module_prefix": "shop.models.types.",
    }


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this folder, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_head(engine: Engine) -> None:
    """Apply every revision up to head, each in its own transaction (Alembic begins them)."""
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()


def pending_changes(connection: Connection) -> list[Any]:
    """Differences between the models and the migrated schema (empty when they agree)."""
    context = MigrationContext.configure(connection, opts=context_options(connection.dialect.name))
    return list(compare_metadata(context, Base.metadata))


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def pending_revisions(connection: Connection) -> list[str]:
    """Revisions not yet applied, oldest first, as 'id message'."""
    directory = ScriptDirectory.from_config(alembic_config())
    revisions = list(directory.iterate_revisions(head_revision(), current_revision(connection)))
    return [f"{rev.revision} {rev.doc}" for rev in reversed(revisions)]


def next_revision_id() -> str:
    """Sequential, zero-padded ids (0001, 0002, ...) so files sort in order."""
    directory = ScriptDirectory.from_config(alembic_config())
    return f"{len(list(directory.walk_revisions())) + 1:04d}"
