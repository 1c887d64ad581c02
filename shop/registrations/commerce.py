"""The shop: products, carts and orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.html import format_html
from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session

from shop.admin import ModelAdmin, register
from shop.admin.actions.base import Action, allowed, resolve_action
from shop.admin.annotations import count_of
from shop.admin.forms.factory import AdminModelForm
from shop.admin.inlines import TabularInline
from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.registrations.actions import activate_products, deactivate_products
from shop.registrations.cart_actions import add_product_to_cart, checkout_carts
from shop.registrations.cart_filters import AbandonedCartFilter, CartContentsFilter
from shop.registrations.dashboard import SALES_DASHBOARD
from shop.registrations.order_actions import (
    cancel_orders,
    mark_delivered,
    mark_paid,
    mark_shipped,
    offered_on,
)
from shop.registrations.site import site
from shop.registrations.stock import StockLevelFilter
from shop.services.commerce import MAX_LINE_QUANTITY
from shop.services.commerce.locks import touch_cart


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


# Lines per cart and per order as correlated subqueries: sortable columns, no query per
# row (the changelist's equivalent of Django's annotate(); the models stay untouched).
CART_ITEM_COUNT = count_of(CartItem, CartItem.cart_id == Cart.id, label="item_count")
ORDER_ITEM_COUNT = count_of(OrderItem, OrderItem.order_id == Order.id, label="item_count")


def money(value: Decimal | None) -> str:
    """Exact to the cent, as the lists show it (never a float)."""
    return "-" if value is None else f"{value:.2f}"


class CartLineForm(AdminModelForm):
    """A cart line holds at most what "Add product" may reach (MAX_LINE_QUANTITY), so that a
    later add to the line is refused with a message instead of overflowing the column."""

    def clean_quantity(self) -> Any:
        quantity = self.cleaned_data.get("quantity")
        if quantity is not None and quantity > MAX_LINE_QUANTITY:
            raise forms.ValidationError(
                f"A cart line holds at most {MAX_LINE_QUANTITY:,} units.", code="max_value"
            )
        return quantity


class CartItemInline(TabularInline):
    """A cart's lines, edited with the cart: one row per product, at today's price."""

    model = CartItem
    form = CartLineForm
    fields = ("product", "quantity", "unit_price", "line_total")
    readonly_fields = ("unit_price", "line_total")
    autocomplete_fields = ("product",)
    # By product, as the cart item list orders a cart's lines: UNIQUE(cart_id, product_id)
    # is the index that reads any page of a cart with thousands of lines.
    ordering = ("product_id",)
    extra = 1
    show_change_link = True

    # The product of each row is eager-loaded with the rows (it is a row field).
    def unit_price(self, line: CartItem) -> str:
        return money(line.product.price)

    unit_price.short_description = "Unit price (today)"  # type: ignore[attr-defined]

    def line_total(self, line: CartItem) -> str:
        return money(line.subtotal)

    line_total.short_description = "Line total"  # type: ignore[attr-defined]


@register(Cart, site=site)
class CartAdmin(ModelAdmin):
    list_display = ("id", "user__username", "item_count", "total", "updated_at")
    list_filter = (CartContentsFilter, AbandonedCartFilter, "updated_at")
    search_fields = ("=id", "^user__username", "user__email")
    ordering = ("-updated_at",)
    autocomplete_fields = ("user",)
    fields = ("user", "cart_total", "created_at", "updated_at")
    readonly_fields = ("cart_total", "created_at", "updated_at")
    inlines = (CartItemInline,)
    actions = (checkout_carts,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Cart, CART_ITEM_COUNT)

    def cart_total(self, cart: Cart) -> str:
        """Today's prices times quantities, summed by the database (one query)."""
        if inspect(cart).key is None:
            return money(None)
        total = object_session_of(cart).scalar(select(Cart.total).where(Cart.id == cart.id))
        return money(total)

    cart_total.short_description = "Total (today's prices)"  # type: ignore[attr-defined]

    def get_object_actions(self, request: HttpRequest, obj: Any) -> dict[str, Action]:
        """The list's actions, and "Add product …" (it only makes sense on one cart)."""
        actions = super().get_object_actions(request, obj)
        found = resolve_action(self, add_product_to_cart)
        if found is not None and allowed(self, request, add_product_to_cart):
            actions[found[1]] = found
        return actions

    def has_add_product_permission(self, request: HttpRequest) -> bool:
        lines = self.admin_site.get_model_admin(CartItem)
        return lines.has_add_permission(request) and lines.has_change_permission(request)

    def has_checkout_permission(self, request: HttpRequest) -> bool:
        """Checking out writes an order and empties the cart."""
        orders = self.admin_site.get_model_admin(Order)
        return (
            self.has_change_permission(request)
            and orders.has_view_permission(request)
            and (
                request.user.has_perm(f"{orders.app_label}.{orders.get_permission_codename('add')}")
            )
        )


@register(CartItem, site=site)
class CartItemAdmin(ModelAdmin):
    list_display = ("cart__id", "product__sku", "product__name", "quantity", "product__price")
    list_filter = ("product__is_active",)
    search_fields = ("^product__sku", "product__name", "^cart__user__username")
    ordering = ("-cart_id", "product_id")
    autocomplete_fields = ("cart", "product")
    form = CartLineForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.cart_id is not None:  # a line edited here is activity on its cart
            touch_cart(request.db, obj.cart)  # type: ignore[attr-defined]


class OrderItemInline(TabularInline):
    """An order's lines as placed: the price paid (a snapshot, the seeds' pattern) beside
    today's price, marked where it has changed since. Lines are never edited once the
    order exists: stock was taken for them at checkout and a cancellation returns it."""

    model = OrderItem
    fields = ("product", "quantity", "price_at_purchase", "price_today", "line_total")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def price_today(self, line: OrderItem) -> str:
        today = line.product.price
        if today == line.price_at_purchase:
            return money(today)
        return format_html(
            '{} <span class="price-changed" title="{}">changed</span>',
            money(today),
            f"Was {money(line.price_at_purchase)} when ordered",
        )

    price_today.short_description = "Price today"  # type: ignore[attr-defined]

    def line_total(self, line: OrderItem) -> str:
        return money(line.subtotal)

    line_total.short_description = "Line total (paid)"  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@register(Order, site=site)
class OrderAdmin(ModelAdmin):
    list_display = ("id", "user__username", "status", "item_count", "total", "created_at")
    list_filter = ("status", "created_at", "user")
    search_fields = ("=id", "^user__username", "user__email", "^items__product__sku")
    autocomplete_fields = ("user",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    # An order is placed by checking out a cart, and its status moves only along the
    # allowed transitions (shop.services.commerce): nothing here is typed into a form.
    fields = ("user", "status", "created_at", "order_total")
    readonly_fields = fields
    actions = (mark_paid, mark_shipped, mark_delivered, cancel_orders)
    inlines = (OrderItemInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Order, ORDER_ITEM_COUNT)

    def order_total(self, order: Order) -> str:
        """What was paid: snapshot prices times quantities, summed by the database."""
        if inspect(order).key is None:
            return money(None)
        total = object_session_of(order).scalar(select(Order.total).where(Order.id == order.id))
        return money(total)

    order_total.short_description = "Total (as paid)"  # type: ignore[attr-defined]

    def get_actions(self, request: HttpRequest) -> dict[str, Action]:
        # Deleting a placed order would lose its reserved stock: only a cancelled order
        # (whose items are back in stock) may be deleted, from its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_object_actions(self, request: HttpRequest, obj: Any) -> dict[str, Action]:
        """Only the moves allowed from this order's status."""
        offered = offered_on(obj)
        return {
            name: found for name, found in super().get_actions(request).items() if name in offered
        }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by checking out a cart

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != "cancelled":
            return False
        return super().has_delete_permission(request, obj)


@register(OrderItem, site=site)
class OrderItemAdmin(ModelAdmin):
    """Order lines across orders, to browse (by product, by status): they are read-only,
    being part of an order placed at checkout."""

    list_display = ("order__id", "product__name", "quantity", "price_at_purchase", "order__status")
    list_filter = ("order__status", "product")
    search_fields = ("=order_id", "^product__sku", "product__name")
    ordering = ("-order_id",)
    autocomplete_fields = ("order", "product")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A line goes only with its (cancelled) order: asked without a line, as the
        # order's delete asks about what it cascades to, the user's permission answers.
        if obj is not None:
            return False
        return super().has_delete_permission(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Action]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # never a line on its own
        return actions


def object_session_of(obj: Any) -> Any:
    session = object_session(obj)
    if session is None:  # a detached row cannot be summed: the page loaded it itself
        raise LookupError(f"{obj!r} is not in a session")
    return session


# Revenue, orders by status, top products and low stock, one click from the index.
site.register_page(SALES_DASHBOARD)
