"""Realistic, reproducible demo data for every domain table (`manage.py seed_demo`).

Built from small word lists with one `random.Random(seed)`: the same seed and scale give
the same rows. One module per domain; `loader` inserts them in bulk.
"""

from __future__ import annotations

from shop.demo.context import DEFAULT_SEED
from shop.demo.loader import (
    STEPS,
    advance_sequences,
    domain_tables,
    empty_domain_tables,
    filled_tables,
    missing_tables,
    seed,
)

__all__ = [
    "DEFAULT_SEED",
    "STEPS",
    "advance_sequences",
    "domain_tables",
    "empty_domain_tables",
    "filled_tables",
    "missing_tables",
    "seed",
]
