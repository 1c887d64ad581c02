"""Products, carts and orders. Order lines keep the price paid (a snapshot)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    inspect,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql import ColumnElement

from shop.models.base import Base, choice_type, trigram_index
from shop.models.types import utcnow

if TYPE_CHECKING:
    from shop.models.social import User

ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
ZERO = Decimal("0.00")


class SnapshotImmutableError(ValueError):
    """An order line's price_at_purchase was changed after the order existed."""


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        # The stock level filter (out of stock, low) on a big catalogue.
        Index("ix_products_stock", "stock"),
        trigram_index("products", "sku"),
        trigram_index("products", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal]
    stock: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    version_id: Mapped[int] = mapped_column(default=1)

    cart_items: Mapped[list[CartItem]] = relationship(
        back_populates="product", passive_deletes=True
    )
    # Never touched by the ORM on delete: the database refuses while order lines exist.
    order_items: Mapped[list[OrderItem]] = relationship(
        back_populates="product", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class Cart(Base):
    __tablename__ = "carts"
    # The cart list: last updated first (and the abandoned-cart filter's range).
    __table_args__ = (Index("ix_carts_updated_at_id", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="cart")
    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", passive_deletes=True
    )

    @hybrid_property
    def total(self) -> Decimal:
        """Sum of today's price times quantity (needs `items` and their products loaded)."""
        return sum((item.subtotal for item in self.items), ZERO)

    @total.inplace.expression
    @classmethod
    def _total_expression(cls) -> ColumnElement[Decimal]:
        return (
            select(func.coalesce(func.sum(Product.price * CartItem.quantity), ZERO))
            .select_from(CartItem)
            .join(Product, Product.id == CartItem.product_id)
            .where(CartItem.cart_id == cls.id)
            .correlate_except(CartItem, Product)
            .scalar_subquery()
        )

    def __str__(self) -> str:
        return f"Cart #{self.id}"


class CartItem(Base):
    """Association object: a product in a cart, with a quantity."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(back_populates="cart_items")

    @property
    def subtotal(self) -> Decimal:
        return self.product.price * self.quantity

    def __str__(self) -> str:
        return f"{self.quantity} × product #{self.product_id}"


class Order(Base):
    __tablename__ = "orders"
    # The order list: newest first with the key as tiebreak, also within one status, so
    # the first page, a status filter, a deep page and a capped count read an index.
    __table_args__ = (
        Index("ix_orders_created_at_id", "created_at", "id"),
        Index("ix_orders_status_created_at_id", "status", "created_at", "id"),
        # A customer's orders, newest first; a search by customer reads keys and dates here.
        Index("ix_orders_user_id_created_at_id", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(
        choice_type("order_status", ORDER_STATUSES), default="pending"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version_id}

    @hybrid_property
    def total(self) -> Decimal:
        """Sum of snapshot price times quantity (needs `items` loaded)."""
        return sum((item.subtotal for item in self.items), ZERO)

    @total.inplace.expression
    @classmethod
    def _total_expression(cls) -> ColumnElement[Decimal]:
        return (
            select(func.coalesce(func.sum(OrderItem.price_at_purchase * OrderItem.quantity), ZERO))
            .where(OrderItem.order_id == cls.id)
            .correlate_except(OrderItem)
            .scalar_subquery()
        )

    def __str__(self) -> str:
        return f"Order #{self.id}"


class OrderItem(Base):
    """Association object with a price snapshot: what was paid, not today's price."""

    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_at_purchase >= 0", name="price_not_negative"),
        # An order's lines in key order (inline pages) and the line list's ordering.
        Index("ix_order_items_order_id_id", "order_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[int]
    price_at_purchase: Mapped[Decimal]

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(back_populates="order_items")

    @validates("price_at_purchase")
    def _keep_snapshot(self, _key: str, value: Any) -> Any:
        state = inspect(self)
        if state.persistent and value != self.price_at_purchase:
            raise SnapshotImmutableError("price_at_purchase never changes once the order exists")
        return value

    @property
    def subtotal(self) -> Decimal:
        return self.price_at_purchase * self.quantity

    def __str__(self) -> str:
        return f"{self.quantity} × product #{self.product_id} @ {self.price_at_purchase}"
