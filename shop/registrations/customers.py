"""A customer's cart and orders on the user's change page, each summed in one query.

Read-only fields of the UserAdmin: "Cart" links to the cart's page with its item count
and total at today's prices; "Orders" links to the order list filtered to this customer
(`?user__id__exact=N`) with the number of orders and what they paid (cancelled orders
not counted). Each field is shown only to staff who may view carts or orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from sqlalchemy import case, func, select
from sqlalchemy.orm import object_session

from shop.models import Cart, CartItem, Order, OrderItem, Product, User
from shop.models.commerce import ZERO
from shop.models.types import Money

CANCELLED = "cancelled"


def _money(value: Decimal | None) -> str:
    return number_format(value or ZERO, decimal_pos=2, force_grouping=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def cart_summary_row(session: Any, user_id: int) -> Any:
    """(cart id, lines, total at today's prices) of the user's cart, or None: one query."""
    statement = (
        select(
            Cart.id,
            func.count(CartItem.id).label("lines"),
            func.sum(Product.price * CartItem.quantity, type_=Money()).label("total"),
        )
        .select_from(Cart)
        .outerjoin(CartItem, CartItem.cart_id == Cart.id)
        .outerjoin(Product, Product.id == CartItem.product_id)
        .where(Cart.user_id == user_id)
        .group_by(Cart.id)
    )
    return session.execute(statement).one_or_none()


def orders_summary_row(session: Any, user_id: int) -> Any:
    """(orders, cancelled orders, paid for the others) of the user: one query."""
    line_total = OrderItem.quantity * OrderItem.price_at_purchase
    statement = (
        select(
            func.count(func.distinct(Order.id)).label("orders"),
            func.count(func.distinct(case((Order.status == CANCELLED, Order.id)))).label(
                "cancelled"
            ),
            func.sum(case((Order.status != CANCELLED, line_total)), type_=Money()).label("paid"),
        )
        .select_from(Order)
        .outerjoin(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.user_id == user_id)
    )
    return session.execute(statement).one()


class CustomerLinksMixin:
    """Adds "Cart" and "Orders" to a UserAdmin's change page, for staff who may see them."""

    admin_site: Any

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is None:
            return fields
        site = self.admin_site
        if site.get_model_admin(Cart).has_view_permission(request):
            fields += ("customer_cart",)
        if site.get_model_admin(Order).has_view_permission(request):
            fields += ("customer_orders",)
        return fields

    def customer_cart(self, user: User) -> str:
        row = cart_summary_row(object_session(user), user.id)
        if row is None:
            return "No cart"
        url = reverse(
            "admin:commerce_cart_change", args=(row.id,), current_app=self.admin_site.name
        )
        text = f"Cart #{row.id}: {_plural(row.lines, 'item')}, {_money(row.total)}"
        return format_html('<a href="{}">{}</a>', url, text)

    customer_cart.short_description = "Cart"  # type: ignore[attr-defined]

    def customer_orders(self, user: User) -> str:
        row = orders_summary_row(object_session(user), user.id)
        changelist = reverse("admin:commerce_order_changelist", current_app=self.admin_site.name)
        url = f"{changelist}?{urlencode({'user__id__exact': user.id})}"
        text = f"{_plural(row.orders, 'order')}, total {_money(row.paid)}"
        if row.cancelled:
            text += f" ({row.cancelled} cancelled, not in the total)"
        return format_html('<a href="{}">{}</a>', url, text)

    customer_orders.short_description = "Orders"  # type: ignore[attr-defined]
