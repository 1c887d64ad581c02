"""manage.py seed_demo and setup_demo: every table filled, consistent, reproducible and safe."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.demo import loader
from shop.demo.context import Step
from shop.models import (
    Appointment,
    AuditRecord,
    Base,
    Cart,
    CartItem,
    Enrollment,
    Order,
    OrderItem,
    Product,
    Profile,
    User,
    Vet,
    following_table,
    likes_table,
)
from shop.models.clinic import APPOINTMENT_STATUSES
from shop.models.commerce import ORDER_STATUSES
from shop.models.school import ENROLLMENT_STATUSES, GRADES


def seed_demo(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def setup_demo() -> str:
    out = StringIO()
    call_command("setup_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def count(session: Session, target: Any) -> int:
    return session.execute(select(func.count()).select_from(target)).scalar_one()


def row_counts(session: Session) -> dict[str, int]:
    return {table.name: count(session, table) for table in Base.metadata.sorted_tables}


def one_value(session: Session, expression: Any) -> Any:
    value = session.execute(select(expression)).scalar_one()
    assert value is not None
    return value


def test_seeding_fills_every_domain_table(session: Session) -> None:
    output = seed_demo()
    counts = row_counts(session)
    assert [name for name, count in counts.items() if count == 0] == []
    assert counts["users"] == 50
    assert "users: 50 rows" in output  # one line per table when stdout is not a terminal
    assert "Seeded" in output


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar_instead_of_table_lines(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _Terminal()
    call_command("seed_demo", stdout=out)
    assert "users: 50 rows" not in out.getvalue()
    assert "Seeded" in out.getvalue()
    assert "audit_details:" in capsys.readouterr().err  # tqdm draws on stderr


def test_some_order_lines_keep_an_older_price_and_some_match_todays(session: Session) -> None:
    seed_demo()
    lines = session.execute(
        select(OrderItem.product_id, OrderItem.price_at_purchase, Product.price).join(
            Product, Product.id == OrderItem.product_id
        )
    ).all()
    repriced = {product for product, paid, price in lines if paid != price}
    assert repriced
    assert any(paid == price for _product, paid, price in lines)
    assert all(isinstance(paid, Decimal) for _product, paid, _price in lines)
    # Every repriced product has the audit record that explains the difference.
    audited = set(
        session.scalars(
            select(AuditRecord.entity_id).where(AuditRecord.entity == "commerce.product")
        )
    )
    assert {str(product) for product in repriced} <= audited


def test_every_status_appears(session: Session) -> None:
    seed_demo()
    assert set(session.scalars(select(Order.status).distinct())) == set(ORDER_STATUSES)
    assert set(session.scalars(select(Appointment.status).distinct())) == set(APPOINTMENT_STATUSES)
    assert set(session.scalars(select(Enrollment.status).distinct())) == set(ENROLLMENT_STATUSES)


def test_enrollments_are_graded_sensibly(session: Session) -> None:
    seed_demo()
    rows = session.execute(select(Enrollment.status, Enrollment.grade)).all()
    assert any(grade is None for _status, grade in rows)
    assert any(grade is not None for _status, grade in rows)
    assert all(grade is None for status, grade in rows if status == "dropped")
    assert {grade for _status, grade in rows if grade} <= set(GRADES)
    completed = [grade for status, grade in rows if status == "completed"]
    assert sum(grade is not None for grade in completed) > len(completed) / 2


def test_users_follow_like_and_some_have_profiles(session: Session) -> None:
    seed_demo()
    follows = session.execute(select(following_table)).all()
    assert follows
    assert all(follower != followed for follower, followed in follows)
    assert count(session, likes_table) > 0
    assert 0 < count(session, Profile) < count(session, User)


def test_every_vet_has_past_and_future_appointments(session: Session) -> None:
    seed_demo()
    now = datetime.now(UTC)
    spans = session.execute(
        select(Vet.id, func.min(Appointment.scheduled_at), func.max(Appointment.scheduled_at))
        .outerjoin(Appointment, Appointment.vet_id == Vet.id)
        .group_by(Vet.id)
    ).all()
    assert spans
    for _vet, first, last in spans:
        assert first is not None
        assert first.tzinfo is not None
        assert first < now < last


def test_carts_hold_positive_quantities(session: Session) -> None:
    seed_demo()
    assert one_value(session, func.min(CartItem.quantity)) > 0
    filled = one_value(session, func.count(func.distinct(CartItem.cart_id)))
    assert 0 < filled <= count(session, Cart)


def test_seeding_a_filled_database_refuses_and_changes_nothing(session: Session) -> None:
    seed_demo()
    before = row_counts(session)
    with pytest.raises(CommandError, match=r"already has domain data .*--reset"):
        seed_demo()
    assert row_counts(session) == before


def test_reset_replaces_the_data(session: Session) -> None:
    seed_demo("--seed", "1")
    first = set(session.scalars(select(User.username)))
    seed_demo("--reset", "--seed", "2")
    assert count(session, User) == 50
    assert set(session.scalars(select(User.username))) != first


def test_the_same_seed_gives_the_same_data(session: Session) -> None:
    def snapshot() -> list[tuple[str, Decimal]]:
        return list(session.execute(select(Product.name, Product.price).order_by(Product.id)))

    seed_demo()
    first = snapshot()
    seed_demo("--reset")
    assert snapshot() == first


@pytest.mark.parametrize("scale", ["0", "-2", "abc", "1.5"])
def test_a_bad_scale_is_refused(session: Session, scale: str) -> None:
    with pytest.raises(CommandError, match="--scale"):
        seed_demo(f"--scale={scale}")
    assert count(session, User) == 0


def test_a_bad_scale_passed_as_an_option_is_refused(session: Session) -> None:
    with pytest.raises(CommandError, match="positive whole number"):
        seed_demo(scale=0)


def test_orm_inserts_after_seeding_get_fresh_ids(session: Session) -> None:
    seed_demo()
    highest = {model: one_value(session, func.max(model.id)) for model in (User, Product, Vet)}
    user = User(username="newcomer", email="newcomer@example.com")
    product = Product(sku="NEW-1", name="New", price=Decimal("1.00"))
    vet = Vet(name="Dr. New")
    session.add_all([user, product, vet])
    session.flush()  # would fail with a duplicate key if sequences were left behind
    assert user.id > highest[User]
    assert product.id > highest[Product]
    assert vet.id > highest[Vet]


def test_a_failure_midway_leaves_nothing(session: Session, monkeypatch) -> None:
    def explode(_ctx: object) -> list[dict[str, object]]:
        raise RuntimeError("boom")

    monkeypatch.setattr(loader, "STEPS", (*loader.STEPS[:5], Step(Vet, explode)))
    with pytest.raises(RuntimeError, match="boom"):
        seed_demo()
    assert not any(row_counts(session).values())


def test_scale_two_is_about_twice_scale_one(session: Session) -> None:
    seed_demo()
    single = row_counts(session)
    seed_demo("--reset", "--scale", "2")
    double = row_counts(session)
    assert double["users"] == 2 * single["users"]
    for table, count in single.items():
        assert 1.3 < double[table] / count < 3.0, table  # small tables vary
    assert 1.8 < sum(double.values()) / sum(single.values()) < 2.2


def test_setup_demo_seeds_and_creates_a_superuser_once(session: Session) -> None:
    output = setup_demo()
    assert count(session, User) == 50
    assert "http://127.0.0.1:8000/admin/" in output
    password = re.search(r"password: (\S+)", output)
    assert password is not None
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password.group(1))

    counts = row_counts(session)
    again = setup_demo()
    assert "password" not in again
    assert row_counts(session) == counts
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_setup_demo_keeps_existing_data_and_superusers(session: Session, superuser) -> None:
    seed_demo("--seed", "7")
    counts = row_counts(session)
    output = setup_demo()
    assert "password" not in output
    assert row_counts(session) == counts
    assert not get_user_model().objects.filter(username="admin").exists()
