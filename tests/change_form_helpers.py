"""Shared helpers of the change form tests: POST data, messages, audit rows, permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import AuditRecord, Product
from tests import factories

ADD_URL = "/admin/commerce/product/add/"
CHANGELIST_URL = "/admin/commerce/product/"


def make_product(session: Session, **values: Any) -> Product:
    """factories.product with a chosen sku or name."""
    product = factories.product(session, price=values.pop("price", "9.99"))
    for key, value in values.items():
        setattr(product, key, value)
    session.flush()
    return product


def change_url(obj: Any, model: str = "commerce/product") -> str:
    return f"/admin/{model}/{obj.id}/change/"


def product_data(product: Product | None = None, **changes: str) -> dict[str, str]:
    """POST data as the form would send it: the product's values (or new ones) plus changes."""
    if product is None:
        data = {"sku": "NEW-1", "name": "New thing", "price": "12.30", "stock": "5"}
        data["is_active"] = "on"
    else:
        data = {
            "sku": product.sku,
            "name": product.name,
            "price": str(product.price),
            "stock": str(product.stock),
            "_version": str(product.version_id),
        }
        if product.is_active:
            data["is_active"] = "on"
    return {**data, **changes}


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def find_product(session: Session, sku: str) -> Product | None:
    session.expire_all()
    return session.execute(select(Product).where(Product.sku == sku)).scalar_one_or_none()


def audit_of(session: Session, entity: str, entity_id: Any) -> list[tuple[str, dict[str, Any]]]:
    """(action, {field: (old, new)}) for each audit record of one object, oldest first."""
    session.expire_all()
    rows = session.execute(
        select(AuditRecord)
        .where(AuditRecord.entity == entity, AuditRecord.entity_id == str(entity_id))
        .order_by(AuditRecord.id)
    ).scalars()
    return [
        (row.action, {d.field: (d.old_value, d.new_value) for d in row.details}) for row in rows
    ]


def grant(user: Any, *codenames: str, app: str = "commerce", model: str = "product") -> None:
    content_type, _ = ContentType.objects.get_or_create(app_label=app, model=model)
    for codename in codenames:
        permission, _ = Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": codename}
        )
        user.user_permissions.add(permission)
