"""The shop: products, carts and orders."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Cart, CartItem, Order, OrderItem, Product
from shop.registrations.site import site


@register(Product, site=site)
class ProductAdmin(ModelAdmin):
    pass


@register(Cart, site=site)
class CartAdmin(ModelAdmin):
    pass


@register(CartItem, site=site)
class CartItemAdmin(ModelAdmin):
    pass


@register(Order, site=site)
class OrderAdmin(ModelAdmin):
    pass


@register(OrderItem, site=site)
class OrderItemAdmin(ModelAdmin):
    pass
