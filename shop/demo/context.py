"""What one demo-data run shares: the random source, the clock, and facts later tables need.

Every table is built as a list of plain dicts with explicit primary keys 1..n, so rows can
be inserted in bulk (executemany) without flushes or RETURNING. Later tables refer to
earlier rows by those ids; the few facts they need (join dates, prices) live here.
`version_id` is left out: the ORM's bulk INSERT starts every optimistic-lock counter itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table

from shop.models import Base

T = TypeVar("T")
Row = dict[str, Any]

# Fixed so that two runs with the same --scale produce the same data.
DEFAULT_SEED = 20250101


@dataclass(frozen=True)
class PriceChange:
    """A product's price before its one recorded change (orders older than it paid `old`)."""

    old: Decimal
    at: datetime
    actor: str


@dataclass
class DemoContext:
    rng: random.Random
    scale: int
    now: datetime
    user_joined: list[datetime] = field(default_factory=list)
    user_names: list[tuple[str, str, str]] = field(default_factory=list)  # first, last, username
    posts: list[tuple[int, datetime]] = field(default_factory=list)  # author, created
    product_prices: list[Decimal] = field(default_factory=list)
    product_labels: list[str] = field(default_factory=list)
    sellable_products: list[int] = field(default_factory=list)
    price_changes: dict[int, PriceChange] = field(default_factory=dict)
    filled_carts: list[int] = field(default_factory=list)
    order_created: list[datetime] = field(default_factory=list)
    pet_born: list[date | None] = field(default_factory=list)
    vet_count: int = 0
    student_count: int = 0
    graded: list[Row] = field(default_factory=list)  # enrollment rows that carry a grade
    audit_details: list[Row] = field(default_factory=list)

    @classmethod
    def create(cls, *, scale: int, seed: int, today: date | None = None) -> DemoContext:
        # Dates are relative to today (appointments stay upcoming); anchoring at midnight
        # UTC makes reruns on the same day produce identical rows.
        day = today or datetime.now(UTC).date()
        return cls(rng=random.Random(seed), scale=scale, now=datetime.combine(day, time(), UTC))

    def count(self, per_scale: int) -> int:
        """A table size that grows linearly with --scale."""
        return per_scale * self.scale

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end], to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def days_ago(self, low: float, high: float) -> datetime:
        """A moment between `high` and `low` days before now."""
        return self.between(self.now - timedelta(days=high), self.now - timedelta(days=low))

    def maybe(self, probability: float, value: T) -> T | None:
        return value if self.rng.random() < probability else None


def spread(rng: random.Random, values: Sequence[T], weights: Sequence[float], n: int) -> list[T]:
    """`n` weighted choices in which every value appears at least once when n allows."""
    chosen = rng.choices(values, weights, k=n)
    if n >= len(values):
        # Small data sets must still show every status, not just the likely ones.
        for position, value in zip(rng.sample(range(n), len(values)), values, strict=True):
            chosen[position] = value
    return chosen


class UniqueNames:
    """Hands out unique strings, numbering repeats (alice.chen, alice.chen2, ...)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        candidate = base if count == 1 else f"{base}{count}"
        if candidate != base and candidate in self._seen:
            return self(base)  # the numbered form was itself taken as a base name
        self._seen.setdefault(candidate, 1)
        return candidate


@dataclass(frozen=True)
class Step:
    """One table and the function that builds all of its rows."""

    target: type[Base] | Table
    build: Callable[[DemoContext], list[Row]]

    @property
    def table(self) -> Table:
        if isinstance(self.target, Table):
            return self.target
        table = self.target.__table__
        assert isinstance(table, Table)
        return table
