"""Chart geometry: a nice axis, columns in proportion, bars in percent; values stay exact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.admin.charts import ChartPoint, column_chart, nice_step, proportions


@pytest.mark.parametrize(
    ("maximum", "step"),
    [
        (0, "1"),
        (3, "1"),
        (4, "1"),
        (5, "2"),
        (Decimal("0.30"), "0.1"),
        (Decimal("1295.23"), "500"),
        (Decimal("1000"), "250"),
        (Decimal("1000.01"), "500"),
        (7, "2"),
    ],
)
def test_the_axis_step_is_the_smallest_nice_one_that_reaches_the_maximum(
    maximum: Decimal | int, step: str
) -> None:
    assert nice_step(maximum) == Decimal(step)
    assert nice_step(maximum) * 4 >= maximum


def test_columns_are_proportional_and_sit_on_the_baseline() -> None:
    points = [ChartPoint("a", Decimal("0.00")), ChartPoint("b", Decimal("400.00"), "B")]
    chart = column_chart(points, value_text=lambda value: f"{value:.2f}")
    empty, full = chart.columns
    assert [tick.text for tick in chart.ticks] == ["0", "100", "200", "300", "400"]
    assert empty.height == 0
    assert empty.y == chart.baseline
    assert full.y == chart.ticks[-1].y
    assert full.y + full.height == chart.baseline
    assert (full.value_text, full.axis_label, empty.axis_label) == ("400.00", "B", "")
    assert empty.x < full.x
    assert chart.left <= empty.x
    assert full.x + full.width <= chart.right


def test_an_empty_series_draws_an_axis_and_no_columns() -> None:
    chart = column_chart([])
    assert chart.columns == []
    assert [tick.text for tick in chart.ticks] == ["0", "1", "2", "3", "4"]


def test_bar_lengths_are_percent_of_the_largest() -> None:
    assert proportions([Decimal("1234.56"), Decimal("79.96"), Decimal("0")]) == [100.0, 6.5, 0.0]
    assert proportions([0, 0]) == [0.0, 0.0]
    assert proportions([]) == []
