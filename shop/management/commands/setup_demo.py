"""`manage.py setup_demo`: the first-run helper behind `make run` (safe to run every time).

Seeds demo data into empty domain tables and creates an `admin` superuser when none exists,
printing its one-time password. Later runs change nothing. Expects a migrated schema.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shop import demo
from shop.db import session_scope

ADMIN_URL = "http://127.0.0.1:8000/admin/"
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@example.com"


class Command(BaseCommand):
    help = "First run: seed demo data if the domain tables are empty and create an admin superuser."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        seeded = self._seed_if_empty(verbosity)
        password = self._create_superuser_if_missing()
        if password is not None:
            self._print_sign_in(password)
        elif not seeded and verbosity > 0:
            self.stdout.write("Demo data and a superuser are already in place; nothing to do.")

    def _seed_if_empty(self, verbosity: int) -> bool:
        with session_scope() as session:
            if demo.filled_tables(session):
                return False
        if verbosity > 0:
            self.stdout.write("The domain tables are empty: seeding demo data (scale 1)...")
        # Quietly: one line here says more to a first-time user than a line per table.
        call_command("seed_demo", scale=1, verbosity=0, stdout=self.stdout, stderr=self.stderr)
        if verbosity > 0:
            self.stdout.write(
                "Demo data ready (for more rows: manage.py seed_demo --reset --scale 10)."
            )
        return True

    def _create_superuser_if_missing(self) -> str | None:
        """The new superuser's password, or None when one exists already."""
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return None
        if users.objects.filter(username=ADMIN_USERNAME).exists():
            # Never reset the password of an account someone already uses.
            self.stderr.write(
                f"A user named {ADMIN_USERNAME!r} exists but no superuser does; "
                "create one with `manage.py createsuperuser`."
            )
            return None
        password = secrets.token_urlsafe(16)
        users.objects.create_superuser(
            username=ADMIN_USERNAME, email=ADMIN_EMAIL, password=password
        )
        return password

    def _print_sign_in(self, password: str) -> None:
        # Shown once: only the password's hash is stored.
        self.stdout.write(self.style.SUCCESS("Created a superuser for the admin. Sign in at:"))
        self.stdout.write(f"  URL:      {ADMIN_URL}")
        self.stdout.write(f"  username: {ADMIN_USERNAME}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write("This password is shown only once; change it at /admin/password_change/.")
