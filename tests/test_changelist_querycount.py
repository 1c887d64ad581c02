"""Every registered changelist runs a fixed number of SQL statements, whatever it shows.

The demo data is seeded once for the module at a scale where every table has at least
100 rows (committed, then emptied afterwards: re-seeding per test would cost seconds
each on the servers). Each page is then fetched at list_per_page=10 and =100: the
statement counts must be equal, the pages really full, and nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from sqlalchemy import Engine, delete, func, select

from shop.admin.changelist.config import resolve_display_field
from shop.admin.changelist.query import declared_labels
from shop.models import Base
from shop.registrations import site

# seed_demo's smallest tables are vets (6 per scale) and clubs (8): 17 gives them >= 100.
SCALE = 17
# Staff accounts and groups are not demo data: tests/test_staff_accounts.py covers them.
ADMINS = [admin for admin in site.model_admins() if admin.app_label != "auth"]
ROW_RE = re.compile(r'<tr data-pk="')


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture(scope="module")
def seeded(sa_engine: Engine) -> Iterator[dict[str, int]]:
    """The demo data, committed once for this module, and the row count of each table."""
    _empty(sa_engine)
    call_command("seed_demo", scale=SCALE, stdout=StringIO(), stderr=StringIO())
    with sa_engine.connect() as connection:
        counts = {
            admin.model_name: connection.execute(
                select(func.count()).select_from(admin.table)
            ).scalar_one()
            for admin in ADMINS
        }
    try:
        yield counts
    finally:
        _empty(sa_engine)


def _url(admin: object) -> str:
    return f"/admin/{admin.app_label}/{admin.model_name}/"  # type: ignore[attr-defined]


def _measure(client, queries, url: str) -> tuple[int, int]:
    with queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert queries.writes == [], "a list page must not write"
    return len(queries), len(ROW_RE.findall(response.content.decode()))


def test_every_table_has_at_least_100_rows(seeded: dict[str, int]) -> None:
    assert min(seeded.values()) >= 100, seeded


@pytest.mark.parametrize("admin", ADMINS, ids=lambda admin: admin.model_name)
def test_the_list_runs_the_same_queries_for_10_and_100_rows(
    admin, seeded, admin_client, queries, monkeypatch
) -> None:
    url = _url(admin)
    monkeypatch.setattr(admin, "list_per_page", 10)
    small, shown_small = _measure(admin_client, queries, url)
    monkeypatch.setattr(admin, "list_per_page", 100)
    large, shown_large = _measure(admin_client, queries, url)
    assert (shown_small, shown_large) == (10, 100)
    assert small == large, queries.statements
    # count + page + at most one per filter and one for the date hierarchy
    assert large <= 2 + len(admin.list_filter) + (1 if admin.date_hierarchy else 0)


def _busy_query(admin: object) -> str:
    """Search, and sort on every sortable column, descending."""
    fields = [
        resolve_display_field(admin, name, declared_labels(admin)) for name in admin.list_display
    ]  # type: ignore[attr-defined]
    order = ".".join(f"-{i}" for i, field in enumerate(fields) if field.order_name)
    query = f"?o={order}" if order else "?"
    return query + ("&q=a" if admin.search_fields else "")  # type: ignore[attr-defined]


@pytest.mark.parametrize("admin", ADMINS, ids=lambda admin: admin.model_name)
def test_a_searched_and_sorted_list_runs_the_same_queries_for_10_and_100_rows(
    admin, seeded, admin_client, queries, monkeypatch
) -> None:
    url = _url(admin) + _busy_query(admin)
    monkeypatch.setattr(admin, "list_per_page", 10)
    small, shown_small = _measure(admin_client, queries, url)
    monkeypatch.setattr(admin, "list_per_page", 100)
    large, shown_large = _measure(admin_client, queries, url)
    assert shown_small == min(10, shown_large)
    assert small == large, queries.statements
