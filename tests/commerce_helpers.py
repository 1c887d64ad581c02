"""Shared pieces of the cart, checkout and order-status tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import AuditRecord, Cart, CartItem, Product

ACTOR = "clerk"
# Long enough never to fire on a slow CI machine; it only stops a stuck test from hanging.
BARRIER_TIMEOUT = 120


def named_product(
    session: Session, name: str, sku: str, price: str = "9.99", stock: int = 10, **values: Any
) -> Product:
    """A product with a known name and SKU, for the messages that name it."""
    row = Product(sku=sku, name=name, price=Decimal(price), stock=stock, **values)
    session.add(row)
    session.flush()
    return row


def fill_cart(session: Session, cart: Cart, lines: list[tuple[Product, int]]) -> None:
    """Put lines straight into a cart (the workflows under test read them back)."""
    session.add_all(
        CartItem(cart_id=cart.id, product_id=product.id, quantity=quantity)
        for product, quantity in lines
    )
    session.flush()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def audit_trail(session: Session) -> list[tuple[str, str, str, dict[str, tuple[Any, Any]]]]:
    """(action, entity, entity_id, {field: (old, new)}) for every audit record, oldest first."""
    records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    return [
        (
            record.action,
            record.entity,
            record.entity_id,
            {detail.field: (detail.old_value, detail.new_value) for detail in record.details},
        )
        for record in records
    ]


def run_in_threads(count: int, work: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run `work(index, barrier)` in `count` threads; each result, or the exception raised."""
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT)
    outcomes: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            outcomes[index] = work(index, barrier)
        except BaseException as exc:  # reported by the test, never lost in the thread
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def end_read_on_sqlite(session: Session) -> None:
    """On SQLite, end the transaction that loaded the workflow's objects.

    In WAL mode a transaction that has read cannot write once another writer committed
    after its snapshot (SQLITE_BUSY_SNAPSHOT, and the busy timeout does not wait for
    that). The workflows begin with a write, which waits for the lock instead; the
    objects stay loaded because the sessionmaker does not expire them on commit.
    PostgreSQL and MariaDB keep the read transaction open, the harder case for them.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
