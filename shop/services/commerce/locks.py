"""Row locks and guarded stock updates shared by the cart, checkout and order workflows.

Every workflow takes its locks in one order: the cart row first, then its lines, then
products by ascending id. Two workflows therefore never wait on each other in a cycle.
On SQLite, where FOR UPDATE does not exist, the cart UPDATE is the transaction's first
write and takes the database's write lock, which serializes the workflows instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from shop.models import Cart, Product
from shop.models.types import utcnow


def _rowcount(session: Session, statement: Any) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def touch_cart(session: Session, cart: Cart) -> bool:
    """Set the cart's updated_at (locking its row); False when the cart no longer exists."""
    statement = (
        update(Cart)
        .where(Cart.id == cart.id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session="evaluate")  # the object shows the new time
    )
    return _rowcount(session, statement) == 1


def lock_products(session: Session, product_ids: Iterable[int]) -> dict[int, Product]:
    """Lock the products by ascending id and load their current values into the session."""
    statement = (
        select(Product)
        .where(Product.id.in_(sorted(set(product_ids))))
        .order_by(Product.id)
        # PostgreSQL: FOR NO KEY UPDATE, so inserts of lines that reference a product
        # (a foreign-key check takes KEY SHARE) do not wait behind a stock change.
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {product.id: product for product in session.scalars(statement)}


def take_stock(session: Session, product: Product, quantity: int) -> bool:
    """Remove `quantity` from an active product's stock; False if it has not that many.

    The condition sits in the UPDATE itself, so the database has the last word even
    without a lock. The version counter moves as an ORM flush would move it, and
    "evaluate" applies both new values to the object in the session: a later flush of
    that object checks the new version, not a stale one.
    """
    statement = (
        update(Product)
        .where(Product.id == product.id, Product.stock >= quantity, Product.is_active.is_(True))
        .values(stock=Product.stock - quantity, version_id=Product.version_id + 1)
        .execution_options(synchronize_session="evaluate")
    )
    return _rowcount(session, statement) == 1


def return_stock(session: Session, product: Product, quantity: int) -> None:
    """Put `quantity` back into a product's stock (active or not), moving its version."""
    statement = (
        update(Product)
        .where(Product.id == product.id)
        .values(stock=Product.stock + quantity, version_id=Product.version_id + 1)
        .execution_options(synchronize_session="evaluate")
    )
    session.execute(statement)
