"""The admin index and app index: every visible model with its row count, in one query."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import path
from sqlalchemy.orm import Session

from shop.admin import AdminSite, ModelAdmin, applist
from shop.models import (
    Appointment,
    AuditRecord,
    Cart,
    CartItem,
    Club,
    Comment,
    Course,
    Enrollment,
    Order,
    OrderItem,
    Owner,
    Pet,
    Post,
    Product,
    Profile,
    Student,
    User,
    Vet,
)
from shop.registrations import site

DOMAINS = ("Audit", "Clinic", "Commerce", "School", "Social")
NO_PERMISSION = "You don’t have permission to view or edit anything."

# An extra site whose names try to inject markup; mounted by tests marked urls(__name__).
evil_site = AdminSite(name="admin")
evil_site.app_names["clinic"] = "<i>Clinic</i>"


class EvilVetAdmin(ModelAdmin):
    verbose_name_plural = "<script>alert('vets')</script>"


evil_site.register(Vet, EvilVetAdmin)
urlpatterns = [path("admin/", evil_site.urls)]


def populate(session: Session, n: int = 1) -> dict[str, int]:
    """`n` rows in most tables (a valid graph of them); returns the expected counts."""
    when = datetime(2030, 1, 1, 9, tzinfo=UTC)
    users = [User(username=f"u{i}", email=f"u{i}@example.com") for i in range(2 * n)]
    posts = [Post(author=users[i], title=f"Post {i}", body="text") for i in range(n)]
    products = [Product(sku=f"SKU{i}", name=f"Thing {i}", price=Decimal("9.99")) for i in range(n)]
    carts = [Cart(user=users[i]) for i in range(n)]
    orders = [Order(user=users[i]) for i in range(n)]
    owners = [Owner(name=f"Owner {i}", email=f"o{i}@example.com") for i in range(n)]
    pets = [Pet(owner=owners[i], name=f"Rex {i}", species="dog") for i in range(n)]
    vets = [Vet(name=f"Dr {i}") for i in range(n)]
    students = [
        Student(first_name="A", last_name=f"B{i}", email=f"s{i}@example.com") for i in range(n)
    ]
    courses = [Course(code=f"C{i}", title=f"Course {i}", credits=3) for i in range(n)]
    session.add_all(users + posts + products + carts + orders + owners + pets + vets)
    session.add_all(students + courses)
    for i in range(n):
        session.add(Comment(post=posts[i], author=users[i], body="nice"))
        session.add(Profile(user=users[i], display_name=f"User {i}"))
        session.add(CartItem(cart=carts[i], product=products[i], quantity=2))
        session.add(
            OrderItem(
                order=orders[i], product=products[i], quantity=1, price_at_purchase=Decimal("9.99")
            )
        )
        session.add(Appointment(pet=pets[i], vet=vets[i], scheduled_at=when + timedelta(hours=i)))
        session.add(
            Enrollment(student=students[i], course=courses[i], enrolled_date=date(2030, 1, 1))
        )
        session.add(
            AuditRecord(
                action="add",
                entity="Owner",
                entity_id=str(i),
                entity_repr=f"Owner {i}",
                actor="test",
            )
        )
    session.add(Club(name=f"Chess {n}"))
    session.flush()
    counts = dict.fromkeys(
        [
            "post",
            "comment",
            "profile",
            "product",
            "cart",
            "cartitem",
            "order",
            "orderitem",
            "owner",
            "pet",
            "vet",
            "appointment",
            "student",
            "course",
            "enrollment",
            "auditrecord",
        ],
        n,
    )
    return {**counts, "user": 2 * n, "club": 1}


def _counts(response) -> dict[str, int]:
    """Model name -> count, read from the rendered HTML (what the staff member sees).

    Django's own account models are keyed "auth.<model>": the domain has a "user" too.
    """
    counts = {}
    sections = re.findall(
        r'<section class="module app-(\w+)"(.*?)</section>', response.content.decode(), re.S
    )
    for app_label, section in sections:
        rows = re.findall(
            r'<tr class="model-(\w+)">.*?<td class="count" data-count="(\d+)">', section, re.S
        )
        prefix = "auth." if app_label == "auth" else ""
        counts.update({f"{prefix}{name}": int(count) for name, count in rows})
    return counts


@pytest.fixture
def permitted_staff(client, staff_user):
    """Staff with only social.view_user, as a group or a sync command would grant it."""
    content_type, _ = ContentType.objects.get_or_create(app_label="social", model="user")
    permission, _ = Permission.objects.get_or_create(
        codename="view_user", content_type=content_type, defaults={"name": "Can view user"}
    )
    staff_user.user_permissions.add(permission)
    client.force_login(staff_user)
    return client


def test_the_index_lists_every_domain_and_model_with_counts(admin_client, session) -> None:
    expected = populate(session, n=3)
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    for domain in DOMAINS:
        assert f">{domain}</a>" in body
        assert f'href="/admin/{domain.lower()}/"' in body
    # Staff accounts and groups (Django's tables) are listed too; none exist here.
    assert _counts(response) == {**expected, "auth.user": 0, "auth.group": 0}
    for name in ("Users", "Order items", "Cart items", "Audit records", "Appointments"):
        assert f">{name}<" in body
    assert "Recent actions" in body


def test_every_mapped_class_is_registered() -> None:
    from shop.models import Base

    mapped = {mapper.class_ for mapper in Base.registry.mappers}
    unregistered = {cls.__name__ for cls in mapped if not site.is_registered(cls)}
    assert unregistered == {"AuditDetail"}


def _counting(dialect: str) -> int:
    """Statements the index spends on counts: PostgreSQL reads its estimates first."""
    return 2 if dialect == "postgresql" else 1


def test_the_index_counts_in_one_query_whatever_the_row_count(
    admin_client, session, queries, dialect
) -> None:
    with queries:
        assert admin_client.get("/admin/").status_code == 200
    empty = list(queries.selects_and_writes)
    populate(session, n=30)
    with queries:
        response = admin_client.get("/admin/")
    assert _counts(response)["user"] == 60
    # The counts (after PostgreSQL's estimates), then the "Recent actions" box.
    assert len(queries) == len(empty) == _counting(dialect) + 1
    statement = queries.selects_and_writes[_counting(dialect) - 1].lower()
    assert statement.count("count(") == len(site.model_admins())
    assert queries.writes == []


def test_big_tables_show_an_estimate_or_stop_counting(
    admin_client, session, monkeypatch, dialect
) -> None:
    populate(session, n=12)
    monkeypatch.setattr(applist, "INDEX_COUNT_CAP", 10)
    if dialect == "postgresql":
        session.connection().exec_driver_sql("ANALYZE users")
    body = admin_client.get("/admin/social/").content.decode()
    cell = re.search(r'<tr class="model-user">.*?<td class="count"[^>]*>([^<]*)</td>', body, re.S)
    assert cell is not None
    expected = "about 24" if dialect == "postgresql" else "10+"
    assert cell.group(1) == expected
    assert _counts(admin_client.get("/admin/school/"))["club"] == 1  # below the cap: exact


def test_the_sidebar_lists_every_app_and_model(admin_client) -> None:
    body = admin_client.get("/admin/password_change/").content.decode()
    sidebar = body.split('<nav class="nav-sidebar"', 1)[1].split("</nav>", 1)[0]
    for domain in DOMAINS:
        assert f">{domain}</a>" in sidebar
    assert "Enrollments" in sidebar
    assert "Order items" in sidebar


def test_staff_without_permissions_sees_no_models(client, staff_user, queries) -> None:
    client.force_login(staff_user)
    with queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert NO_PERMISSION in body
    assert _counts(response) == {}
    assert len(queries) == 1, "nothing to count: only the user's recent actions are read"


def test_staff_see_only_the_models_they_may_view(permitted_staff, session) -> None:
    populate(session)
    response = permitted_staff.get("/admin/")
    assert response.status_code == 200
    assert _counts(response) == {"user": 2}
    assert ">Commerce</a>" not in response.content.decode()
    app = permitted_staff.get("/admin/social/")
    assert app.status_code == 200
    assert _counts(app) == {"user": 2}
    assert permitted_staff.get("/admin/commerce/").status_code == 404


def test_the_app_index_lists_only_that_app(admin_client, session) -> None:
    populate(session, n=2)
    response = admin_client.get("/admin/clinic/")
    assert response.status_code == 200
    assert _counts(response) == {"appointment": 2, "owner": 2, "pet": 2, "vet": 2}
    body = response.content.decode()
    assert "<h1>Clinic administration</h1>" in body
    assert 'aria-label="Breadcrumbs"' in body


def test_the_app_index_counts_in_one_query(admin_client, session, queries, dialect) -> None:
    populate(session, n=5)
    with queries:
        assert admin_client.get("/admin/school/").status_code == 200
    assert len(queries) == _counting(dialect)
    assert queries.writes == []


def test_an_unknown_app_label_is_404(admin_client) -> None:
    assert admin_client.get("/admin/nope/").status_code == 404
    assert admin_client.get("/admin/social/nothing/here/").status_code == 404


def test_a_missing_slash_is_added(admin_client) -> None:
    response = admin_client.get("/admin/social")
    assert response.status_code == 301
    assert response["Location"] == "/admin/social/"


def test_the_page_has_landmarks_and_a_skip_link(admin_client) -> None:
    body = admin_client.get("/admin/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in body
    assert '<main id="main"' in body
    assert "<header" in body
    assert "<nav" in body
    assert "/static/admin/css/admin.css" in body


@pytest.mark.urls(__name__)
def test_names_are_escaped(admin_client) -> None:
    body = admin_client.get("/admin/").content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;vets&#x27;)&lt;/script&gt;" in body
    assert "<i>Clinic</i>" not in body
    assert "&lt;i&gt;Clinic&lt;/i&gt;" in body
