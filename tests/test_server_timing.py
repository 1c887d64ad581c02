"""Every response says where its time went: `Server-Timing: db;dur=…;desc=…, app;dur=…`."""

from __future__ import annotations

import re

TIMING_RE = re.compile(r'^db;dur=(\d+\.\d);desc="(\d+) statements?", app;dur=(\d+\.\d)$')


def _timing(response) -> tuple[float, int, float]:
    found = TIMING_RE.match(response["Server-Timing"])
    assert found is not None, response["Server-Timing"]
    return float(found.group(1)), int(found.group(2)), float(found.group(3))


def test_an_admin_page_reports_its_statements_and_times(admin_client, queries) -> None:
    with queries:
        response = admin_client.get("/admin/commerce/order/")
    sql, statements, total = _timing(response)
    # SQLAlchemy's statements, and Django's own (its session and user).
    assert statements >= len(queries.selects_and_writes) + 2
    assert 0 <= sql <= total


def test_pages_without_a_login_are_timed_too(client) -> None:
    sql, statements, total = _timing(client.get("/admin/login/"))
    assert statements == 0
    assert sql == 0.0
    assert total > 0


def test_a_write_is_timed_with_its_commit(admin_client, session) -> None:
    response = admin_client.post(
        "/admin/commerce/product/add/",
        {"sku": "TIME-1", "name": "Timer", "price": "1.00", "stock": "1", "_save": "Save"},
    )
    assert response.status_code == 302
    _sql, statements, _total = _timing(response)
    assert statements >= 3  # the uniqueness check, the insert, the audit rows
