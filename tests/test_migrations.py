"""The Alembic revisions and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from sqlalchemy import Engine, inspect

from shop.migrations import current_revision, head_revision, pending_changes
from shop.models import Base


def test_the_test_database_is_at_the_head_revision(sa_engine: Engine) -> None:
    with sa_engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_autogenerate_finds_no_difference_between_models_and_migrations(sa_engine: Engine) -> None:
    with sa_engine.connect() as connection:
        assert pending_changes(connection) == []


def test_every_table_and_named_constraint_exists(sa_engine: Engine) -> None:
    inspector = inspect(sa_engine)
    assert set(Base.metadata.tables) <= set(inspector.get_table_names())
    unique_names = {uc["name"] for uc in inspector.get_unique_constraints("cart_items")}
    unique_names |= {ix["name"] for ix in inspector.get_indexes("cart_items") if ix.get("unique")}
    assert "uq_cart_items_cart_id_product_id" in unique_names


def test_makemigrations_check_reports_no_pending_change(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("makemigrations", "--check", "--dry-run")
    assert "No changes detected in the SQLAlchemy models" in capsys.readouterr().out
