"""Sales figures for the dashboard. Each function is ONE query.

Revenue is what customers paid: quantity times `price_at_purchase` (the snapshot, not
today's price) of the lines of orders that are not cancelled, summed by the database as
Money - integer cents on SQLite, NUMERIC elsewhere - so every figure is exact to the
cent. Days are UTC calendar days; a period is the last `days` days up to today (UTC).

Order ids grow with time, so the lines of a period's orders are the tail of the
order_items(order_id) index that starts at the period's first order. `order_window`
finds that id once (an index-only range scan of orders.created_at); the revenue and
top-product queries then read only that tail instead of joining every line ever sold.
The bound is exact whatever the ids: no order of the period has a smaller one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from shop.models import Order, OrderItem, Product
from shop.models.commerce import ORDER_STATUSES, ZERO
from shop.models.types import Money
from shop.reports.sql import utc_date
from shop.services.commerce.orders import ALLOWED_TRANSITIONS

PERIOD_DAYS = 30
TOP_PRODUCTS = 10
LOW_STOCK_THRESHOLD = 5  # active products with at most this many in stock
LOW_STOCK_SHOWN = 20
CANCELLED = "cancelled"
# Open orders can still move (staff act on them): counted whatever their date. Closed
# ones (delivered, cancelled) only pile up, so they are counted within the period.
OPEN_STATUSES = tuple(status for status in ORDER_STATUSES if ALLOWED_TRANSITIONS[status])
CLOSED_STATUSES = tuple(status for status in ORDER_STATUSES if status not in OPEN_STATUSES)


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
class OrderWindow:
    """A period and the smallest id of the orders placed in it (None: no orders)."""

    period: Period
    first_order_id: int | None


@dataclass(frozen=True)
class DayRevenue:
    day: date
    revenue: Decimal


@dataclass(frozen=True)
class StatusCount:
    """Orders in a status: every open one, or the closed ones placed in the period."""

    status: str
    count: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


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


def order_window(session: Session, period: Period) -> OrderWindow:
    """The period with the id of its first order (one index-only range scan)."""
    # count() beside min() keeps PostgreSQL from answering min(id) by walking the
    # primary key from the oldest order until one falls in the period.
    statement = select(func.min(Order.id), func.count()).where(period.condition(Order.created_at))
    first, _orders = session.execute(statement).one()
    return OrderWindow(period, first)


def _line_revenue(quantity: Any, price: Any) -> ColumnElement[Decimal]:
    """sum(quantity * price) as Money: exact cents whatever the database."""
    return func.sum(quantity * price, type_=Money())


def _paid_lines(window: OrderWindow) -> Select[Any]:
    """Order lines of orders in the window that were not cancelled (FROM and WHERE)."""
    statement = (
        select()
        .select_from(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.status != CANCELLED, window.period.condition(Order.created_at))
    )
    if window.first_order_id is not None:
        statement = statement.where(OrderItem.order_id >= window.first_order_id)
    return statement


def revenue_per_day(session: Session, window: OrderWindow) -> list[DayRevenue]:
    """Revenue of each day of the window's period, days without sales included as zero."""
    day = utc_date(Order.created_at).label("day")
    statement = (
        _paid_lines(window)
        .add_columns(
            day, _line_revenue(OrderItem.quantity, OrderItem.price_at_purchase).label("revenue")
        )
        .group_by(day)
        .order_by(day)
    )
    found = {row.day: row.revenue for row in session.execute(statement)}
    return [DayRevenue(day, found.get(day, ZERO)) for day in window.period.days]


def orders_by_status(session: Session, period: Period) -> list[StatusCount]:
    """Every open order by status, then the closed ones placed in `period` (exact counts).

    Each half reads one range of the orders(status, created_at) index, so the figures
    never cost a count of every order ever placed.
    """
    open_orders = select(Order.status, func.count().label("orders")).where(
        Order.status.in_(OPEN_STATUSES)
    )
    closed_orders = select(Order.status, func.count().label("orders")).where(
        Order.status.in_(CLOSED_STATUSES), period.condition(Order.created_at)
    )
    statement = open_orders.group_by(Order.status).union_all(closed_orders.group_by(Order.status))
    found = {status: int(count) for status, count in session.execute(statement)}
    return [StatusCount(status, found.get(status, 0)) for status in ORDER_STATUSES]


def top_products(
    session: Session, window: OrderWindow, limit: int = TOP_PRODUCTS
) -> list[ProductRevenue]:
    """The products that brought the most revenue in the window, best first.

    The lines come sorted by product, so the database sums each product's lines as they
    stream by rather than hashing some hundred thousand products it cannot foresee (its
    estimate of the lines of a period is far too low); only the `limit` best are then
    joined to products for their sku and name.
    """
    lines = (
        _paid_lines(window)
        .add_columns(OrderItem.product_id, OrderItem.quantity, OrderItem.price_at_purchase)
        .order_by(OrderItem.product_id)
        .subquery("lines")
    )
    revenue = _line_revenue(lines.c.quantity, lines.c.price_at_purchase).label("revenue")
    best = (
        select(lines.c.product_id, func.sum(lines.c.quantity).label("units"), revenue)
        .group_by(lines.c.product_id)
        .order_by(revenue.desc(), lines.c.product_id)
        .limit(limit)
        .subquery("best")
    )
    statement = (
        select(Product.id, Product.sku, Product.name, best.c.units, best.c.revenue)
        .join(best, best.c.product_id == Product.id)
        .order_by(best.c.revenue.desc(), Product.id)
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
