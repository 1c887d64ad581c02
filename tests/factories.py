"""Small builders for domain rows; each returns a flushed object with an id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session

from shop.models import (
    Appointment,
    Cart,
    Course,
    Order,
    OrderItem,
    Owner,
    Pet,
    Product,
    Student,
    User,
    Vet,
)

_serial = count(1)


def _n() -> int:
    return next(_serial)


def user(session: Session, **values: object) -> User:
    n = _n()
    row = User(**{"username": f"user{n}", "email": f"user{n}@example.com", **values})
    session.add(row)
    session.flush()
    return row


def product(session: Session, price: str = "9.99", stock: int = 10, **values: object) -> Product:
    n = _n()
    defaults = {"sku": f"SKU-{n}", "name": f"Product {n}"}
    row = Product(**{**defaults, **values}, price=Decimal(price), stock=stock)
    session.add(row)
    session.flush()
    return row


def cart(session: Session, owner: User | None = None) -> Cart:
    row = Cart(user=owner or user(session))
    session.add(row)
    session.flush()
    return row


def order(session: Session, buyer: User, lines: list[tuple[Product, int]]) -> Order:
    """An order whose lines snapshot each product's current price."""
    row = Order(user=buyer)
    session.add(row)
    session.flush()  # the order id exists before its lines are written
    for item, quantity in lines:
        session.add(
            OrderItem(
                order_id=row.id, product=item, quantity=quantity, price_at_purchase=item.price
            )
        )
    session.flush()
    return row


def owner_with_pets(session: Session, pets: int = 2) -> Owner:
    n = _n()
    row = Owner(name=f"Owner {n}", email=f"owner{n}@example.com")
    row.pets = [Pet(name=f"Pet {n}-{i}", species="dog") for i in range(pets)]
    session.add(row)
    session.flush()
    return row


def vet(session: Session) -> Vet:
    row = Vet(name=f"Dr. Vet {_n()}", specialty="surgery")
    session.add(row)
    session.flush()
    return row


def appointment(session: Session, pet: Pet, doctor: Vet, days_ahead: int = 1) -> Appointment:
    when = datetime(2030, 1, 1, 9, tzinfo=UTC) + timedelta(days=days_ahead, minutes=_n())
    row = Appointment(pet=pet, vet=doctor, scheduled_at=when)
    session.add(row)
    session.flush()
    return row


def student(session: Session) -> Student:
    n = _n()
    row = Student(first_name="Ada", last_name=f"Student{n}", email=f"student{n}@example.com")
    session.add(row)
    session.flush()
    return row


def course(session: Session, credits: int = 3) -> Course:
    n = _n()
    row = Course(code=f"C{n}", title=f"Course {n}", credits=credits)
    session.add(row)
    session.flush()
    return row
