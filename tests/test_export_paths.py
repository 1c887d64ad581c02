"""The export's two ways of reading rows write the same text: plain values (the per-row
aggregates read through LATERAL joins on PostgreSQL) and the list's own entity rows, for
every registered model, sorted by every column, filtered and searched. Which subqueries
become LATERAL joins, and what a PostgreSQL export sets for its own transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import QueryDict
from sqlalchemy import Engine, event, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from shop.admin.changelist.params import ORDER_VAR
from shop.admin.export import query, stream
from shop.admin.export.aggregates import lateral_aggregates
from shop.admin.export.query import export_plan
from shop.demo import loader
from shop.models import Order, OrderItem, Product
from shop.registrations import site

ORDERS = "/admin/commerce/order/export/"
# Lists read with other parameters too: filters, a search, a date drill-down.
MORE_PARAMS: dict[str, list[dict[str, str]]] = {
    "commerce_order": [
        {"status__exact": "paid", "o": "-3"},
        {"q": "a"},
        {"created_at__year": str(date.today().year), "o": "-4"},
    ],
    "commerce_cart": [{"contents": "not_empty", "o": "3"}],
    "school_course": [{"o": "-4.0"}],
}


@pytest.fixture
def demo(session: Session) -> None:
    loader.seed(session, scale=1)
    session.flush()


def _export(client: Any, url: str, params: dict[str, str]) -> str:
    response = client.get(url, params)
    assert response.status_code in (200, 400), (url, params, response.status_code)
    if response.status_code == 400:
        return "400"
    return b"".join(response.streaming_content).decode()


def _variants(model_admin: Any) -> list[dict[str, str]]:
    """No parameters, each sortable column both ways, and the list's own extras."""
    count = len(model_admin.list_display)
    sorts = [{ORDER_VAR: f"{sign}{index}"} for index in range(count) for sign in ("", "-")]
    return [{}, *sorts, *MORE_PARAMS.get(model_admin.url_prefix, [])]


def _every_export(client: Any) -> dict[tuple[str, str, str], str]:
    found = {}
    for model_admin in site.model_admins():
        url = f"/admin/{model_admin.app_label}/{model_admin.model_name}/export/"
        for params in _variants(model_admin):
            for name in ("csv", "jsonl"):
                key = (model_admin.url_prefix, name, str(params))
                found[key] = _export(client, url, {**params, "format": name})
    return found


def test_values_and_entity_rows_export_the_same_text(admin_client, demo, monkeypatch) -> None:
    values = _every_export(admin_client)
    monkeypatch.setattr(query, "VALUE_KINDS", frozenset())  # every export reads entities
    entities = _every_export(admin_client)
    assert values.keys() == entities.keys()
    for key, text in values.items():
        assert text == entities[key], key
    # Every list has rows to compare.
    # Every domain list has rows to compare (Django's own tables are another
    # connection's, uncommitted in a test).
    few = {key[0] for key, text in values.items() if key[2] == "{}" and text.count("\n") < 2}
    assert few == {"auth_user", "auth_group"}


def test_lists_without_display_methods_read_plain_values(rf_request, session) -> None:
    rf_request.db = session
    plain = {
        model_admin.url_prefix: export_plan(rf_request, model_admin).values
        for model_admin in site.model_admins()
    }
    assert plain.pop("social_comment") is False  # `__str__` needs the object
    assert all(plain.values()), plain


def test_the_order_aggregates_are_one_lateral_lookup_per_row(rf_request, session) -> None:
    rf_request.db = session
    plan = export_plan(rf_request, site.get_model_admin(Order))
    sql = _postgresql(lateral_aggregates(plan.statement, Order))
    assert sql.count("LATERAL") == 1
    assert sql.count("FROM order_items") == 1  # item_count and total: one lookup
    assert "count(*) AS v0" in sql
    assert "AS v1" in sql
    assert sql.endswith("ORDER BY orders.created_at DESC, orders.id DESC")


def test_sorting_by_an_aggregate_sorts_by_its_lateral_column(rf_request, session) -> None:
    rf_request.GET = QueryDict("o=-4")  # total, descending
    rf_request.db = session
    plan = export_plan(rf_request, site.get_model_admin(Order))
    sql = _postgresql(lateral_aggregates(plan.statement, Order))
    assert sql.count("FROM order_items") == 1
    assert sql.endswith("ORDER BY _cl1 DESC, orders.id DESC")


ITEMS = OrderItem.order_id == Order.id


@pytest.mark.parametrize(
    "subquery",
    [
        select(OrderItem.quantity).where(ITEMS).limit(1),
        select(func.count()).where(ITEMS).group_by(OrderItem.product_id),
        select(func.count().over()).where(ITEMS),
        select(func.max(OrderItem.quantity)).where(ITEMS).having(func.count() > 1),
        select(OrderItem.quantity + func.count()).where(ITEMS),
        select(func.count()).select_from(Product),  # not correlated
    ],
    ids=["limited", "grouped", "window", "having", "bare-column", "uncorrelated"],
)
def test_subqueries_of_other_shapes_stay_subqueries(subquery) -> None:
    statement = select(Order.id, subquery.scalar_subquery().label("x"))
    assert lateral_aggregates(statement, Order) is statement


def test_an_aggregate_may_use_the_outer_row_and_other_conditions() -> None:
    weighted = select(func.sum(OrderItem.quantity * Order.id)).where(ITEMS, OrderItem.quantity > 1)
    plain = select(func.count()).where(ITEMS)
    statement = select(
        Order.id, weighted.scalar_subquery().label("w"), plain.scalar_subquery().label("n")
    )
    sql = _postgresql(lateral_aggregates(statement, Order))
    assert sql.count("LATERAL") == 2  # different WHERE: two lookups
    assert "sum(order_items.quantity * orders.id) AS v0" in sql


def _postgresql(statement: Any) -> str:
    return " ".join(str(statement.compile(dialect=postgresql.dialect())).split())


def test_a_postgresql_export_sets_work_mem_and_jit_for_its_transaction(
    admin_client, session, sa_engine: Engine, dialect
) -> None:
    if dialect != "postgresql":
        pytest.skip("PostgreSQL's work_mem and JIT")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(sa_engine, "before_cursor_execute", record)
    try:
        text = _export(admin_client, ORDERS, {"format": "csv"})
    finally:
        event.remove(sa_engine, "before_cursor_execute", record)
    assert text.startswith("Id,User username,Status,Item count,Total,Created at\r\n")
    reads = [s for s in statements if "FROM orders" in s or s.startswith("SET")]
    assert reads[:2] == list(stream.SESSION_SETTINGS["postgresql"])  # SET LOCAL
    assert len(reads) == 3
    assert reads[2].startswith("SELECT orders.id")
    assert "LATERAL" in reads[2]
