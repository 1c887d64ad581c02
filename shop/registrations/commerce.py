"""The shop: products, carts and orders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from sqlalchemy import func, select

from shop.admin import ModelAdmin, register
from shop.admin.inlines import TabularInline
from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.registrations.actions import activate_products, deactivate_products, set_order_status
from shop.registrations.dashboard import SALES_DASHBOARD
from shop.registrations.site import site
from shop.registrations.stock import StockLevelFilter


@register(Product, site=site)
class ProductAdmin(ModelAdmin):
    list_display = ("sku", "name", "price", "stock", "is_active")
    list_editable = ("stock", "is_active")  # prices change on the product's own page
    actions = (deactivate_products, activate_products)
    list_filter = ("is_active", StockLevelFilter)
    search_fields = ("^sku", "name")
    ordering = ("sku",)
    # Change form: a product variant is quickest made with "Save as new".
    fields = ("sku", "name", "price", "stock", "is_active")
    save_as = True


# Lines per cart as a correlated subquery: a sortable column, no query per row (the
# changelist's equivalent of Django's annotate(); the models stay untouched).
CART_ITEM_COUNT = (
    select(func.count(CartItem.id))
    .where(CartItem.cart_id == Cart.id)
    .correlate_except(CartItem)
    .scalar_subquery()
    .label("item_count")
)


class CartItemInline(TabularInline):
    """A cart's lines, edited with the cart: one row per product."""

    model = CartItem
    fields = ("product", "quantity")
    autocomplete_fields = ("product",)
    extra = 1
    show_change_link = True


@register(Cart, site=site)
class CartAdmin(ModelAdmin):
    list_display = ("id", "user__username", "item_count", "total", "updated_at")
    list_filter = ("updated_at",)
    search_fields = ("=id", "^user__username", "user__email")
    ordering = ("-updated_at",)
    autocomplete_fields = ("user",)
    inlines = (CartItemInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Cart, CART_ITEM_COUNT)


@register(CartItem, site=site)
class CartItemAdmin(ModelAdmin):
    list_display = ("cart__id", "product__sku", "product__name", "quantity", "product__price")
    list_filter = ("product__is_active",)
    search_fields = ("^product__sku", "product__name", "^cart__user__username")
    ordering = ("-cart_id", "product_id")
    autocomplete_fields = ("cart", "product")


class OrderItemInline(TabularInline):
    """An order's lines. The price paid is a snapshot (the seeds' pattern): a line added
    to an existing order takes the product's current price, and it never changes after."""

    model = OrderItem
    fields = ("product", "quantity", "price_at_purchase")
    autocomplete_fields = ("product",)
    # A line's price was taken from its product: changing the product would orphan it.
    existing_readonly_fields = ("product",)
    extra = 1

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("price_at_purchase",) if obj is not None else ()

    def prepare_child(self, request: HttpRequest, parent: Any, child: Any, *, add: bool) -> None:
        if add and child.price_at_purchase is None:
            product = request.db.get(Product, child.product_id)  # type: ignore[attr-defined]
            if product is not None:
                child.price_at_purchase = product.price


@register(Order, site=site)
class OrderAdmin(ModelAdmin):
    list_display = ("id", "user__username", "status", "total", "created_at")
    list_editable = ("status",)
    actions = (set_order_status,)
    list_filter = ("status", "created_at", "user")
    search_fields = ("=id", "^user__username", "user__email")
    autocomplete_fields = ("user",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    inlines = (OrderItemInline,)


@register(OrderItem, site=site)
class OrderItemAdmin(ModelAdmin):
    list_display = ("order__id", "product__name", "quantity", "price_at_purchase", "order__status")
    list_filter = ("order__status", "product")
    search_fields = ("=order_id", "^product__sku", "product__name")
    ordering = ("-order_id",)
    autocomplete_fields = ("order", "product")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """The price paid is a snapshot: set when the line is added, read-only after."""
        return ("price_at_purchase",) if obj is not None else ()


# Revenue, orders by status, top products and low stock, one click from the index.
site.register_page(SALES_DASHBOARD)
