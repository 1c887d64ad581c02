"""Seek pagination, deferred joins and capped counts give the rows of the plain queries.

Each property draws rows with many ties in the ordering column, then walks the list the
way staff do - Next to the end, Previous back to the start, a deep page by number - and
compares every page with the same rows ordered and sliced in Python.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.admin.changelist import seek
from shop.models import Order, Owner
from shop.registrations import site
from tests import factories

ORDERS = "/admin/commerce/order/"
OWNERS = "/admin/clinic/owner/"
ROW_RE = re.compile(r'<tr data-pk="(\d+)"')
NEXT_RE = re.compile(r'<a href="([^"]*)" rel="next"')
PREVIOUS_RE = re.compile(r'<a href="([^"]*)" rel="prev"')
START = datetime(2030, 1, 1, tzinfo=UTC)
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _pks(response: Any) -> list[int]:
    assert response.status_code == 200, response.get("Location")
    return [int(pk) for pk in ROW_RE.findall(response.content.decode())]


def _link(response: Any, pattern: re.Pattern[str]) -> str | None:
    found = pattern.search(response.content.decode())
    return html.unescape(found.group(1)) if found else None


def _walk(client: Any, url: str, first: str, pattern: re.Pattern[str]) -> tuple[list[Any], str]:
    """The pages met following one link (Next or Previous) from `first` to the end, and
    the query string of the last of them."""
    pages, query, last = [], first, first
    while query is not None:
        response = client.get(url + query)
        pages.append(_pks(response))
        last, query = query, _link(response, pattern)
        assert len(pages) < 100, "the walk does not end"
    return pages, last


def _chunks(rows: list[int], size: int) -> list[list[int]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Three rows a page, and counts capped at two rows: every list is "big"."""
    for model in (Order, Owner):
        admin = site.get_model_admin(model)
        monkeypatch.setattr(admin, "list_per_page", 3)
        monkeypatch.setattr(admin, "count_cap", 2)
    return 3


@EXAMPLES
@given(offsets=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=11))
def test_next_and_previous_walk_the_orders_like_offsets(
    admin_client, session, small_pages, offsets
) -> None:
    nested = session.begin_nested()
    try:
        buyer = factories.user(session)
        for minutes in offsets:  # few distinct times: many ties, broken by the key
            factories.order(session, buyer, []).created_at = START + timedelta(minutes=minutes)
        session.flush()
        rows = sorted(session.query(Order).all(), key=lambda o: (o.created_at, o.id), reverse=True)
        expected = _chunks([order.id for order in rows], small_pages)
        forward, last = _walk(admin_client, ORDERS, "?", NEXT_RE)
        assert forward == expected
        assert ("_after=" in last) == (len(expected) > 1)  # the pages were sought
        backward, first = _walk(admin_client, ORDERS, last, PREVIOUS_RE)
        assert backward[::-1] == expected
        assert "_before" not in first  # back on page 1: a plain first page
    finally:
        nested.rollback()
        session.expunge_all()


@EXAMPLES
@given(names=st.lists(st.sampled_from(["Ann", "Bo", "Cy"]), min_size=1, max_size=10))
def test_mixed_directions_seek_like_offsets(admin_client, session, small_pages, names) -> None:
    """Owners sort by name, then by key; a second term against it mixes directions."""
    nested = session.begin_nested()
    try:
        for index, name in enumerate(names):
            session.add(Owner(name=name, email=f"o{index}@seek.example"))
        session.flush()
        owners = sorted(session.query(Owner).all(), key=lambda o: (o.name, o.id))
        expected = _chunks([owner.id for owner in owners], small_pages)
        forward, last = _walk(admin_client, OWNERS, "?", NEXT_RE)
        assert forward == expected
        assert _walk(admin_client, OWNERS, last, PREVIOUS_RE)[0][::-1] == expected
    finally:
        nested.rollback()
        session.expunge_all()


@EXAMPLES
@given(offsets=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=10))
def test_a_deferred_join_reads_the_page_of_an_offset(
    admin_client, session, monkeypatch, offsets
) -> None:
    admin = site.get_model_admin(Order)
    monkeypatch.setattr(admin, "list_per_page", 2)
    monkeypatch.setattr(seek, "DEFER_AFTER", 0)  # every page past the first: deferred
    nested = session.begin_nested()
    try:
        buyer = factories.user(session)
        for minutes in offsets:
            factories.order(session, buyer, []).created_at = START + timedelta(minutes=minutes)
        session.flush()
        rows = sorted(session.query(Order).all(), key=lambda o: (o.created_at, o.id), reverse=True)
        expected = _chunks([order.id for order in rows], 2)
        for number, page in enumerate(expected, start=1):
            assert _pks(admin_client.get(ORDERS, {"p": number})) == page
    finally:
        nested.rollback()
        session.expunge_all()


def test_a_position_that_does_not_fit_the_ordering_is_a_bad_parameter(admin_client) -> None:
    for position in ("nope", "[1]", '["x", 1]', "[null, 1]", "[1.5, 2]", '{"a": 1}'):
        response = admin_client.get(ORDERS, {"p": 2, "_after": position})
        assert response.status_code == 302
        assert response["Location"] == f"{ORDERS}?e=1"


@EXAMPLES
@given(size=st.integers(min_value=0, max_value=7), cap=st.integers(min_value=1, max_value=5))
def test_counts_are_exact_up_to_the_cap(admin_client, session, monkeypatch, size, cap) -> None:
    admin = site.get_model_admin(Order)
    monkeypatch.setattr(admin, "count_cap", cap)
    nested = session.begin_nested()
    try:
        buyer = factories.user(session)
        for _ in range(size):
            factories.order(session, buyer, [])
        session.flush()
        text = admin_client.get(ORDERS, {"status__exact": "pending"}).content.decode()
        shown = f"{cap}+ results" if size > cap else f"{size} result{'' if size == 1 else 's'}"
        assert f">{shown} (" in text
    finally:
        nested.rollback()
        session.expunge_all()
