"""Export throughput and memory on a large table (not a test).

    python -m tests.benchmarks.export [--rows 200000] [--keep] [--runs 1]
    DATABASE_URL=postgresql://.../shop_scale python -m tests.benchmarks.export --existing
        [--runs 3] [--only orders] [--trace]

Without --existing it bulk-inserts `--rows` products and as many order lines into a
throwaway SQLite file under /tmp (deleted afterwards unless --keep) and exports products
(plain columns) and order lines (two many-to-one joins). With --existing it reuses the
database DATABASE_URL names (the reference data set `manage.py seed_scale` fills; no
domain row is written) and exports its 1M orders (a join and two per-order aggregates)
and 100k products. Every export is read through Django's test client, chunk by chunk,
as CSV and as JSON Lines. For each it prints rows per second (the median of --runs);
the worker process's CPU time (all its threads: on a busy machine, the part of the time
that is its own work); the worker's RSS growth (its highest resident size while a body
was read, above its size before the first export); and, unless --no-trace (or with
--existing, unless --trace), the peak of Python allocations in a run under tracemalloc
(which is slower). Figures depend on the machine; nothing here gates CI.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

SQLITE_EXPORTS = [
    ("products, csv", "/admin/commerce/product/export/?format=csv"),
    ("products, jsonl", "/admin/commerce/product/export/?format=jsonl"),
    ("order lines, csv", "/admin/commerce/orderitem/export/?format=csv"),
    ("order lines, jsonl, by product", "/admin/commerce/orderitem/export/?format=jsonl&o=1"),
]
EXISTING_EXPORTS = [
    ("orders, csv", "/admin/commerce/order/export/?format=csv"),
    ("orders, jsonl", "/admin/commerce/order/export/?format=jsonl"),
    (
        "orders paid, by total, csv",
        "/admin/commerce/order/export/?format=csv&status__exact=paid&o=-4",
    ),
    ("products, csv", "/admin/commerce/product/export/?format=csv"),
    ("products, jsonl", "/admin/commerce/product/export/?format=jsonl"),
]
BATCH = 10_000
LINES_PER_ORDER = 50
BENCHMARK_USER = "benchmark"


def rss_bytes() -> int:
    """The process's resident set size now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    lines: int = 0
    size: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_peak: int = 0
    traced_peak: int | None = None


# Set-up


def _configure_sqlite(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
    _setup_django()


def _configure_existing() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        sys.exit("--existing: set DATABASE_URL to a database filled by `manage.py seed_scale`")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DEBUG"] = "false"  # as in production: no query log kept per statement
    _setup_django()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    logging.getLogger("shop.admin.export").setLevel(logging.WARNING)  # one line per export


def _insert_in_batches(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start : start + BATCH])


def _seed(count: int) -> None:
    from shop.db import get_engine
    from shop.models import Order, OrderItem, Product, User

    products = [
        {"id": n + 1, "sku": f"SKU-{n:07d}", "name": f"Product {n}", "price": Decimal("4.95")}
        for n in range(count)
    ]
    orders = [{"id": n + 1, "user_id": 1} for n in range(count // LINES_PER_ORDER + 1)]
    lines = [
        {
            "order_id": n // LINES_PER_ORDER + 1,
            "product_id": n + 1,
            "quantity": 1 + n % 3,
            "price_at_purchase": Decimal("4.95"),
        }
        for n in range(count)
    ]
    with get_engine().begin() as connection:
        connection.execute(User.__table__.insert(), {"username": "buyer", "email": "b@x.org"})
        _insert_in_batches(connection, Product, products)
        _insert_in_batches(connection, Order, orders)
        _insert_in_batches(connection, OrderItem, lines)


def _prepare_sqlite(count: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's "testserver" host through
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    _seed(count)
    print(
        f"inserted {count:,} products and {count:,} order lines in "
        f"{time.perf_counter() - started:.1f}s"
    )
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


def _existing_client() -> Any:
    """A client signed in as the benchmark superuser (made once, as tests.benchmarks.scale does)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username=BENCHMARK_USER).first()
    if user is None:
        user = user_model.objects.create_superuser(BENCHMARK_USER, "benchmark@example.com", None)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


# Measuring


def _read(client: Any, url: str, measure: Measure | None = None) -> tuple[int, int]:
    """(lines, bytes) of the streamed body, read chunk by chunk and dropped."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    lines = size = 0
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
            if measure is not None:
                measure.rss_peak = max(measure.rss_peak, rss_bytes())
    finally:
        response.close()
    return lines, size


def _measure(client: Any, url: str, runs: int, trace: bool) -> Measure:
    measure = Measure()
    for _ in range(runs):
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        measure.lines, measure.size = _read(client, url, measure)
        measure.seconds.append(time.perf_counter() - started)
        measure.cpu.append(time.process_time() - cpu)
    if trace:
        tracemalloc.start()
        try:
            _read(client, url)
            measure.traced_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return measure


def report(client: Any, exports: list[tuple[str, str]], runs: int, trace: bool) -> None:
    gc.collect()
    baseline = rss_bytes()
    print(
        f"{'export':<30} {'lines':>9} {'seconds':>8} {'CPU s':>6} {'rows/s':>9} {'MB out':>7} "
        f"{'RSS +MB':>8} {'peak MB':>8}"
    )
    for label, url in exports:
        found = _measure(client, url, runs, trace)
        seconds = statistics.median(found.seconds)
        rate = found.lines / seconds if seconds else 0.0
        growth = max(found.rss_peak - baseline, 0) / 2**20
        peak = "-" if found.traced_peak is None else f"{found.traced_peak / 2**20:.1f}"
        cpu = statistics.median(found.cpu)
        print(
            f"{label[:30]:<30} {found.lines:>9,} {seconds:>8.2f} {cpu:>6.2f} {rate:>9,.0f} "
            f"{found.size / 2**20:>7.1f} {growth:>8.1f} {peak:>8}"
        )


def run_sqlite(count: int, database: Path, only: str, runs: int, trace: bool) -> None:
    _configure_sqlite(database)
    client = _prepare_sqlite(count)
    report(client, [item for item in SQLITE_EXPORTS if only in item[0]], runs, trace)


def run_existing(only: str, runs: int, trace: bool) -> None:
    _configure_existing()
    client = _existing_client()
    report(client, [item for item in EXISTING_EXPORTS if only in item[0]], runs, trace)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--existing", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument("--rows", type=int, default=200_000, help="rows to seed (SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per export")
    parser.add_argument("--only", default="", help="only exports whose label contains this")
    parser.add_argument("--trace", action="store_true", help="also a run under tracemalloc")
    parser.add_argument("--no-trace", action="store_true", help="no run under tracemalloc")
    args = parser.parse_args(argv)
    if args.existing:
        run_existing(args.only, args.runs or 3, args.trace)
        return 0
    directory = Path(tempfile.mkdtemp(prefix="export-bench-"))
    database = directory / "bench.sqlite3"
    try:
        run_sqlite(args.rows, database, args.only, args.runs or 1, not args.no_trace)
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
