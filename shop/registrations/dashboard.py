"""The sales dashboard at /admin/commerce/dashboard/, linked from the index.

Four panels, one aggregate query each (shop.reports.sales), after one index lookup of
the period's first order: revenue per day over the last 30 UTC days, orders by status
(every open order, and the orders closed among those placed in the period), top
products by revenue over the period and low-stock products.
Charts are inline SVG drawn here on the server; every chart has a text alternative
(its SVG title and description, and a table of the same figures). Staff who may view
orders may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.text import capfirst

from shop.admin.charts import ChartPoint, column_chart, proportions
from shop.admin.pages import SitePage
from shop.models import Order, Product
from shop.registrations.site import site
from shop.registrations.stock import LOW, PARAMETER
from shop.reports import sales

AXIS_LABEL_EVERY = 5  # days between the labels under the revenue chart
TEMPLATE = "admin/commerce/dashboard.html"


@dataclass(frozen=True)
class BarRow:
    """A table row with a bar: its label, figure, bar length (percent) and link."""

    label: str
    value_text: str
    percent: float
    url: str | None = None
    detail: str = ""


def money(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, force_grouping=True)


def can_view_sales(request: HttpRequest) -> bool:
    return site.get_model_admin(Order).has_view_permission(request)


def today_utc() -> date:
    return datetime.now(UTC).date()


def sales_dashboard(request: HttpRequest) -> HttpResponse:
    session = request.db  # type: ignore[attr-defined]
    period = sales.Period.ending(today_utc())
    window = sales.order_window(session, period)
    context = {
        **site.each_context(request),
        "title": SALES_DASHBOARD.title,
        "app_label": "commerce",
        "app_name": site.app_name("commerce"),
        "period": period,
        **_revenue_context(sales.revenue_per_day(session, window)),
        **_status_context(period, sales.orders_by_status(session, period)),
        "product_rows": _product_rows(request, sales.top_products(session, window)),
        **_low_stock_context(request, sales.low_stock(session)),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _revenue_context(days: list[sales.DayRevenue]) -> dict[str, Any]:
    last = len(days) - 1
    points = [
        ChartPoint(
            row.day.isoformat(),
            row.revenue,
            _short_day(row.day) if index % AXIS_LABEL_EVERY == 0 or index == last else "",
        )
        for index, row in enumerate(days)
    ]
    total = money(sum((row.revenue for row in days), sales.ZERO))
    best = max(days, key=lambda row: row.revenue, default=None)
    best_text = (best.day, money(best.revenue)) if best and best.revenue else None
    desc = f"Revenue per UTC day from {days[0].day} to {days[-1].day}: {total} in all"
    if best_text:
        desc += f", most on {best_text[0]} ({best_text[1]})"
    return {
        "revenue_days": [(row.day, money(row.revenue)) for row in days],
        "revenue_chart": column_chart(points, value_text=lambda value: money(Decimal(value))),
        "revenue_desc": f"{desc}. The table that follows lists every day.",
        "revenue_total": total,
        "revenue_best": best_text,
    }


def _short_day(day: date) -> str:
    return f"{day:%b} {day.day}"


@dataclass(frozen=True)
class StatusGroup:
    id: str
    label: str
    rows: list[BarRow]


def _status_context(period: sales.Period, counts: list[sales.StatusCount]) -> dict[str, Any]:
    """Open orders (any date), then closed ones (placed in the period), each group with
    its own bars; every count links to the order list filtered to exactly those orders."""
    placed = {
        "created_at__gte": period.first.isoformat(),
        "created_at__lt": (period.last + timedelta(days=1)).isoformat(),
    }
    open_rows = _status_rows([row for row in counts if row.is_open], {})
    closed_rows = _status_rows([row for row in counts if not row.is_open], placed)
    return {
        "status_groups": [
            StatusGroup("open-statuses", "Open, any date", open_rows),
            StatusGroup("closed-statuses", "Closed, placed in the period", closed_rows),
        ]
    }


def _status_rows(counts: list[sales.StatusCount], filters: dict[str, str]) -> list[BarRow]:
    changelist = reverse("admin:commerce_order_changelist", current_app=site.name)
    widths = proportions([row.count for row in counts])
    return [
        BarRow(
            capfirst(row.status),
            number_format(row.count, force_grouping=True),
            width,
            f"{changelist}?{urlencode({'status__exact': row.status, **filters})}",
        )
        for row, width in zip(counts, widths, strict=True)
    ]


def _product_links(request: HttpRequest) -> Callable[[int], str | None]:
    """Product id -> its change page, for a user who may view products (else no links)."""
    if not site.get_model_admin(Product).has_view_permission(request):
        return lambda _product_id: None
    return lambda product_id: reverse(
        "admin:commerce_product_change", args=(product_id,), current_app=site.name
    )


def _product_rows(request: HttpRequest, top: list[sales.ProductRevenue]) -> list[BarRow]:
    widths = proportions([row.revenue for row in top])
    link = _product_links(request)
    return [
        BarRow(
            row.name,
            money(row.revenue),
            width,
            link(row.product_id),
            f"{row.sku} · {number_format(row.units, force_grouping=True)} sold",
        )
        for row, width in zip(top, widths, strict=True)
    ]


def _low_stock_context(request: HttpRequest, found: sales.LowStock) -> dict[str, Any]:
    threshold = sales.LOW_STOCK_THRESHOLD
    link = _product_links(request)
    rows = [
        BarRow(name, str(stock), round(stock * 100 / threshold, 1), link(pk), sku)
        for pk, sku, name, stock in found.products
    ]
    all_url = None
    if site.get_model_admin(Product).has_view_permission(request):
        changelist = reverse("admin:commerce_product_changelist", current_app=site.name)
        all_url = f"{changelist}?{urlencode({'is_active__exact': 1, PARAMETER: LOW})}"
    return {
        "low_stock_rows": rows,
        "low_stock_total": found.total,
        "low_stock_threshold": threshold,
        "low_stock_url": all_url,
    }


SALES_DASHBOARD = SitePage(
    route="commerce/dashboard/",
    name="commerce_dashboard",
    title="Sales dashboard",
    view=sales_dashboard,
    has_permission=can_view_sales,
    description="Revenue per day, orders by status, top products and low stock.",
)
