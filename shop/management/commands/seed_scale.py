"""`manage.py seed_scale [--scale F] [--reset]`: the production-volume reference data set.

PostgreSQL only: 100k users and products, 1M orders with 5M lines, 1M enrollments,
1M appointments and the rest (shop.demo.scale), in one transaction, then VACUUM ANALYZE
so the planner's statistics and the visibility map (index-only scans) are ready for
`python -m tests.benchmarks.scale`.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from shop import demo
from shop.db import describe_connection_error, get_engine
from shop.demo import scale as reference

MAX_SCALE = 10.0


def scale_factor(raw: Any) -> float:
    """--scale: a number above 0 and at most MAX_SCALE (1 is the issue's volume)."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = 0.0
    if not 0 < value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_SCALE:g}, got {raw!r}")
    return value


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated PostgreSQL database with the production-volume reference "
        "data set (1M orders, 5M order lines, ...) for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=scale_factor,
            default=1.0,
            help=f"volume multiplier, above 0 and at most {MAX_SCALE:g} (default 1: 1M orders)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="empty every domain table first (Django's own tables are never touched)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if get_engine().dialect.name != "postgresql":
            raise CommandError(
                "seed_scale loads PostgreSQL only (DATABASE_URL=postgresql://...); "
                "seed_demo --scale N fills SQLite and MariaDB"
            )
        started = time.perf_counter()
        try:
            counts = self._load(scale_factor(options["scale"]), options["reset"], options)
            self._vacuum(options["verbosity"])
        except SQLAlchemyError as exc:
            message = describe_connection_error(exc)
            if message is None:
                raise
            raise CommandError(message) from exc
        if options["verbosity"] > 0:
            summary = (
                f"Loaded {sum(counts.values()):,} rows into {len(counts)} tables "
                f"in {time.perf_counter() - started:.0f}s (scale {options['scale']:g})."
            )
            self.stdout.write(self.style.SUCCESS(summary))

    def _load(self, scale: float, reset: bool, options: dict[str, Any]) -> dict[str, int]:
        use_bar = options["verbosity"] > 0 and self.stderr.isatty()
        bar = tqdm(total=len(reference.STEPS), unit="step", leave=False) if use_bar else None

        def on_step(table: str, rows: int) -> None:
            if bar is not None:
                bar.set_postfix_str(f"{table}: {rows:,} rows")
                bar.update()

        # One transaction: a failure anywhere leaves the database as it was.
        with get_engine().begin() as connection:
            self._prepare(connection, reset)
            try:
                now = datetime.now(UTC)
                counts = reference.load(connection, scale=scale, now=now, on_step=on_step)
            finally:
                if bar is not None:
                    bar.close()
            demo.advance_sequences(Session(bind=connection))
        return counts

    def _prepare(self, connection: Connection, reset: bool) -> None:
        tables = demo.domain_tables()
        inspector = inspect(connection)
        missing = [table.name for table in tables if not inspector.has_table(table.name)]
        if missing:
            raise CommandError(
                f"the domain tables do not exist yet ({', '.join(missing[:3])}); "
                "run `manage.py migrate` first"
            )
        if reset:
            quote = connection.dialect.identifier_preparer
            # Names from the mapped tables only; TRUNCATE is the fast way to empty 11M rows.
            names = ", ".join(quote.format_table(table) for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            return
        filled = demo.filled_tables(Session(bind=connection))
        if filled:
            raise CommandError(
                f"the database already has domain data ({', '.join(filled[:3])}); "
                "run `manage.py seed_scale --reset` to replace it"
            )

    def _vacuum(self, verbosity: int) -> None:
        """VACUUM ANALYZE, which cannot run inside a transaction block."""
        if verbosity > 0:
            self.stderr.write("VACUUM ANALYZE …")
        with get_engine().connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            quote = connection.dialect.identifier_preparer
            for table in demo.domain_tables():
                autocommit.execute(text(f"VACUUM (ANALYZE) {quote.format_table(table)}"))
