"""The history page: audit records of one object with field-level values, newest first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import AuditDetail, AuditRecord, Product
from shop.registrations import site
from tests import factories
from tests.test_delete import grant

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
NO_HISTORY = "This object doesn’t have a change history."


def record(
    session: Session,
    entity: str,
    entity_id: object,
    *,
    action: str = "change",
    label: str = "thing",
    actor: str = "root",
    minutes: int = 0,
    details: list[tuple[str, str | None, str | None]] = (),  # type: ignore[assignment]
) -> AuditRecord:
    row = AuditRecord(
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        entity_repr=label,
        actor=actor,
        created_at=START + timedelta(minutes=minutes),
    )
    session.add(row)
    session.flush()
    session.add_all(
        AuditDetail(audit_id=row.id, field=f, old_value=old, new_value=new)
        for f, old, new in details
    )
    session.flush()
    return row


def history(client, model: str, pk: object, query: str = ""):
    return client.get(f"/admin/{model}/{pk}/history/{query}")


def test_records_show_values_newest_first(admin_client, session) -> None:
    product = factories.product(session, price="9.99")
    record(
        session,
        "commerce.product",
        product.id,
        action="add",
        minutes=0,
        actor="alice",
        details=[("price", None, "9.99")],
    )
    record(
        session,
        "commerce.product",
        product.id,
        minutes=5,
        actor="bob",
        details=[("price", "9.99", "12.50"), ("name", "Old", "<script>alert(1)</script>")],
    )
    record(session, "commerce.product", product.id + 1, minutes=9, details=[("price", "1", "2")])
    response = history(admin_client, "commerce/product", product.id)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<h1>Change history: {product}</h1>" in body
    assert body.index("bob") < body.index("alice"), "newest first"
    assert "2030-01-01 12:05:00" in body
    assert "Date/time (UTC)" in body
    assert re.search(
        r"<th scope=\"row\">price</th>\s*<td class=\"old\">9.99</td>\s*"
        r"<td class=\"new\">12.50</td>",
        body,
    )
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Added" in body
    assert "Changed" in body
    assert ">1</td>" not in body, "another object's record is not shown"
    assert "2 entries" in body


def test_each_record_links_to_its_page_in_the_audit_log(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=0)
    row = record(session, "clinic.owner", owner.id, details=[("name", "a", "b")])
    body = history(admin_client, "clinic/owner", owner.id).content.decode()
    assert f'href="/admin/audit/auditrecord/{row.id}/change/"' in body


def test_an_object_without_records_says_so(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=0)
    response = history(admin_client, "clinic/owner", owner.id)
    assert response.status_code == 200
    assert NO_HISTORY in response.content.decode()


@pytest.mark.parametrize("n", [3, 40])
def test_the_query_count_does_not_grow_with_records(admin_client, session, queries, n) -> None:
    product = factories.product(session)
    for i in range(n):
        record(session, "commerce.product", product.id, minutes=i, details=[("stock", "1", "2")])
    with queries:
        response = history(admin_client, "commerce/product", product.id)
    assert response.content.decode().count('class="history-entry') == n
    # The object, a COUNT, one page of records, their details in one IN query.
    assert len(queries) == 4
    assert queries.writes == []


def test_long_histories_are_paged(admin_client, session) -> None:
    product = factories.product(session)
    for i in range(120):
        record(session, "commerce.product", product.id, minutes=i, label=f"v{i}")
    first = history(admin_client, "commerce/product", product.id).content.decode()
    assert first.count('class="history-entry') == 50
    assert "120 entries" in first
    assert '<a href="?p=3" class="end">3</a>' in first
    assert "2030-01-01 13:59:00" in first  # the newest (minute 119)
    last = history(admin_client, "commerce/product", product.id, "?p=3").content.decode()
    assert last.count('class="history-entry') == 20
    assert "2030-01-01 12:00:00" in last
    # A bad page number is lenient, as in Django's history: the first or the last page.
    bad = history(admin_client, "commerce/product", product.id, "?p=abc").content.decode()
    assert "2030-01-01 13:59:00" in bad
    beyond = history(admin_client, "commerce/product", product.id, "?p=99").content.decode()
    assert "2030-01-01 12:00:00" in beyond


def test_a_deleted_objects_history_is_still_shown(admin_client, session) -> None:
    record(session, "clinic.owner", 424242, action="add", label="Gone Owner", minutes=0)
    record(
        session,
        "clinic.owner",
        424242,
        action="delete",
        label="Gone Owner",
        minutes=3,
        details=[("name", "Gone Owner", None), ("cascade:pets", "2", None)],
    )
    response = history(admin_client, "clinic/owner", 424242)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Change history: Gone Owner</h1>" in body
    assert "(deleted)" in body
    assert "Deleted" in body
    assert "cascade:pets" in body
    assert "/admin/clinic/owner/424242/change/" not in body


def test_a_delete_through_the_admin_keeps_its_history(admin_client, session) -> None:
    owner = factories.owner_with_pets(session, pets=1)
    admin_client.post(f"/admin/clinic/owner/{owner.id}/delete/", {"post": "yes"})
    body = history(admin_client, "clinic/owner", owner.id).content.decode()
    assert f"Change history: {owner.name}" in body
    assert "cascade:pets" in body


@pytest.mark.parametrize("object_id", ["424242", "abc", "2147483648", "99999999999999999999999"])
def test_404_when_neither_object_nor_history_exists(admin_client, session, object_id) -> None:
    record(session, "clinic.vet", 424242)  # another model's record with that id
    assert history(admin_client, "clinic/owner", object_id).status_code == 404


def test_permissions(client, staff_user, session) -> None:
    product = factories.product(session)
    record(session, "commerce.product", product.id)
    client.force_login(staff_user)
    assert history(client, "commerce/product", product.id).status_code == 403
    assert history(client, "commerce/product", 424242).status_code == 403
    grant(staff_user, "commerce.view_product")
    response = history(client, "commerce/product", product.id)
    assert response.status_code == 200
    # No permission on the audit log itself: no link to the record's page.
    assert "/admin/audit/auditrecord/" not in response.content.decode()


def test_anonymous_visitors_go_to_the_login_page(client, session) -> None:
    product = factories.product(session)
    response = history(client, "commerce/product", product.id)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Audit rows live and die with the change they describe.


def failing_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Writes an audit record for a change whose flush then fails (a duplicate sku)."""
    model_admin = site.get_model_admin(Product)
    audit = site.audit_log
    assert audit is not None
    product = request.db.get(Product, pk)
    before = audit.snapshot(product)
    product.sku = request.POST["sku"]
    audit.log_change(request.db, "root", model_admin, product, before)  # flushes: duplicate!
    request.db.flush()
    return HttpResponse("saved")


urlpatterns = [path("admin/", site.urls), path("fail/<int:pk>/", failing_change)]


@pytest.mark.urls(__name__)
def test_audit_rows_roll_back_with_a_failed_change(admin_client, session) -> None:
    product = factories.product(session)
    other = factories.product(session)
    response = admin_client.post(f"/fail/{product.id}/", {"sku": other.sku})
    assert response.status_code == 409, "the middleware's conflict page"
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0
    assert session.scalar(select(func.count()).select_from(AuditDetail)) == 0
    assert NO_HISTORY in history(admin_client, "commerce/product", product.id).content.decode()


@pytest.mark.urls(__name__)
def test_audit_rows_commit_with_a_successful_change(admin_client, session) -> None:
    product = factories.product(session)
    response = admin_client.post(f"/fail/{product.id}/", {"sku": "FRESH-1"})
    assert response.status_code == 200
    body = history(admin_client, "commerce/product", product.id).content.decode()
    assert "FRESH-1" in body
