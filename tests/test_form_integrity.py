"""Real IntegrityErrors from each database, mapped to the form field they belong to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.admin.forms.integrity import REFUSED, REQUIRED, Problem, describe
from shop.admin.forms.related import INVALID_CHOICE
from shop.models import CartItem, Enrollment, OrderItem, Product, User
from shop.registrations import site
from tests import factories


def refused(session: Session, build: Callable[[Session], Any]) -> IntegrityError:
    """The IntegrityError the database raises when flushing what `build` adds."""
    with pytest.raises(IntegrityError) as info, session.begin_nested():
        session.add(build(session))
        session.flush()
    return info.value


def problem_for(session: Session, model: type, build: Callable[[Session], Any]) -> Problem:
    return describe(site.get_model_admin(model), refused(session, build))


def test_duplicate_unique_column(session: Session) -> None:
    factories.product(session).sku = "DUP"
    session.flush()
    problem = problem_for(
        session, Product, lambda s: Product(sku="DUP", name="x", price=Decimal("1.00"))
    )
    assert problem == Problem("sku", "Product with this Sku already exists.")


def test_duplicate_multi_column_unique(session: Session) -> None:
    cart, product = factories.cart(session), factories.product(session)
    session.add(CartItem(cart=cart, product=product, quantity=1))
    session.flush()
    problem = problem_for(
        session, CartItem, lambda s: CartItem(cart_id=cart.id, product_id=product.id, quantity=2)
    )
    assert problem == Problem(None, "Cart item with this Cart and Product already exists.")


def test_check_constraint_written_as_text(session: Session) -> None:
    problem = problem_for(
        session, Product, lambda s: Product(sku="NEG", name="x", price=Decimal(0), stock=-1)
    )
    assert problem == Problem("stock", "This value breaks the rule “stock not negative”.")


def test_check_constraint_of_an_enum(session: Session) -> None:
    problem = problem_for(session, User, lambda s: User(username="u", email="e", role="boss"))
    assert problem == Problem("role", "This value breaks the rule “role”.")


def test_check_constraint_named_after_its_column(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)
    problem = problem_for(
        session,
        Enrollment,
        lambda s: Enrollment(
            student_id=student.id,
            course_id=course.id,
            enrolled_date=date(2030, 1, 1),
            status="dropped",
            grade="A",
        ),
    )
    assert problem == Problem("grade", "This value breaks the rule “dropped has no grade”.")


def test_not_null(session: Session) -> None:
    problem = problem_for(session, Product, lambda s: Product(sku="N", price=Decimal(1)))
    assert problem == Problem("name", REQUIRED)


def test_missing_foreign_key_row(session: Session, dialect: str) -> None:
    order = factories.order(session, factories.user(session), [])
    problem = problem_for(
        session,
        OrderItem,
        lambda s: OrderItem(
            order_id=order.id, product_id=987654, quantity=1, price_at_purchase=Decimal(1)
        ),
    )
    if dialect == "sqlite":
        # SQLite names neither the constraint nor the column of a foreign key failure.
        assert problem == Problem(None, REFUSED)
    else:
        assert problem == Problem("product", INVALID_CHOICE)
