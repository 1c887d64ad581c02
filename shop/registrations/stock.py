"""The product list's "stock level" filter: out of stock, low stock, in stock.

Low stock means at most `shop.reports.sales.LOW_STOCK_THRESHOLD` units, the same line
the sales dashboard draws, so its "all low-stock products" link lands on this filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from sqlalchemy import ColumnElement

from shop.admin.changelist.simple_filter import SimpleListFilter
from shop.models import Product
from shop.reports.sales import LOW_STOCK_THRESHOLD

PARAMETER = "stock_level"
OUT, LOW, IN_STOCK = "out", "low", "in"


class StockLevelFilter(SimpleListFilter):
    title = "stock level"
    parameter_name = PARAMETER

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        return (
            (OUT, "Out of stock"),
            (LOW, f"Low stock (≤ {LOW_STOCK_THRESHOLD})"),
            (IN_STOCK, f"In stock (> {LOW_STOCK_THRESHOLD})"),
        )

    def where(self, value: str) -> ColumnElement[bool] | None:
        conditions = {
            OUT: Product.stock == 0,
            LOW: Product.stock <= LOW_STOCK_THRESHOLD,
            IN_STOCK: Product.stock > LOW_STOCK_THRESHOLD,
        }
        return conditions[value]
