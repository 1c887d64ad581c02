"""`manage.py seed_demo [--scale N] [--reset] [--seed S]`: demo data in every domain table."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from shop import demo
from shop.db import describe_connection_error, session_scope

SHOWN_TABLES = 3


def positive_int(raw: Any) -> int:
    """--scale: a whole number >= 1 (argparse type, also applied to call_command kwargs)."""
    value = None
    if not isinstance(raw, (bool, float)):  # 1.5 and True are not scales, even if int() takes them
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {raw!r}")
    return value


class _Progress:
    """A tqdm bar on a terminal, else one line per table (nothing at verbosity 0)."""

    def __init__(self, command: BaseCommand, total: int, verbosity: int) -> None:
        self._command = command
        self._verbosity = verbosity
        # The bar goes to stderr (tqdm's default) so that stdout stays one clean summary.
        use_bar = verbosity > 0 and command.stdout.isatty()
        self._bar = tqdm(total=total, unit="table", leave=False) if use_bar else None

    def __call__(self, table: str, rows: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"{table}: {rows:,} rows")
            self._bar.update()
        elif self._verbosity > 0:
            self._command.stdout.write(f"  {table}: {rows:,} rows")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Command(BaseCommand):
    help = (
        "Fill every domain table with realistic, reproducible demo data "
        "(refuses a database that already has domain data unless --reset)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive_int,
            default=1,
            help="size multiplier: 1 is ~50 users, ~40 products, ~60 students (default 1)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help="random seed; the same seed and scale give the same data "
            f"(default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="empty every domain table first (Django's own tables are never touched)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scale = positive_int(options["scale"])
        except argparse.ArgumentTypeError as exc:
            raise CommandError(f"--scale {exc}") from None
        started = time.perf_counter()
        try:
            counts = self._seed(scale, options["seed"], options["reset"], options["verbosity"])
        except SQLAlchemyError as exc:
            message = describe_connection_error(exc)
            if message is None:
                raise
            raise CommandError(message) from exc
        if options["verbosity"] > 0:
            elapsed = time.perf_counter() - started
            summary = (
                f"Seeded {sum(counts.values()):,} rows into {len(counts)} tables "
                f"in {elapsed:.2f}s (scale {scale}, seed {options['seed']})."
            )
            self.stdout.write(self.style.SUCCESS(summary))

    def _seed(self, scale: int, seed: int, reset: bool, verbosity: int) -> dict[str, int]:
        # One transaction: a failure anywhere leaves the database as it was.
        with session_scope() as session:
            self._check_schema(session)
            if reset:
                demo.empty_domain_tables(session)
            else:
                self._refuse_if_filled(session)
            progress = _Progress(self, len(demo.STEPS), verbosity)
            try:
                return demo.seed(session, scale=scale, seed=seed, on_table=progress)
            finally:
                progress.close()

    def _check_schema(self, session: Session) -> None:
        missing = demo.missing_tables(session)
        if missing:
            raise CommandError(
                f"the domain tables do not exist yet (missing {_first_few(missing)}); "
                "run `manage.py migrate` first"
            )

    def _refuse_if_filled(self, session: Session) -> None:
        filled = demo.filled_tables(session)
        if filled:
            raise CommandError(
                f"the database already has domain data ({_first_few(filled)}); "
                "run `manage.py seed_demo --reset` to replace it"
            )


def _first_few(names: list[str]) -> str:
    # Keeps the error on one line however many tables are involved.
    more = ", ..." if len(names) > SHOWN_TABLES else ""
    return ", ".join(names[:SHOWN_TABLES]) + more
