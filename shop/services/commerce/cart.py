"""Adding a product to a cart: one line per product, merged by an upsert.

The seed's add_to_cart reads the line, then inserts or updates it. Two requests doing
that at once both see "no line" and one of them fails on UNIQUE(cart_id, product_id), or
both read the same quantity and one increment is lost. Here the database merges:
INSERT .. ON CONFLICT DO UPDATE (PostgreSQL, SQLite) or ON DUPLICATE KEY UPDATE (MariaDB)
adds to the quantity that is committed at that moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from shop.models import Cart, CartItem, Product
from shop.services.audit import record_addition, record_change
from shop.services.commerce.errors import CartRefused
from shop.services.commerce.locks import touch_cart

# A line never holds more than this: far below the INTEGER column's limit, so no sum of
# two accepted quantities can overflow it.
MAX_LINE_QUANTITY = 1_000_000

BAD_QUANTITY = "The quantity must be a whole number from 1 to {limit}, not {quantity!r}."
TOO_MANY = "A cart line holds at most {limit}; “{product}” would reach {total}."
NOT_FOR_SALE = "“{product}” is inactive (not for sale), so it cannot be added to a cart."
NO_PRODUCT = "This product no longer exists."
NO_CART = "This cart no longer exists."


def add_to_cart(
    session: Session, cart: Cart, product: Product, quantity: int = 1, *, actor: str
) -> CartItem:
    """Add `quantity` of `product` to `cart`, merged into its line; the caller commits."""
    _check_quantity(quantity)
    with session.begin_nested():  # a refusal undoes the cart's new updated_at too
        if not touch_cart(session, cart):  # first, as in every cart workflow (see locks)
            raise CartRefused(NO_CART)
        _check_for_sale(session, product)
        line = _merge_line(session, cart.id, product.id, quantity)
        if line.quantity > MAX_LINE_QUANTITY:  # raised inside the savepoint: undone
            message = TOO_MANY.format(limit=MAX_LINE_QUANTITY, product=product, total=line.quantity)
            raise CartRefused(message)
        _audit(session, actor, line, quantity)
        session.flush()
    session.expire(cart, ["items"])  # a loaded collection would miss a new line
    return line


def _check_quantity(quantity: Any) -> None:
    whole = isinstance(quantity, int) and not isinstance(quantity, bool)
    if not whole or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CartRefused(BAD_QUANTITY.format(limit=MAX_LINE_QUANTITY, quantity=quantity))


def _check_for_sale(session: Session, product: Product) -> None:
    # Read from the database, not the object: it may have been deactivated meanwhile.
    active = session.scalar(select(Product.is_active).where(Product.id == product.id))
    if active is None:
        raise CartRefused(NO_PRODUCT)
    if not active:
        raise CartRefused(NOT_FOR_SALE.format(product=product))


def _merge_line(session: Session, cart_id: int, product_id: int, quantity: int) -> CartItem:
    session.execute(upsert_line(session, cart_id, product_id, quantity))
    # This transaction holds the line's row lock now, so what it reads is its own result.
    statement = (
        select(CartItem)
        .where(CartItem.cart_id == cart_id, CartItem.product_id == product_id)
        .execution_options(populate_existing=True)
    )
    return session.scalars(statement).one()


def upsert_line(session: Session, cart_id: int, product_id: int, quantity: int) -> Any:
    """The dialect's INSERT that adds `quantity` to an existing line instead of failing."""
    values = {"cart_id": cart_id, "product_id": product_id, "quantity": quantity}
    dialect = session.get_bind(mapper=CartItem.__mapper__).dialect.name
    if dialect in ("mysql", "mariadb"):
        mysql_insert = mysql.insert(CartItem).values(values)
        return mysql_insert.on_duplicate_key_update(
            quantity=CartItem.quantity + mysql_insert.inserted.quantity
        )
    if dialect == "postgresql":
        pg_insert = postgresql.insert(CartItem).values(values)
        return pg_insert.on_conflict_do_update(
            index_elements=[CartItem.cart_id, CartItem.product_id],
            set_={"quantity": CartItem.quantity + pg_insert.excluded.quantity},
        )
    if dialect == "sqlite":
        sqlite_insert = sqlite.insert(CartItem).values(values)
        return sqlite_insert.on_conflict_do_update(
            index_elements=[CartItem.cart_id, CartItem.product_id],
            set_={"quantity": CartItem.quantity + sqlite_insert.excluded.quantity},
        )
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


def _audit(session: Session, actor: str, line: CartItem, added: int) -> None:
    before = line.quantity - added  # exact: the line is locked until this transaction ends
    if before == 0:
        record_addition(session, actor, line)
    else:
        record_change(session, actor, line, [("quantity", str(before), str(line.quantity))])
