"""Changelist (and report page) render time and query count on a large demo database.

    python -m tests.benchmarks.changelist [--scale 200] [--runs 5] [--keep]

Seeds `seed_demo --scale N` into a throwaway SQLite file under /tmp (deleted afterwards
unless --keep), then renders a few changelist pages through Django's test client and
prints, for each, the median wall time, the number of SQL statements and the COUNTs
among them. Figures depend on the machine; nothing here gates CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from typing import Any

PAGES = [
    ("orders, unfiltered", "/admin/commerce/order/", {}),
    ("orders, page 50", "/admin/commerce/order/?p=50", {}),
    ("orders, filtered", "/admin/commerce/order/?status__exact=paid", {}),
    ("orders, searched", "/admin/commerce/order/?q=a", {}),
    ("orders, year 2026", "/admin/commerce/order/?created_at__year=2026", {}),
    ("order items, sorted by product", "/admin/commerce/orderitem/?o=1.-0", {}),
    ("order items, count_strategy=none", "/admin/commerce/orderitem/", {"count_strategy": "none"}),
    (
        "enrollments, filtered",
        "/admin/school/enrollment/?status__exact=completed&grade__in=A,B",
        {},
    ),
    ("appointments, vet filter", "/admin/clinic/appointment/?vet__id__exact=3", {}),
    ("users, searched", "/admin/social/user/?q=an", {}),
    ("users, sorted by followers", "/admin/social/user/?o=-5", {}),
    ("carts, sorted by total", "/admin/commerce/cart/?o=-3", {}),
    ("carts, abandoned 30 days", "/admin/commerce/cart/?abandoned=30", {}),
    ("students, sorted by GPA", "/admin/school/student/?o=-5", {}),
    ("courses, with averages", "/admin/school/course/", {}),
    ("owners, sorted by pets", "/admin/clinic/owner/?o=-3", {}),
    ("grade book of course 1", "/admin/school/course/1/gradebook/", {}),
    ("sales dashboard", "/admin/commerce/dashboard/", {}),
]


def _configure(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


def _prepare(scale: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's "testserver" host through
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_demo", scale=scale, stdout=StringIO(), stderr=StringIO())
    print(f"seeded scale {scale} in {time.perf_counter() - started:.1f}s")
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


class _Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append(statement)


def _measure(client: Any, url: str, runs: int, counter: _Counter) -> tuple[float, int, int, int]:
    timings = []
    rows = 0
    for _ in range(runs):
        counter.statements.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        rows = response.content.decode().count("<tr data-pk=")
    counts = sum("count(" in s.lower() for s in counter.statements)
    return statistics.median(timings) * 1000, len(counter.statements), counts, rows


def _table_sizes() -> dict[str, int]:
    from sqlalchemy import func, select

    from shop.db import session_scope
    from shop.registrations import site

    with session_scope() as session:
        return {
            admin.model_name: session.execute(
                select(func.count()).select_from(admin.table)
            ).scalar_one()
            for admin in site.model_admins()
            if admin.model_name
            in ("order", "orderitem", "cart", "enrollment", "student", "appointment", "user")
        }


def run(scale: int, runs: int, database: Path) -> None:
    _configure(database)
    from sqlalchemy import event

    from shop.db import get_engine
    from shop.registrations import site

    client = _prepare(scale)
    print("rows:", ", ".join(f"{name} {count:,}" for name, count in _table_sizes().items()))
    counter = _Counter()
    event.listen(get_engine(), "before_cursor_execute", counter)
    admins = {f"/admin/{a.app_label}/{a.model_name}/": a for a in site.model_admins()}
    print(f"{'page':<36} {'median ms':>9} {'queries':>7} {'COUNTs':>6} {'rows':>5}")
    for label, url, options in PAGES:
        admin = admins.get(url.split("?")[0])  # None for a page that is not a changelist
        saved = {name: getattr(admin, name) for name in options}
        for name, value in options.items():
            setattr(admin, name, value)
        try:
            millis, queries, counts, rows = _measure(client, url, runs, counter)
        finally:
            for name, value in saved.items():
                setattr(admin, name, value)
        print(f"{label:<36} {millis:>9.1f} {queries:>7} {counts:>6} {rows:>5}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="changelist-bench-"))
    database = directory / "bench.sqlite3"
    try:
        run(args.scale, args.runs, database)
    finally:
        if not args.keep:
            for path in directory.glob("bench.sqlite3*"):
                path.unlink()
            directory.rmdir()
        else:
            print(f"kept {database}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
