"""Cascades and constraints, enforced by the mappings and by the database itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.models import (
    Appointment,
    CartItem,
    Enrollment,
    Pet,
    following_table,
)
from tests import factories


def _rejected_by_database(session: Session, write: Callable[[], None]) -> None:
    with pytest.raises(IntegrityError):
        write()
        session.flush()
    session.rollback()


def test_deleting_an_owner_deletes_their_pets_and_those_pets_appointments(session: Session) -> None:
    owner = factories.owner_with_pets(session, pets=2)
    doctor = factories.vet(session)
    for pet in owner.pets:
        factories.appointment(session, pet, doctor)
    pet_ids = [pet.id for pet in owner.pets]
    session.commit()
    session.expunge_all()  # prove the database cascades, not just the identity map

    session.delete(session.get(type(owner), owner.id))
    session.commit()

    assert session.scalar(select(func.count()).where(Pet.id.in_(pet_ids))) == 0
    assert session.scalar(select(func.count()).where(Appointment.pet_id.in_(pet_ids))) == 0
    assert session.get(type(doctor), doctor.id) is not None


def test_deleting_a_vet_who_has_appointments_is_refused(session: Session) -> None:
    owner = factories.owner_with_pets(session, pets=1)
    doctor = factories.vet(session)
    factories.appointment(session, owner.pets[0], doctor)
    session.commit()

    _rejected_by_database(session, lambda: session.delete(doctor))
    assert session.get(type(doctor), doctor.id) is not None


def test_a_vet_without_appointments_can_be_deleted(session: Session) -> None:
    doctor = factories.vet(session)
    session.commit()
    session.delete(doctor)
    session.commit()
    assert session.get(type(doctor), doctor.id) is None


def test_removing_a_cart_item_from_the_collection_deletes_it(session: Session) -> None:
    cart = factories.cart(session)
    first, second = factories.product(session), factories.product(session)
    cart.items = [
        CartItem(product_id=first.id, quantity=1),
        CartItem(product_id=second.id, quantity=2),
    ]
    session.commit()
    removed_id = cart.items[0].id

    cart.items.remove(cart.items[0])
    session.commit()

    assert session.get(CartItem, removed_id) is None
    assert [item.product_id for item in cart.items] == [second.id]


def test_a_duplicate_product_in_one_cart_is_rejected(session: Session) -> None:
    cart = factories.cart(session)
    item = factories.product(session)
    session.add(CartItem(cart=cart, product=item, quantity=1))
    session.commit()
    _rejected_by_database(
        session, lambda: session.add(CartItem(cart_id=cart.id, product_id=item.id, quantity=3))
    )


def test_a_cart_item_of_quantity_zero_is_rejected(session: Session) -> None:
    cart = factories.cart(session)
    item = factories.product(session)
    session.commit()
    _rejected_by_database(
        session, lambda: session.add(CartItem(cart_id=cart.id, product_id=item.id, quantity=0))
    )


def test_following_oneself_is_rejected(session: Session) -> None:
    user = factories.user(session)
    session.commit()
    _rejected_by_database(
        session,
        lambda: session.execute(
            insert(following_table).values(follower_id=user.id, followed_id=user.id)
        ),
    )


def test_following_another_user_works_both_ways(session: Session) -> None:
    alice, bob = factories.user(session), factories.user(session)
    alice.following.append(bob)
    session.commit()
    session.expire_all()
    assert alice in bob.followers
    assert bob in alice.following


def test_a_duplicate_enrollment_is_rejected(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)
    session.add(Enrollment(student=student, course=course))
    session.commit()
    _rejected_by_database(
        session, lambda: session.add(Enrollment(student_id=student.id, course_id=course.id))
    )


def test_an_unknown_grade_is_rejected_by_the_database(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)
    session.commit()
    _rejected_by_database(
        session,
        lambda: session.execute(
            insert(Enrollment).values(
                student_id=student.id,
                course_id=course.id,
                enrolled_date=date(2026, 9, 1),
                grade="E",
                status="active",
                version_id=1,
            )
        ),
    )


def test_a_dropped_enrollment_cannot_carry_a_grade(session: Session) -> None:
    student, course = factories.student(session), factories.course(session)
    session.commit()
    _rejected_by_database(
        session,
        lambda: session.add(
            Enrollment(student=student, course=course, status="dropped", grade="B")
        ),
    )


def test_a_course_needs_positive_credits(session: Session) -> None:
    _rejected_by_database(session, lambda: factories.course(session, credits=0))


def test_negative_stock_is_rejected(session: Session) -> None:
    item = factories.product(session)
    session.commit()
    item.stock = -1
    _rejected_by_database(session, lambda: None)


def test_a_product_that_was_ordered_cannot_be_deleted(session: Session) -> None:
    buyer, item = factories.user(session), factories.product(session)
    factories.order(session, buyer, [(item, 1)])
    session.commit()
    _rejected_by_database(session, lambda: session.delete(item))


def test_a_non_http_website_is_refused_before_it_reaches_the_database(session: Session) -> None:
    from shop.models import Profile

    with pytest.raises(ValueError, match="http"):
        Profile(display_name="x", website="javascript:alert(1)")
