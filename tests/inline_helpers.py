"""POST data in Django's formset shape, and small readers for inline tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import CartItem


def formset(
    prefix: str,
    existing: Sequence[Mapping[str, Any]] = (),
    new: Sequence[Mapping[str, Any]] = (),
    *,
    initial: int | None = None,
    total: int | None = None,
) -> dict[str, str]:
    """`items-TOTAL_FORMS`... and `items-<i>-<field>` for existing rows (with "id"), then new."""
    rows = [*existing, *new]
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) if total is None else total),
        f"{prefix}-INITIAL_FORMS": str(len(existing) if initial is None else initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is not None and value is not False:
                data[f"{prefix}-{index}-{name}"] = "on" if value is True else str(value)
    return data


def cart_page(cart: Any) -> str:
    return f"/admin/commerce/cart/{cart.id}/change/"


def cart_data(
    cart: Any, existing: Sequence[Mapping[str, Any]] = (), **kwargs: Any
) -> dict[str, str]:
    """The cart form (its user) and its items formset; `_continue` to stay on the page."""
    new = kwargs.pop("new", ())
    return {"user": str(cart.user_id), **formset("items", existing, new, **kwargs), "_save": "1"}


def item_row(item: CartItem, **changes: Any) -> dict[str, Any]:
    return {"id": item.id, "product": item.product_id, "quantity": item.quantity, **changes}


def quantities(session: Session, cart: Any) -> dict[int, int]:
    """product id -> quantity of the cart's items, as committed."""
    session.expire_all()
    rows = session.execute(
        select(CartItem.product_id, CartItem.quantity).where(CartItem.cart_id == cart.id)
    )
    return {row.product_id: row.quantity for row in rows}


def page_errors(response: Any, prefix: str) -> tuple[list[str], list[dict[str, list[str]]]]:
    """(non-form errors, per-row errors) of the inline `prefix` on a re-rendered page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.prefix == prefix:
            formset = inline.formset
            rows = [{k: [str(m) for m in v] for k, v in e.items()} for e in formset.errors]
            return [str(message) for message in formset.non_form_errors()], rows
    raise AssertionError(f"no inline {prefix!r} on the page")
