"""The delete confirmation page: preview from the foreign keys, refusal, delete with audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from shop.admin.views import delete as delete_views
from shop.models import (
    Appointment,
    AuditDetail,
    AuditRecord,
    Comment,
    Course,
    Enrollment,
    Owner,
    Pet,
    Post,
    Product,
    User,
    Vet,
    following_table,
    likes_table,
)
from tests import factories

CONFIRM = "Yes, I’m sure"
PROTECTED = "would require deleting the following protected related objects"


def url(model: str, pk: object, page: str = "delete") -> str:
    return f"/admin/{model}/{pk}/{page}/"


def count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def owner_with_appointments(session: Session, pets: int) -> Owner:
    owner = factories.owner_with_pets(session, pets=pets)
    doctor = factories.vet(session)
    for pet in owner.pets:
        factories.appointment(session, pet, doctor)
    return owner


def grant(user: object, *perms: str) -> None:
    """Give `user` Django permissions such as "clinic.delete_owner"."""
    for perm in perms:
        app_label, codename = perm.split(".")
        content_type, _ = ContentType.objects.get_or_create(
            app_label=app_label, model=codename.split("_", 1)[1]
        )
        permission, _ = Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": codename}
        )
        user.user_permissions.add(permission)  # type: ignore[attr-defined]


# The preview


def test_the_preview_counts_each_model_and_shows_the_first_rows(admin_client, session) -> None:
    owner = owner_with_appointments(session, pets=12)
    response = admin_client.get(url("clinic/owner", owner.id))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Are you sure you want to delete the owner “{owner.name}”?" in body
    assert "<h2>Summary</h2>" in body
    for line in ("<li>Owners: 1</li>", "<li>Pets: 12</li>", "<li>Appointments: 12</li>"):
        assert line in body
    pets = sorted(owner.pets, key=lambda pet: pet.id)
    for pet in pets[:10]:
        assert f'<a href="/admin/clinic/pet/{pet.id}/change/">{pet}</a>' in body
    assert str(pets[10]) not in body, "ten rows per model, then a count"
    assert body.count("…and 2 more") == 2  # pets and appointments
    assert CONFIRM in body
    assert '<input type="hidden" name="post" value="yes">' in body
    assert PROTECTED not in body


def test_association_rows_are_counted_as_links_and_each_row_once(admin_client, session) -> None:
    user = factories.user(session)
    others = [factories.user(session) for _ in range(3)]
    post = Post(author=user, title="Hello", body="text")
    other_post = Post(author=others[0], title="Other", body="text")
    session.add_all([post, other_post])
    session.flush()
    # A comment by the user on the user's own post is reached twice: counted once.
    session.add_all(
        [
            Comment(post=post, author=user, body="mine"),
            Comment(post=post, author=others[1], body="theirs"),
            Comment(post=other_post, author=user, body="elsewhere"),
        ]
    )
    session.execute(
        insert(following_table),
        [{"follower_id": user.id, "followed_id": o.id} for o in others]
        + [{"follower_id": others[0].id, "followed_id": user.id}],
    )
    session.execute(
        insert(likes_table),
        [
            {"user_id": user.id, "post_id": other_post.id},
            {"user_id": others[2].id, "post_id": post.id},
        ],
    )
    session.flush()
    body = admin_client.get(url("social/user", user.id)).content.decode()
    assert "<li>Posts: 1</li>" in body
    assert "<li>Comments: 3</li>" in body
    assert "<li>Following: 4</li>" in body
    assert "<li>Likes: 2</li>" in body
    assert "4 links removed" in body
    assert "2 links removed" in body
    assert CONFIRM in body


def test_the_preview_costs_the_same_for_3_or_60_pets(admin_client, session, queries) -> None:
    small = owner_with_appointments(session, pets=3)
    large = owner_with_appointments(session, pets=60)
    with queries:
        assert admin_client.get(url("clinic/owner", small.id)).status_code == 200
    few = len(queries)
    with queries:
        response = admin_client.get(url("clinic/owner", large.id))
    assert "<li>Appointments: 60</li>" in response.content.decode()
    assert len(queries) == few
    # The object, one statement for every count, then one LIMITed load per non-empty model.
    assert few == 4


def test_a_get_never_writes(admin_client, session, queries) -> None:
    owner = owner_with_appointments(session, pets=2)
    product = factories.product(session)
    factories.order(session, factories.user(session), [(product, 1)])
    with queries:
        admin_client.get(url("clinic/owner", owner.id))
        admin_client.get(url("commerce/product", product.id))
    assert queries.writes == []
    assert count(session, Owner, Owner.id == owner.id) == 1


def test_values_are_escaped(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=1)
    owner.name = "<script>alert(1)</script>"
    owner.pets[0].name = "<b>Rex</b>"
    session.flush()
    body = admin_client.get(url("clinic/owner", owner.id)).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>Rex</b>" not in body
    assert "&lt;b&gt;Rex&lt;/b&gt;" in body


# Refusals: protected rows


def _ordered_product(session: Session) -> tuple[str, object, type]:
    product = factories.product(session)
    factories.order(session, factories.user(session), [(product, 2)])
    return "commerce/product", product.id, Product


def _busy_vet(session: Session) -> tuple[str, object, type]:
    owner = factories.owner_with_pets(session, pets=2)
    doctor = factories.vet(session)
    for pet in owner.pets:
        factories.appointment(session, pet, doctor)
    return "clinic/vet", doctor.id, Vet


def _taught_course(session: Session) -> tuple[str, object, type]:
    course = factories.course(session)
    session.add(
        Enrollment(student=factories.student(session), course=course, enrolled_date=date.today())
    )
    session.flush()
    return "school/course", course.id, Course


def _customer(session: Session) -> tuple[str, object, type]:
    buyer = factories.user(session)
    factories.order(session, buyer, [(factories.product(session), 1)])
    return "social/user", buyer.id, User


@pytest.mark.parametrize(
    ("build", "blocker"),
    [
        (_ordered_product, "Order items"),
        (_busy_vet, "Appointments"),
        (_taught_course, "Enrollments"),
        (_customer, "Orders"),
    ],
)
def test_protected_rows_refuse_the_delete(admin_client, session, build, blocker) -> None:
    path, pk, model = build(session)
    page = admin_client.get(url(path, pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert PROTECTED in body
    assert f'<span class="group-name">{blocker}</span>' in body
    assert CONFIRM not in body
    assert 'name="post"' not in body
    assert "<title>Cannot delete" in body

    response = admin_client.post(url(path, pk), {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED in response.content.decode()
    assert count(session, model, model.id == pk) == 1
    assert count(session, AuditRecord) == 0


def test_the_protected_rows_are_listed_with_links(admin_client, session) -> None:
    path, pk, _model = _busy_vet(session)
    appointments = session.scalars(select(Appointment).where(Appointment.vet_id == pk)).all()
    body = admin_client.get(url(path, pk)).content.decode()
    assert "Appointments</span>: 2" in body
    for appointment in appointments:
        assert f'href="/admin/clinic/appointment/{appointment.id}/change/"' in body


# Deleting


def test_a_delete_cascades_logs_and_redirects(admin_client, session) -> None:
    owner = owner_with_appointments(session, pets=2)
    pet_ids = [pet.id for pet in owner.pets]
    response = admin_client.post(
        url("clinic/owner", owner.id) + "?_changelist_filters=q%3DOwner%26o%3D1", {"post": "yes"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/clinic/owner/?q=Owner&o=1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"The owner “{owner.name}” was deleted successfully."
    ]
    assert count(session, Owner, Owner.id == owner.id) == 0
    assert count(session, Pet, Pet.id.in_(pet_ids)) == 0
    assert count(session, Appointment, Appointment.pet_id.in_(pet_ids)) == 0

    record = session.scalars(select(AuditRecord)).one()
    assert (record.action, record.entity, record.entity_id) == (
        "delete",
        "clinic.owner",
        str(owner.id),
    )
    assert record.actor == "root"
    assert record.entity_repr == owner.name
    details = {
        d.field: (d.old_value, d.new_value)
        for d in session.scalars(select(AuditDetail).where(AuditDetail.audit_id == record.id))
    }
    assert details["name"] == (owner.name, None)
    assert details["email"] == (owner.email, None)
    assert details["cascade:pets"] == ("2", None)
    assert details["cascade:appointments"] == ("2", None)


def test_a_delete_without_view_permission_goes_to_the_index(client, staff_user, session) -> None:
    grant(staff_user, "clinic.delete_vet")
    client.force_login(staff_user)
    doctor = factories.vet(session)
    response = client.post(url("clinic/vet", doctor.id), {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert count(session, Vet, Vet.id == doctor.id) == 0


def test_a_post_without_post_yes_deletes_nothing(admin_client, session) -> None:
    doctor = factories.vet(session)
    response = admin_client.post(url("clinic/vet", doctor.id), {})
    assert response.status_code == 200
    assert CONFIRM in response.content.decode()
    assert count(session, Vet, Vet.id == doctor.id) == 1


def test_a_blocker_appearing_before_the_post_leaves_nothing(
    admin_client, session, monkeypatch
) -> None:
    """The preview saw no blocker, the database does: an error page, no delete, no audit."""
    path, pk, model = _busy_vet(session)
    real_collect = delete_views.collect

    def blind_collect(*args, **kwargs):
        preview = real_collect(*args, **kwargs)
        if kwargs.get("rows") is False:
            preview.protected = []  # as if the appointments were added after the check
        return preview

    monkeypatch.setattr(delete_views, "collect", blind_collect)
    response = admin_client.post(url(path, pk), {"post": "yes"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing was deleted" in body
    assert PROTECTED in body, "the page is shown again, with the blockers now known"
    assert list(get_messages(response.wsgi_request)) == []
    assert count(session, model, model.id == pk) == 1
    assert count(session, Appointment, Appointment.vet_id == pk) == 2
    assert count(session, AuditRecord) == 0
    assert count(session, AuditDetail) == 0


# Access


@pytest.mark.parametrize("method", ["get", "post"])
def test_without_delete_permission_it_is_403(client, staff_user, session, method) -> None:
    grant(staff_user, "clinic.view_vet", "clinic.change_vet")
    client.force_login(staff_user)
    doctor = factories.vet(session)
    response = getattr(client, method)(url("clinic/vet", doctor.id), {"post": "yes"})
    assert response.status_code == 403
    assert count(session, Vet, Vet.id == doctor.id) == 1
    # The same answer for an id that does not exist: nothing to learn by probing.
    assert client.get(url("clinic/vet", 987654)).status_code == 403


def test_missing_delete_permission_on_cascaded_models_refuses(client, staff_user, session) -> None:
    grant(staff_user, "clinic.view_owner", "clinic.delete_owner")
    client.force_login(staff_user)
    owner = owner_with_appointments(session, pets=1)
    body = client.get(url("clinic/owner", owner.id)).content.decode()
    assert "your account doesn't have permission to delete the following types of objects" in body
    assert "<li>pet</li>" in body
    assert "<li>appointment</li>" in body
    assert CONFIRM not in body
    assert client.post(url("clinic/owner", owner.id), {"post": "yes"}).status_code == 403
    assert count(session, Owner, Owner.id == owner.id) == 1


@pytest.mark.parametrize(
    "object_id",
    [
        "987654",
        "abc",
        "1.5",
        "-",
        "2147483648",
        "99999999999",
        "99999999999999999999999",
        "1,2",
        "%00",
        " 1",
    ],
)
def test_an_unknown_or_malformed_id_is_404(admin_client, session, object_id) -> None:
    factories.vet(session)
    assert admin_client.get(f"/admin/clinic/vet/{object_id}/delete/").status_code == 404
    response = admin_client.post(f"/admin/clinic/vet/{object_id}/delete/", {"post": "yes"})
    assert response.status_code == 404


def test_anonymous_visitors_go_to_the_login_page(client, session) -> None:
    doctor = factories.vet(session)
    response = client.post(url("clinic/vet", doctor.id), {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert count(session, Vet, Vet.id == doctor.id) == 1


# Every registered model, on the demo data


@pytest.fixture
def demo(session: Session) -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


def test_every_model_previews_and_deletes_its_first_row(admin_client, session, demo, queries):
    from shop.registrations import site

    for model_admin in site.model_admins():
        if model_admin.app_label == "auth":
            continue  # staff accounts are not demo data: tests/test_staff_accounts.py
        model = model_admin.model
        pk = session.scalar(select(model_admin.mapper.primary_key[0]).limit(1))
        path = url(f"{model_admin.app_label}/{model_admin.model_name}", pk)
        with queries:
            page = admin_client.get(path)
        if page.status_code == 403:  # a read-only model (the audit log)
            assert admin_client.post(path, {"post": "yes"}).status_code == 403
            assert count(session, model, model_admin.mapper.primary_key[0] == pk) == 1
            continue
        assert page.status_code == 200, path
        assert queries.writes == []
        assert len(queries) <= 2 + 2 * len(site.model_admins()), path
        response = admin_client.post(path, {"post": "yes"})
        refused = PROTECTED in page.content.decode()
        assert response.status_code == (200 if refused else 302), path
        left = count(session, model, model_admin.mapper.primary_key[0] == pk)
        assert left == (1 if refused else 0), path
