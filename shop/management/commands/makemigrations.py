"""`makemigrations`: Django's, then an Alembic revision when the SQLAlchemy models changed."""

from __future__ import annotations

import sys
from typing import Any

from alembic import command
from django.core.management.base import CommandError
from django.core.management.commands.makemigrations import Command as DjangoMakemigrations

from shop.db import get_engine
from shop.migrations import (
    alembic_config,
    current_revision,
    head_revision,
    next_revision_id,
    pending_changes,
)


class Command(DjangoMakemigrations):
    help = DjangoMakemigrations.help + " Also autogenerates an Alembic revision for shop models."

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        if app_labels and "shop" not in app_labels:
            return
        changes = self._changes()
        if not changes:
            self.stdout.write("No changes detected in the SQLAlchemy models")
            return
        if options["check_changes"]:
            self.stdout.write(f"SQLAlchemy models have {len(changes)} unmigrated change(s)")
            sys.exit(1)
        if options["dry_run"]:
            for change in changes:
                self.stdout.write(f"  {change}")
            return
        self._write_revision(options.get("name") or "auto")

    def _changes(self) -> list[Any]:
        with get_engine().connect() as connection:
            if current_revision(connection) != head_revision():
                raise CommandError(
                    "The database is not at the latest Alembic revision; run "
                    "`python manage.py migrate` first, then makemigrations."
                )
            return pending_changes(connection)

    def _write_revision(self, name: str) -> None:
        with get_engine().begin() as connection:
            script = command.revision(
                alembic_config(connection),
                message=name,
                autogenerate=True,
                rev_id=next_revision_id(),
            )
        path = getattr(script, "path", script)
        self.stdout.write(self.style.MIGRATE_HEADING("SQLAlchemy models (Alembic):"))
        self.stdout.write(f"  {path}")
