"""Export throughput and peak memory on a large table (not a test).

    python -m tests.benchmarks.export [--rows 200000] [--keep]

Bulk-inserts `--rows` products and as many order lines into a throwaway SQLite file
under /tmp (deleted afterwards unless --keep), then streams exports through Django's
test client: products (plain columns) and order lines (two many-to-one joins), as CSV
and JSON Lines. For each it prints rows per second (a run without tracing) and the peak
of Python allocations while the body is read (a second run under tracemalloc, which is
slower). Figures depend on the machine; nothing here gates CI.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

EXPORTS = [
    ("products, csv", "/admin/commerce/product/export/?format=csv"),
    ("products, jsonl", "/admin/commerce/product/export/?format=jsonl"),
    ("order lines, csv", "/admin/commerce/orderitem/export/?format=csv"),
    ("order lines, jsonl, by product", "/admin/commerce/orderitem/export/?format=jsonl&o=1"),
]
BATCH = 10_000
LINES_PER_ORDER = 50


def _configure(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "true")
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


def _prepare(count: int) -> Any:
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


def _read(client: Any, url: str) -> tuple[int, int]:
    """(lines, bytes) of the streamed body, read chunk by chunk and dropped."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    lines = size = 0
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
    finally:
        response.close()
    return lines, size


def _measure(client: Any, url: str) -> tuple[int, float, float, float]:
    started = time.perf_counter()
    lines, size = _read(client, url)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        _read(client, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines, seconds, size / 2**20, peak / 2**20


def run(count: int, database: Path) -> None:
    _configure(database)
    client = _prepare(count)
    print(f"{'export':<30} {'lines':>9} {'seconds':>8} {'rows/s':>9} {'MB out':>7} {'peak MB':>8}")
    for label, url in EXPORTS:
        lines, seconds, out, peak = _measure(client, url)
        rate = lines / seconds if seconds else 0.0
        print(f"{label:<30} {lines:>9,} {seconds:>8.2f} {rate:>9,.0f} {out:>7.1f} {peak:>8.1f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="export-bench-"))
    database = directory / "bench.sqlite3"
    try:
        run(args.rows, database)
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
