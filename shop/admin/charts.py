"""Server-side chart geometry for inline SVG (no JavaScript, no CDN).

`column_chart()` lays out a column per point on a "nice" value axis; the template
`admin/includes/column_chart.html` draws it with CSS classes whose colours come from the
stylesheet's variables, so the chart follows light and dark mode. `proportions()` gives
the bar lengths of a table whose rows carry a small bar each (`admin/includes/bar.html`).
Values stay exact (Decimal or int); only the drawing coordinates are floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = Decimal | int

# Drawing units of the SVG viewBox; the SVG scales to its container's width.
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
INTERVALS = 4  # grid lines above the baseline
BAR_FILL = Decimal("0.7")  # share of its slot a column fills
STEP_FACTORS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class ChartPoint:
    label: str  # the full label, for the bar's tooltip and the text alternative
    value: Number
    short_label: str = ""  # under the axis; "" = no axis label for this point


@dataclass(frozen=True)
class Column:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    axis_label: str
    axis_x: float


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    axis_label_y: int = HEIGHT - BOTTOM + 16


def nice_step(maximum: Number, intervals: int = INTERVALS) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times 10^k step whose `intervals` steps reach `maximum`."""
    top = Decimal(maximum)
    if top <= 0:
        return Decimal(1)
    base = Decimal(1).scaleb((top / intervals).adjusted())
    for factor in STEP_FACTORS:
        step = base * factor
        if step * intervals >= top:
            return step
    return base * 10  # unreachable: the last factor always reaches `top`


def _plain(value: Decimal) -> str:
    """A tick value without exponent or trailing zeros: 2.5, 250, 0.1."""
    return f"{value.normalize():f}"


def column_chart(
    points: Sequence[ChartPoint], value_text: Callable[[Number], str] = str
) -> ColumnChart:
    """Columns for `points` on an axis from 0 to a nice maximum, with its tick labels."""
    step = nice_step(max((point.value for point in points), default=0))
    top = step * INTERVALS
    plot_height = HEIGHT - BOTTOM - TOP
    plot_width = WIDTH - RIGHT - LEFT
    slot = plot_width / max(len(points), 1)
    width = slot * float(BAR_FILL)
    columns = []
    for index, point in enumerate(points):
        height = float(Decimal(max(point.value, 0)) / top) * plot_height
        x = LEFT + index * slot + (slot - width) / 2
        columns.append(
            Column(
                label=point.label,
                value_text=value_text(point.value),
                x=round(x, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                axis_label=point.short_label,
                axis_x=round(x + width / 2, 2),
            )
        )
    ticks = [
        Tick(round(HEIGHT - BOTTOM - plot_height * i / INTERVALS, 2), _plain(step * i))
        for i in range(INTERVALS + 1)
    ]
    return ColumnChart(columns, ticks)


def proportions(values: Sequence[Number]) -> list[float]:
    """Each value as a percentage of the largest (0-100), for bars beside table rows."""
    largest = max(values, default=0)
    if largest <= 0:
        return [0.0 for _ in values]
    return [round(float(Decimal(max(value, 0)) / Decimal(largest)) * 100, 1) for value in values]
