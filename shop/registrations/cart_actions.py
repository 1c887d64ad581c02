"""Cart actions: "Add product" on a cart's page, and checkout of one cart or many.

Both call the shop's workflows (shop.services.commerce), which write inside a savepoint
and leave the commit to the admin's action runner: a refusal has changed nothing and is
shown as the workflow's own message, never as an error page.

Checking out several carts is per cart, not all-or-nothing: each cart belongs to its own
customer, and one cart short of stock must not hold back the orders of the others. Every
cart is its own savepoint; the orders placed are committed together at the end, and the
message lists them along with each cart refused and why.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch

from shop.admin import ModelAdmin, action
from shop.admin.actions import ActionParametersForm, Selection
from shop.admin.forms.fields import form_sources
from shop.admin.forms.related import RelatedField
from shop.admin.urls import object_url
from shop.models import Cart, CartItem, Order, Product
from shop.registrations.workflows import end_read_before_first_write, plural, refused_as_stale
from shop.services.commerce import (
    MAX_LINE_QUANTITY,
    CartRefused,
    CheckoutRefused,
    add_to_cart,
    checkout,
)

ADDED = "Added {quantity} × “{product}” to {cart}: the line now holds {total}."
PLACED = "{cart} was checked out as {order}."
PLACED_MANY = "Checked out {count}: {orders}."
NOT_FOUND = "{count} no longer exists: nothing was done for it."
NOT_FOUND_MANY = "{count} no longer exist: nothing was done for them."


class AddProductForm(ActionParametersForm):
    """A product (searched by SKU or name, never a list of every product) and a quantity."""

    product = RelatedField(form_sources(CartItem.__mapper__)["product"], label="Product")
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"quantity": 1})
        super().__init__(*args, **kwargs)
        # The cart line's own chooser: the same search as the items inline's product.
        line_admin = self.model_admin.admin_site.get_model_admin(CartItem)
        field = self.fields["product"]
        assert isinstance(field, RelatedField)
        field.bind(self.session, line_admin, autocomplete=True)


@action(description="Add product …", permissions=["add_product"], form=AddProductForm)
def add_product_to_cart(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection, form: AddProductForm
) -> None:
    """Merge the product into each selected cart's line for it (one cart from its page)."""
    session = selection.session
    product = session.get(Product, form.cleaned_data["product"])
    quantity = form.cleaned_data["quantity"]
    if product is None:  # deleted since the form was checked
        messages.error(request, "This product no longer exists. Nothing was changed.")
        return
    carts = [cart for batch in selection.batches() for cart in batch]
    end_read_before_first_write(session)
    for cart in carts:
        try:
            line = add_to_cart(session, cart, product, quantity, actor=_actor(request))
        except CartRefused as exc:
            messages.error(request, _named(cart, exc.message, several=len(carts) > 1))
            continue
        text = ADDED.format(quantity=quantity, product=product, cart=cart, total=line.quantity)
        messages.success(request, text)


@action(description="Check out selected carts", permissions=["checkout"])
def checkout_carts(
    model_admin: ModelAdmin, request: HttpRequest, selection: Selection
) -> HttpResponse | None:
    """Place an order per selected cart; one order placed alone opens its page."""
    session = selection.session
    carts = [cart for batch in selection.batches() for cart in batch]
    placed: list[tuple[Cart, Order]] = []
    several = len(carts) > 1
    for cart in carts:
        if not placed:
            end_read_before_first_write(session)
        try:
            with refused_as_stale(cart):
                order = checkout(session, cart, actor=_actor(request))
        except CheckoutRefused as exc:
            messages.error(request, _named(cart, exc.message, several=several))
            continue
        placed.append((cart, order))
    _report_missing(request, model_admin, selection, found=len(carts))
    return _report_placed(request, model_admin, placed, alone=not several)


def _report_placed(
    request: HttpRequest, model_admin: ModelAdmin, placed: list[tuple[Cart, Order]], alone: bool
) -> HttpResponse | None:
    if not placed:
        return None
    if alone:
        cart, order = placed[0]
        messages.success(request, PLACED.format(cart=cart, order=order))
        return _to_order(request, model_admin, order)
    orders = ", ".join(f"{order} (from {cart})" for cart, order in placed)
    messages.success(request, PLACED_MANY.format(count=plural(len(placed), "cart"), orders=orders))
    return None


def _to_order(request: HttpRequest, model_admin: ModelAdmin, order: Order) -> HttpResponse | None:
    """The new order's page, if this user may see it (else back to where they were)."""
    order_admin = model_admin.admin_site.get_model_admin(Order)
    if not order_admin.has_view_permission(request, order):
        return None
    try:
        return HttpResponseRedirect(object_url(order_admin, order))
    except NoReverseMatch:
        return None


def _report_missing(
    request: HttpRequest, model_admin: ModelAdmin, selection: Selection, *, found: int
) -> None:
    missing = len(set(selection.ids)) - found
    if not selection.across and missing > 0:
        text = NOT_FOUND if missing == 1 else NOT_FOUND_MANY
        messages.warning(request, text.format(count=plural(missing, "selected cart")))


def _named(cart: Cart, message: str, *, several: bool) -> str:
    """The workflow's message, naming the cart when the action ran over several."""
    return f"{cart}: {message}" if several else message


def _actor(request: HttpRequest) -> str:
    return str(request.user.get_username())
