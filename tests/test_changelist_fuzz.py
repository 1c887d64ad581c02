"""Hypothesis throws thousands of query strings at the changelists: never a 5xx.

The query strings mix what the changelists understand (their own field paths, Django's
lookups, list_display indexes, page numbers, date parts) with garbage: unknown names,
unicode, huge numbers, quotes, `%`, NUL bytes and broken percent-escapes. Pages are
kept at 5 rows so each example stays cheap; the run is derandomized for CI.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shop.admin.changelist.conditions import LOOKUPS
from shop.admin.changelist.values import enum_values, python_type
from shop.admin.paths import try_resolve
from shop.models import Enrollment, Profile
from shop.registrations import site
from tests import factories

ADMINS = site.model_admins()
# ~10 ms per example: 2000 keep the run under ~30 s per database; raise it locally with
# CHANGELIST_FUZZ_EXAMPLES=20000 for a deeper search.
EXAMPLES = int(os.environ.get("CHANGELIST_FUZZ_EXAMPLES", "2000"))
LOOKUP_NAMES = [*sorted(LOOKUPS), "year", "month", "day", "iexact", "regex", "id", "pk"]
GARBAGE = ["", "'", '"', "%", "_", "\\", "\x00", "%00", "é", "名前", "🙂", "--", ";", ",", "."]


def _names(admin) -> list[str]:
    names = [n for n in admin.list_display if n != "__str__"]
    names += [f for f in admin.list_filter if isinstance(f, str)]
    names += [s.lstrip("^=@") for s in admin.search_fields]
    names += list(admin.mapper.column_attrs.keys()) + list(admin.mapper.relationships.keys())
    if admin.date_hierarchy:
        names.append(admin.date_hierarchy)
    return sorted(set(names))


ALL_NAMES = sorted({name for admin in ADMINS for name in _names(admin)})

texts = st.text(min_size=0, max_size=12)
numbers = st.one_of(
    st.integers(min_value=-5, max_value=300),
    st.integers(min_value=-(10**30), max_value=10**30),
).map(str)
values = st.one_of(
    numbers,
    texts,
    st.sampled_from(GARBAGE),
    st.sampled_from(["True", "False", "1", "0", "true", "yes", "None", "null"]),
    st.sampled_from(["paid", "pending", "no_show", "A+", "member", "active", "add"]),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.dates().map(str),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.lists(st.integers(-3, 40).map(str), max_size=4).map(".".join),
    st.lists(st.integers(-3, 40).map(lambda i: str(i) if i >= 0 else f"-{-i}"), max_size=4).map(
        ".".join
    ),
    st.lists(numbers, max_size=5).map(",".join),
)
CONTROL = ["q", "o", "p", "all", "e", "_popup", "_to_field", "_facets", "id"]
raw_tails = st.sampled_from(["", "&", "&&=", "=&=", "&%zz=%", "&q=%", "&%00=1", "&o", "&p=", "&;"])


def _keys(admin) -> st.SearchStrategy[str]:
    """Mostly this changelist's own names and lookups, some of other models', some junk."""
    own = _names(admin)
    return st.one_of(
        st.sampled_from(CONTROL),
        st.tuples(st.sampled_from(own), st.sampled_from(LOOKUP_NAMES)).map("__".join),
        st.tuples(st.sampled_from(own), st.sampled_from(sorted(LOOKUPS))).map("__".join),
        st.tuples(st.sampled_from(own), st.sampled_from(own), st.sampled_from(LOOKUP_NAMES)).map(
            "__".join
        ),
        st.sampled_from(own),
        st.tuples(st.sampled_from(ALL_NAMES), st.sampled_from(LOOKUP_NAMES)).map("__".join),
        texts,
    )


KEYS = {admin.model_name: _keys(admin) for admin in ADMINS}


def _typed(sa_type) -> st.SearchStrategy[str]:
    """Values a column of this type accepts, and some just past its edges."""
    choices = enum_values(sa_type)
    if choices:
        return st.sampled_from(choices)
    kind = python_type(sa_type)
    if kind is bool:
        return st.sampled_from(["1", "0", "True", "False", "true"])
    if kind is int:
        return st.integers(-(2**63), 2**63).map(str)
    if kind is Decimal:
        return st.decimals(-(10**10), 10**10, places=3, allow_nan=False).map(str)
    if kind is datetime:
        return st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat())
    if kind is date:
        return st.dates().map(str)
    return texts


def _valid_pairs(admin) -> st.SearchStrategy[tuple[str, str]]:
    pairs = []
    for name in _names(admin):
        path = try_resolve(admin.model, name)
        if path is None:
            continue
        typed = _typed(path.expression.type)
        pairs.append(st.tuples(st.sampled_from([name, f"{name}__exact", f"{name}__gte",
                                                f"{name}__lt"]), typed))  # fmt: skip
        pairs.append(st.tuples(st.just(f"{name}__in"), st.lists(typed, max_size=3).map(",".join)))
        pairs.append(st.tuples(st.just(f"{name}__isnull"), st.sampled_from(["True", "False"])))
    pairs.append(st.tuples(st.just("q"), st.one_of(texts, st.sampled_from(GARBAGE))))
    pairs.append(st.tuples(st.just("p"), st.integers(1, 3).map(str)))
    pairs.append(
        st.tuples(st.just("o"), st.lists(st.integers(-4, 4).map(str), max_size=3).map(".".join))
    )
    return st.one_of(pairs)


PAIRS = {
    admin.model_name: st.one_of(
        _valid_pairs(admin), _valid_pairs(admin), st.tuples(KEYS[admin.model_name], values)
    )
    for admin in ADMINS
}


def query_strings(admin) -> st.SearchStrategy[str]:
    pairs = st.lists(PAIRS[admin.model_name], max_size=4)
    return st.tuples(pairs, raw_tails).map(lambda parts: urlencode(parts[0]) + parts[1])


@pytest.fixture
def small_pages(monkeypatch):
    for admin in ADMINS:
        monkeypatch.setattr(admin, "list_per_page", 5)
        monkeypatch.setattr(admin, "list_max_show_all", 20)


@pytest.fixture
def some_rows(session):
    """A few rows in every table, some with markup and wildcard characters."""
    buyer = factories.user(session, username="a%b_c", bio="<script>x</script>")
    item = factories.product(session)
    item.name = "50% off_\\ <b>"
    factories.order(session, buyer, [(item, 2)])
    owner = factories.owner_with_pets(session)
    vet = factories.vet(session)
    factories.appointment(session, owner.pets[0], vet)
    student = factories.student(session)
    course = factories.course(session)
    factories.cart(session, buyer)
    session.add(Profile(user=buyer, display_name="'quoted\"", website="https://example.com"))
    session.add(Enrollment(student=student, course=course, grade="A+"))
    session.flush()
    return datetime.now(UTC)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_query_string_makes_a_changelist_fail(
    admin_client, some_rows, small_pages, data
) -> None:
    admin = data.draw(st.sampled_from(ADMINS), label="admin")
    query = data.draw(query_strings(admin), label="query")
    url = f"/admin/{admin.app_label}/{admin.model_name}/"
    response = admin_client.get(url, QUERY_STRING=query)
    event(f"status {response.status_code}")
    assert response.status_code < 500, (url, query)
    if response.status_code == 302:
        assert response["Location"] == f"{url}?e=1"
    else:
        assert response.status_code in (200, 400), (url, query, response.status_code)
