"""The index's "Recent actions" box: the user's own latest audit records, in one query."""

from __future__ import annotations

import re

from tests import factories
from tests.test_history import record


def _box(response) -> str:
    body = response.content.decode()
    return body.split('id="recent-actions-module"', 1)[1].split("</aside>", 1)[0]


def test_the_box_lists_my_ten_latest_actions(admin_client, session) -> None:
    for i in range(12):
        record(session, "clinic.owner", 1000 + i, label=f"Owner {i:02}", minutes=i)
    record(session, "clinic.owner", 5000, label="Someone else's", actor="alice", minutes=99)
    box = _box(admin_client.get("/admin/"))
    labels = re.findall(r"Owner \d\d", box)
    assert labels == [f"Owner {i:02}" for i in range(11, 1, -1)], "the 10 newest, newest first"
    assert "Someone else" not in box
    assert "None available" not in box


def test_entries_link_to_the_object_except_deletions(admin_client, session) -> None:
    record(session, "clinic.pet", 7, action="add", label="Rex", minutes=1)
    record(session, "clinic.pet", 8, action="change", label="Fido", minutes=2)
    record(session, "clinic.pet", 9, action="delete", label="Gone", minutes=3)
    record(session, "legacy.thing", 1, action="change", label="Old thing", minutes=4)
    box = _box(admin_client.get("/admin/"))
    assert '<li class="addlink">' in box
    assert '<span class="visually-hidden">Added:</span>' in box
    assert '<a href="/admin/clinic/pet/7/change/">Rex</a>' in box
    assert '<li class="changelink">' in box
    assert '<a href="/admin/clinic/pet/8/change/">Fido</a>' in box
    assert '<li class="deletelink">' in box
    assert "Gone" in box
    assert "/admin/clinic/pet/9/" not in box
    assert '<span class="mini quiet">Pet</span>' in box
    # An entity no longer registered: its raw name, no link.
    assert "Old thing" in box
    assert '<span class="mini quiet">legacy.thing</span>' in box


def test_labels_are_escaped(admin_client, session) -> None:
    record(session, "clinic.pet", 7, label="<img src=x onerror=alert(1)>")
    box = _box(admin_client.get("/admin/"))
    assert "<img src=x" not in box
    assert "&lt;img src=x onerror=alert(1)&gt;" in box


def test_an_empty_box(admin_client) -> None:
    assert "None available" in _box(admin_client.get("/admin/"))


def test_a_delete_through_the_admin_appears(admin_client, session) -> None:
    doctor = factories.vet(session)
    admin_client.post(f"/admin/clinic/vet/{doctor.id}/delete/", {"post": "yes"})
    box = _box(admin_client.get("/admin/"))
    assert '<li class="deletelink">' in box
    assert doctor.name in box


def test_one_query_whatever_the_number_of_actions(admin_client, session, queries, dialect) -> None:
    with queries:
        admin_client.get("/admin/")
    empty = len(queries)
    for i in range(10):
        record(session, f"clinic.{['pet', 'owner', 'vet'][i % 3]}", i, minutes=i)
    with queries:
        admin_client.get("/admin/")
    # The row counts (after PostgreSQL's estimates), then the recent actions.
    counting = 2 if dialect == "postgresql" else 1
    assert len(queries) == empty == counting + 1
    assert "audit_records.actor" in queries.selects_and_writes[counting]
