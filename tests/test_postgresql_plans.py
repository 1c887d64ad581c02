"""PostgreSQL reads the big lists through their indexes (EXPLAIN of the statements run).

On a table large enough for the planner to prefer a scan whenever it can (60,000 orders
over two years, 100,000 customers of whom one in 500 is an "olga", one order in a hundred
paid), each page is requested as staff would, every statement
it ran is explained with the parameters it ran with, and the plans must use the index
meant for them: the date hierarchy's probes, a filter's capped count and the trigram
search. PostgreSQL only; elsewhere these indexes do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

ORDERS = "/admin/commerce/order/"
USERS = "/admin/social/user/"


@pytest.fixture
def big_shop(sa_connection: Connection, dialect: str) -> Connection:
    if dialect != "postgresql":
        pytest.skip(f"PostgreSQL plans: the {dialect} run has no trigram or planner to check")
    sa_connection.execute(
        text(
            "INSERT INTO users (id, username, email, role, is_active, created_at, version_id) "
            "SELECT i, CASE WHEN i % 500 = 0 THEN 'olga' ELSE 'member' END || i, "
            "'m' || i || '@mail.example', 'member', true, now(), 1 "
            "FROM generate_series(1, 100000) i"
        )
    )
    sa_connection.execute(
        text(
            "INSERT INTO orders (id, user_id, status, created_at, version_id) "
            "SELECT i, 1 + i % 100000, CASE WHEN i % 100 = 0 THEN 'paid' "
            "WHEN i % 7 = 0 THEN 'cancelled' ELSE 'delivered' END, "
            "now() - make_interval(mins => 60000 - i) * 17, 1 "
            "FROM generate_series(1, 60000) i"
        )
    )
    sa_connection.execute(text("ANALYZE users"))
    sa_connection.execute(text("ANALYZE orders"))
    return sa_connection


class Plans:
    """Every SELECT run on the connection, and its EXPLAIN."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ran: list[tuple[str, Any]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.ran.append((statement, parameters))

    def explain(self, *markers: str) -> list[str]:
        """The plans (as text) of the statements containing every one of `markers`."""
        found = [(s, p) for s, p in self.ran if all(marker in s for marker in markers)]
        assert found, f"no statement with {markers!r} ran"
        plans = []
        for statement, parameters in found:
            rows = self.connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plans.append("\n".join(row[0] for row in rows))
        return plans


@pytest.fixture
def plans(big_shop: Connection) -> Iterator[Plans]:
    recorder = Plans(big_shop)
    event.listen(big_shop, "before_cursor_execute", recorder)
    yield recorder
    event.remove(big_shop, "before_cursor_execute", recorder)


def _get(client: Any, url: str, params: dict[str, Any]) -> None:
    assert client.get(url, params).status_code == 200


def test_the_date_hierarchy_probes_an_index_never_the_table(admin_client, plans) -> None:
    _get(admin_client, ORDERS, {})
    _get(admin_client, ORDERS, {"created_at__year": 2030})
    for plan in plans.explain("ORDER BY orders.created_at ASC \n LIMIT"):
        assert "Seq Scan on orders" not in plan, plan
        assert "ix_orders_created_at_id" in plan, plan


def test_a_filtered_count_stops_at_the_cap_inside_an_index(admin_client, plans) -> None:
    _get(admin_client, ORDERS, {"status__exact": "paid"})  # one order in a hundred
    [plan] = plans.explain("FROM (SELECT orders.id AS id", "orders.status")
    assert "Limit" in plan, plan
    assert "ix_orders_status_created_at_id" in plan, plan
    assert "Seq Scan on orders" not in plan, plan


def test_the_unfiltered_count_reads_the_cap_and_the_estimate(admin_client, plans) -> None:
    _get(admin_client, ORDERS, {})
    [plan] = plans.explain("reltuples")
    assert "pg_class" in plan, plan
    assert plan.index("Limit") < plan.index(" on orders"), plan  # never past the cap


def test_a_name_fragment_is_found_through_trigram_indexes(admin_client, plans) -> None:
    _get(admin_client, USERS, {"q": "olga"})
    for plan in plans.explain("ILIKE"):
        assert "ix_users_username_trgm" in plan or "ix_users_email_trgm" in plan, plan
        assert "Seq Scan on users" not in plan, plan
    _get(admin_client, ORDERS, {"q": "olga"})  # through the customer: the same indexes
    ordered = [plan for plan in plans.explain("ILIKE") if "orders" in plan]
    assert ordered
    assert all("Seq Scan on orders" not in plan for plan in ordered), ordered
