"""Demo shop: products (some repriced after they sold), carts with items, orders in every status.

Order lines snapshot the price paid: lines older than a product's price change carry the
old price, so `price_at_purchase` differs from today's price exactly where it should.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from shop.demo.context import DemoContext, PriceChange, Row, Step, spread
from shop.demo.words import (
    CATALOG_ACTORS,
    PRODUCT_ADJECTIVES,
    PRODUCT_CATEGORIES,
    PRODUCT_COLOURS,
)
from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.models.commerce import ORDER_STATUSES

PRODUCTS_PER_SCALE = 40
ORDERS_PER_SCALE = 60
# Typical whole-unit price range per category (SKU prefix).
PRICE_RANGES = {"APP": (9, 120), "KIT": (12, 180), "OUT": (8, 220), "OFF": (3, 90)}
DEFAULT_PRICE_RANGE = (10, 250)
CENT_ENDINGS = (Decimal("0.99"), Decimal("0.49"), Decimal("0.95"), Decimal("0.00"))
# How long ago an order in each status was placed, in days (min, max).
ORDER_AGE = {
    "pending": (0, 3),
    "paid": (0.5, 7),
    "shipped": (2, 14),
    "delivered": (7, 365),
    "cancelled": (1, 365),
}
QUANTITIES = ((1, 2, 3, 5), (70, 20, 7, 3))


def _price(ctx: DemoContext, whole: int) -> Decimal:
    return Decimal(max(1, whole)) + ctx.rng.choice(CENT_ENDINGS)


def _maybe_reprice(ctx: DemoContext, product_id: int, whole: int) -> None:
    """Give about a third of the products an earlier, different price (raised or cut)."""
    rng = ctx.rng
    if rng.random() >= 0.35:
        return
    old_whole = max(1, round(whole * rng.uniform(0.75, 1.25)))
    if old_whole == whole:
        old_whole += 1
    when = ctx.days_ago(2, 150)
    actor = rng.choice(CATALOG_ACTORS)
    ctx.price_changes[product_id] = PriceChange(_price(ctx, old_whole), when, actor)


def _product_name(ctx: DemoContext, noun: str) -> str:
    rng = ctx.rng
    colour = f"{rng.choice(PRODUCT_COLOURS)} " if rng.random() < 0.5 else ""
    return f"{rng.choice(PRODUCT_ADJECTIVES)} {colour}{noun}"


def build_products(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    rows: list[Row] = []
    for product_id in range(1, ctx.count(PRODUCTS_PER_SCALE) + 1):
        prefix, nouns = rng.choice(PRODUCT_CATEGORIES)
        low, high = PRICE_RANGES.get(prefix, DEFAULT_PRICE_RANGE)
        whole = rng.randint(low, high)
        _maybe_reprice(ctx, product_id, whole)
        price = _price(ctx, whole)
        stock = 0 if rng.random() < 0.1 else rng.randint(1, 250)
        active = rng.random() < 0.9  # discontinued products stay, deactivated, for old orders
        name, sku = _product_name(ctx, rng.choice(nouns)), f"{prefix}-{product_id:06d}"
        ctx.product_prices.append(price)
        ctx.product_labels.append(f"{name} ({sku})")
        if active and stock:
            ctx.sellable_products.append(product_id)
        rows.append(
            {
                "id": product_id,
                "sku": sku,
                "name": name,
                "price": price,
                "stock": stock,
                "is_active": active,
            }
        )
    return rows


def build_carts(ctx: DemoContext) -> list[Row]:
    """One cart per user, as registration creates it; many hold items."""
    rows: list[Row] = []
    for user_id, joined in enumerate(ctx.user_joined, start=1):
        updated = joined
        if ctx.rng.random() < 0.6:
            ctx.filled_carts.append(user_id)
            updated = ctx.between(max(joined, ctx.now - timedelta(days=60)), ctx.now)
        rows.append(
            {"id": user_id, "user_id": user_id, "created_at": joined, "updated_at": updated}
        )
    return rows


def build_cart_items(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    rows: list[Row] = []
    sellable = ctx.sellable_products
    for cart_id in ctx.filled_carts:
        count = min(len(sellable), rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0])
        for product_id in sorted(rng.sample(sellable, count)):
            quantity = rng.choices(*QUANTITIES)[0]
            rows.append(
                {
                    "id": len(rows) + 1,
                    "cart_id": cart_id,
                    "product_id": product_id,
                    "quantity": quantity,
                }
            )
    return rows


def _customer(ctx: DemoContext, placed: datetime) -> tuple[int, datetime]:
    """A user who had joined before `placed` (the order date moves if nobody had)."""
    joined = ctx.user_joined
    user_id = ctx.rng.randint(1, len(joined))
    for _ in range(20):
        if joined[user_id - 1] < placed:
            return user_id, placed
        user_id = ctx.rng.randint(1, len(joined))
    return user_id, max(placed, joined[user_id - 1] + timedelta(hours=1))


def build_orders(ctx: DemoContext) -> list[Row]:
    rows: list[Row] = []
    statuses = spread(ctx.rng, ORDER_STATUSES, (8, 10, 12, 58, 12), ctx.count(ORDERS_PER_SCALE))
    for order_id, status in enumerate(statuses, start=1):
        user_id, placed = _customer(ctx, ctx.days_ago(*ORDER_AGE[status]))
        ctx.order_created.append(placed)
        rows.append(
            {
                "id": order_id,
                "user_id": user_id,
                "status": status,
                "created_at": placed,
            }
        )
    return rows


def _price_paid(ctx: DemoContext, product_id: int, placed: datetime) -> Decimal:
    change = ctx.price_changes.get(product_id)
    if change is not None and placed < change.at:
        return change.old
    return ctx.product_prices[product_id - 1]


def build_order_items(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    product_ids = range(1, len(ctx.product_prices) + 1)
    rows: list[Row] = []
    for order_id, placed in enumerate(ctx.order_created, start=1):
        count = min(len(product_ids), rng.choices((1, 2, 3, 4), (45, 30, 15, 10))[0])
        for product_id in sorted(rng.sample(product_ids, count)):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "order_id": order_id,
                    "product_id": product_id,
                    "quantity": rng.choices(*QUANTITIES)[0],
                    "price_at_purchase": _price_paid(ctx, product_id, placed),
                }
            )
    return rows


STEPS = (
    Step(Product, build_products),
    Step(Cart, build_carts),
    Step(CartItem, build_cart_items),
    Step(Order, build_orders),
    Step(OrderItem, build_order_items),
)
