"""The date hierarchy's index probes and its DISTINCT give the same levels as Python does.

Timestamps are drawn over a few years with many on the boundaries of years, months and
days (the half-open ranges must put each on the right side), and every level (years,
one year's months, one month's days) is built both ways and compared with the levels
computed from the timestamps themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shop.admin.changelist import datehierarchy
from shop.admin.paths import resolve
from shop.models import Order
from tests import factories

BOUNDARIES = [
    datetime(2029, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2030, 1, 1, tzinfo=UTC),
    datetime(2030, 2, 28, 23, 59, 59, tzinfo=UTC),
    datetime(2030, 3, 1, tzinfo=UTC),
    datetime(2031, 7, 15, 12, tzinfo=UTC),
    datetime(2032, 2, 29, tzinfo=UTC),
]
MOMENTS = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.datetimes(
        min_value=datetime(2029, 6, 1), max_value=datetime(2032, 6, 1), timezones=st.just(UTC)
    ),
)
PATH = resolve(Order, "created_at")


def _expected(moments: list[datetime], selected: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The choices of the level below `selected`, from the timestamps alone."""
    utc = [moment.astimezone(UTC) for moment in moments]
    if len(selected) == 2:
        return sorted({(m.year, m.month, m.day) for m in utc if (m.year, m.month) == selected})
    if len(selected) == 1:
        return sorted({(m.year, m.month) for m in utc if m.year == selected[0]})
    years = sorted({(m.year,) for m in utc})
    return sorted({(m.year, m.month) for m in utc}) if len(years) == 1 else years


def _links(hierarchy: datehierarchy.DateHierarchy) -> list[tuple[int, ...]]:
    """The (year[, month[, day]]) each choice links to."""
    found = []
    for _title, link in hierarchy.choices:
        assert link is not None
        params = dict(part.split("=") for part in link.lstrip("?").split("&"))
        parts = [params.get(f"created_at__{name}") for name in ("year", "month", "day")]
        found.append(tuple(int(part) for part in parts if part is not None))
    return found


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moments=st.lists(MOMENTS, min_size=0, max_size=12), pick=st.integers(min_value=0))
def test_probes_and_distinct_give_the_levels_python_gives(session, dialect, moments, pick) -> None:
    nested = session.begin_nested()
    try:
        buyer = factories.user(session)
        for moment in moments:
            factories.order(session, buyer, []).created_at = moment
        session.flush()
        levels: list[tuple[int, ...]] = [()]
        if moments:
            chosen = moments[pick % len(moments)].astimezone(UTC)
            levels += [(chosen.year,), (chosen.year, chosen.month)]
        for selected in levels:
            listed = select(Order)
            if selected:
                listed = listed.where(datehierarchy.range_condition(Order, PATH, selected))
            probed = datehierarchy.build(session, listed, Order, PATH, selected, {}, dialect)
            distinct = datehierarchy.build(
                session, listed, Order, PATH, selected, {}, dialect, matched=listed
            )
            assert _links(probed) == _expected(moments, selected)
            assert probed == distinct
    finally:
        nested.rollback()
        session.expunge_all()


def test_a_range_filter_keeps_only_its_own_years(session, dialect) -> None:
    """Probes read the listed rows only: a filter narrows the levels it offers."""
    buyer = factories.user(session)
    for year in (2030, 2031, 2032):
        factories.order(session, buyer, []).created_at = datetime(year, 5, 1, tzinfo=UTC)
    session.flush()
    since = datetime(2031, 1, 1, tzinfo=UTC)
    listed = select(Order).where(Order.created_at >= since)
    hierarchy = datehierarchy.build(session, listed, Order, PATH, (), {}, dialect)
    assert _links(hierarchy) == [(2031,), (2032,)]
    one = select(Order).where(Order.created_at >= since + timedelta(days=400))
    months = datehierarchy.build(session, one, Order, PATH, (), {}, dialect)
    assert _links(months) == [(2032, 5)]  # every row in one year: its months
