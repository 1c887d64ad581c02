"""A search across several tables finds exactly the rows Python finds, however it is run.

The order list searches its own number, the customer's username and e-mail and the SKUs
of its lines. On PostgreSQL a term is read table by table (a union of keys, or an OR of
hashed key sets when the result is large); elsewhere as one OR. Every way must list the
rows whose fields match, each once, in the list's order.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.models import Order
from shop.registrations import site
from tests import factories

ORDERS = "/admin/commerce/order/"
ROW_RE = re.compile(r'<tr data-pk="(\d+)"')
WORDS = ("ab", "ba", "abc", "cab", "b")
TERMS = st.sampled_from(["a", "ab", "b", "ca", "abc", "x", "1", "2", "@"])


def _listed(client: Any, query: str) -> tuple[list[int], str]:
    """The orders listed for the search, and the result count the page shows."""
    response = client.get(ORDERS, {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    counted = re.search(r'role="status">([^<(]*) \(', body)
    assert counted is not None
    return [int(pk) for pk in ROW_RE.findall(body)], counted.group(1)


def _matches(order: Order, skus: list[str], term: str) -> bool:
    term = term.lower()
    user = order.user
    return (
        (term.isdigit() and int(term) == order.id)
        or user.username.lower().startswith(term)
        or term in user.email.lower()
        or any(sku.lower().startswith(term) for sku in skus)
    )


@pytest.fixture
def one_page(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(site.get_model_admin(Order), "list_per_page", 200)
    return site.get_model_admin(Order)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    carts=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3), st.lists(st.sampled_from(WORDS), max_size=3)
        ),
        min_size=1,
        max_size=6,
    ),
    terms=st.lists(TERMS, min_size=1, max_size=2),
    cap=st.sampled_from([1, 2, 1000]),
)
def test_every_way_of_searching_lists_the_matching_orders_once(
    admin_client, session, one_page, monkeypatch, people, carts, terms, cap
) -> None:
    monkeypatch.setattr(one_page, "count_cap", cap)  # 1: "large" results, counted and walked
    nested = session.begin_nested()
    try:
        users = [
            factories.user(session, username=f"{word}{i}", email=f"{word[::-1]}{i}@mail.example")
            for i, word in enumerate(people)
        ]
        skus: dict[int, list[str]] = {}
        for index, (who, words) in enumerate(carts):
            lines = [
                (factories.product(session, sku=f"{word.upper()}-{index}-{n}"), 1)
                for n, word in enumerate(words)
            ]
            order = factories.order(session, users[who % len(users)], lines)
            skus[order.id] = [product.sku for product, _quantity in lines]
        session.flush()
        orders = sorted(
            session.query(Order).all(), key=lambda o: (o.created_at, o.id), reverse=True
        )
        expected = [
            order.id
            for order in orders
            if all(_matches(order, skus[order.id], term) for term in terms)
        ]
        listed, counted = _listed(admin_client, " ".join(terms))
        assert listed == expected
        if len(expected) > cap:  # every branch counted only as far as the cap
            assert counted == f"{cap:,}+ results"
        else:
            assert counted == f"{len(expected)} result{'' if len(expected) == 1 else 's'}"
    finally:
        nested.rollback()
        session.expunge_all()
