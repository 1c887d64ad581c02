"""`migrate`: Django's own migrations, then the SQLAlchemy schema up to Alembic's head."""

from __future__ import annotations

import sys
from typing import Any

from alembic import command
from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

from shop.db import get_engine
from shop.migrations import alembic_config, current_revision, pending_revisions


def _is_the_configured_database(alias: str) -> bool:
    # Django renames the connection's NAME while it sets up a test database.
    name = str(connections[alias].settings_dict["NAME"])
    return alias == DEFAULT_DB_ALIAS and name == str(settings.SQLALCHEMY_URL.database)


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Then applies the Alembic revisions of the shop schema."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if options.get("app_label") not in (None, "shop"):
            return
        if not _is_the_configured_database(options["database"]):
            # Django's test runner migrates its own test database; the test suite
            # migrates the SQLAlchemy test database itself.
            return
        if options["plan"]:
            self._plan()
        elif options["check_unapplied"]:
            self._check()
        else:
            self._upgrade(fake=options["fake"], verbose=options["verbosity"] >= 1)

    def _upgrade(self, *, fake: bool, verbose: bool) -> None:
        with get_engine().connect() as connection:
            before = current_revision(connection)
            # Alembic begins and commits each revision itself (one may build indexes
            # outside a transaction), so the read above must not hold one open.
            connection.rollback()
            config = alembic_config(connection)
            if fake:
                command.stamp(config, "head")
            else:
                command.upgrade(config, "head")
            connection.commit()
            after = current_revision(connection)
        if verbose:
            self.stdout.write(self.style.MIGRATE_HEADING("SQLAlchemy schema (Alembic):"))
            state = "already at" if before == after else ("faked to" if fake else "upgraded to")
            self.stdout.write(f"  {state} revision {after} (was {before or 'empty'})")

    def _pending(self) -> list[str]:
        with get_engine().connect() as connection:
            return pending_revisions(connection)

    def _plan(self) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("SQLAlchemy schema (Alembic) plan:"))
        pending = self._pending()
        for line in pending or ["  No planned revisions."]:
            self.stdout.write(f"  {line}" if pending else line)

    def _check(self) -> None:
        if self._pending():
            sys.exit(1)
