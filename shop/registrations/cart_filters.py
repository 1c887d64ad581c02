"""The cart list's filters: empty or not, and abandoned (not updated for some days).

Each choice is one SQL condition on the cart row: EXISTS over its lines, or a
comparison of `updated_at` with a moment computed when the list is read. Every cart
workflow (adding a product, checking out) and every change of its lines through the
admin stamps `updated_at`, so it tells when someone last touched the cart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from sqlalchemy import ColumnElement, exists

from shop.admin.changelist.simple_filter import SimpleListFilter
from shop.models import Cart, CartItem
from shop.models.types import utcnow

EMPTY, NOT_EMPTY = "empty", "not_empty"
ABANDONED_DAYS = (7, 30)


def _has_lines() -> ColumnElement[bool]:
    return exists().where(CartItem.cart_id == Cart.id)


class CartContentsFilter(SimpleListFilter):
    title = "contents"
    parameter_name = "contents"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        return ((EMPTY, "Empty"), (NOT_EMPTY, "With items"))

    def where(self, value: str) -> ColumnElement[bool] | None:
        return ~_has_lines() if value == EMPTY else _has_lines()


class AbandonedCartFilter(SimpleListFilter):
    """Carts nobody has touched for at least N days (with "With items": abandoned carts)."""

    title = "abandoned"
    parameter_name = "abandoned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        return tuple((str(days), f"Not updated for {days} days") for days in ABANDONED_DAYS)

    def where(self, value: str) -> ColumnElement[bool] | None:
        # `value` is one of the declared choices (the filter refuses any other).
        return Cart.updated_at < utcnow() - timedelta(days=int(value))
