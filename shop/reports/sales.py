"""Sales figures for the dashboard. Each function is ONE aggregate query.

Revenue is what customers paid: quantity times `price_at_purchase` (the snapshot, not
today's price) of the lines of orders that are not cancelled, summed by the database as
Money - integer cents on SQLite, NUMERIC elsewhere - so every figure is exact to the
cent. Days are UTC calendar days; a period is the last `days` days up to today (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from shop.models import Order, OrderItem, Product
from shop.models.commerce import ORDER_STATUSES, ZERO
from shop.models.types import Money
from shop.reports.sql import utc_date

PERIOD_DAYS = 30
TOP_PRODUCTS = 10
LOW_STOCK_THRESHOLD = 5  # active products with at most this many in stock
LOW_STOCK_SHOWN = 20
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Period:
    """UTC days `first` to `last`, both included."""

    first: date
    last: date

    @classmethod
    def ending(cls, last: date, days: int = PERIOD_DAYS) -> Period:
        return cls(last - timedelta(days=days - 1), last)

    @property
    def days(self) -> list[date]:
        count = (self.last - self.first).days + 1
        return [self.first + timedelta(days=offset) for offset in range(count)]

    def condition(self, column: Any) -> ColumnElement[bool]:
        """`column` (a UTC timestamp) within the period: a half-open range an index serves."""
        start = datetime.combine(self.first, time(), UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), UTC)
        return (column >= start) & (column < end)


@dataclass(frozen=True)
class DayRevenue:
    day: date
    revenue: Decimal


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class ProductRevenue:
    product_id: int
    sku: str
    name: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class LowStock:
    """The first low-stock products, and how many there are in all."""

    products: list[tuple[int, str, str, int]]  # (id, sku, name, stock)
    total: int


def _line_revenue() -> ColumnElement[Decimal]:
    """sum(quantity * price_at_purchase) as Money: exact cents whatever the database."""
    return func.sum(OrderItem.quantity * OrderItem.price_at_purchase, type_=Money())


def _paid_lines(period: Period) -> Any:
    """Order lines of orders in `period` that were not cancelled (FROM and WHERE)."""
    return (
        select()
        .select_from(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.status != CANCELLED, period.condition(Order.created_at))
    )


def revenue_per_day(session: Session, period: Period) -> list[DayRevenue]:
    """Revenue of each day of `period`, days without sales included as zero."""
    day = utc_date(Order.created_at).label("day")
    statement = (
        _paid_lines(period)
        .add_columns(day, _line_revenue().label("revenue"))
        .group_by(day)
        .order_by(day)
    )
    found = {row.day: row.revenue for row in session.execute(statement)}
    return [DayRevenue(day, found.get(day, ZERO)) for day in period.days]


def orders_by_status(session: Session) -> list[StatusCount]:
    """How many orders are in each status (every status listed, in lifecycle order)."""
    statement = select(Order.status, func.count(Order.id)).group_by(Order.status)
    found = {status: int(count) for status, count in session.execute(statement)}
    return [StatusCount(status, found.get(status, 0)) for status in ORDER_STATUSES]


def top_products(
    session: Session, period: Period, limit: int = TOP_PRODUCTS
) -> list[ProductRevenue]:
    """The products that brought the most revenue in `period`, best first."""
    revenue = _line_revenue().label("revenue")
    statement = (
        _paid_lines(period)
        .join(Product, Product.id == OrderItem.product_id)
        .add_columns(
            Product.id,
            Product.sku,
            Product.name,
            func.sum(OrderItem.quantity).label("units"),
            revenue,
        )
        .group_by(Product.id, Product.sku, Product.name)
        .order_by(revenue.desc(), Product.id)
        .limit(limit)
    )
    return [
        ProductRevenue(row.id, row.sku, row.name, int(row.units), row.revenue)
        for row in session.execute(statement)
    ]


def low_stock(
    session: Session, threshold: int = LOW_STOCK_THRESHOLD, limit: int = LOW_STOCK_SHOWN
) -> LowStock:
    """Active products with at most `threshold` in stock, fewest first, and their number.

    The number comes with the rows (a window count over the whole match, taken before
    the LIMIT), so the panel stays one query.
    """
    statement = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.stock,
            func.count().over().label("matching"),
        )
        .where(Product.is_active.is_(True), Product.stock <= threshold)
        .order_by(Product.stock, Product.sku)
        .limit(limit)
    )
    rows = session.execute(statement).all()
    products = [(row.id, row.sku, row.name, row.stock) for row in rows]
    return LowStock(products, int(rows[0].matching) if rows else 0)
