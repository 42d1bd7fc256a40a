"""The geometry of the small line charts on a person's record: pure, no Django.

Outcome measures: one line per instrument over the dates of the reviews, on one axis of raw scores
from 0. Goal attainment: one line per goal on the five-point scale from -2 (much less than expected)
to +2 (much more). Either way a reader can compare the chart with the data table beside it number for
number.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 44

# Colour AND line pattern AND marker tell the lines apart, so colour is never the only cue.
STYLES = [
    {"colour": "#005eb8", "dash": "", "marker": "circle"},
    {"colour": "#007f3b", "dash": "6 4", "marker": "square"},
    {"colour": "#7c2855", "dash": "2 3", "marker": "diamond"},
    {"colour": "#425563", "dash": "10 3 2 3", "marker": "circle"},
]


@dataclass
class Point:
    x: float
    y: float
    on: date
    score: Decimal

    @property
    def square(self) -> tuple[float, float]:
        """Top-left corner of a square marker centred on the point."""
        return (self.x - 4, self.y - 4)

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y
        return f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"


@dataclass
class Line:
    instrument: str
    colour: str
    dash: str
    marker: str
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Tick:
    position: float
    label: str
    anchor: str = "middle"


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    y_max: int
    description: str


def outcome_chart(
    series: dict[str, list[tuple[date, Decimal]]], ceilings: dict[str, Decimal]
) -> Chart | None:
    """Lay out the lines of each instrument's scores over time; None when nothing was recorded.

    `series`: instrument -> [(recorded on, score)]; `ceilings`: instrument -> highest valid score
    (the y axis runs from 0 to the highest ceiling of the instruments shown, rounded up to tens).
    """
    series = {name: sorted(values) for name, values in series.items() if values}
    if not series:
        return None
    ceiling = max(ceilings.get(name, max(s for _, s in values)) for name, values in series.items())
    y_max = max(10, math.ceil(float(ceiling) / 10.0) * 10)
    return _line_chart(series, 0, y_max, [(value, str(value)) for value in range(0, y_max + 1, 10)])


ATTAINMENT_TICKS = [(-2, "−2"), (-1, "−1"), (0, "0"), (1, "+1"), (2, "+2")]


def attainment_chart(series: dict[str, list[tuple[date, Decimal]]]) -> Chart | None:
    """Each goal's attainment at each review, on the five-point scale; None when none was recorded."""
    series = {name: sorted(values) for name, values in series.items() if values}
    if not series:
        return None
    return _line_chart(series, -2, 2, ATTAINMENT_TICKS)


def _line_chart(
    series: dict[str, list[tuple[date, Decimal]]], y_min: int, y_max: int, ticks: list[tuple[int, str]]
) -> Chart:
    dates = sorted({on for values in series.values() for on, _ in values})
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span = (dates[-1] - dates[0]).days

    def x_of(on: date) -> float:
        if span == 0:
            return (LEFT + plot_right) / 2
        return LEFT + (plot_right - LEFT) * (on - dates[0]).days / span

    def y_of(score: Decimal) -> float:
        return plot_bottom - (plot_bottom - TOP) * (float(score) - y_min) / (y_max - y_min)

    lines = []
    for index, (name, values) in enumerate(sorted(series.items())):
        style = STYLES[index % len(STYLES)]
        line = Line(instrument=name, colour=style["colour"], dash=style["dash"], marker=style["marker"])
        line.points = [Point(x_of(on), y_of(score), on, score) for on, score in values]
        lines.append(line)
    y_ticks = [Tick(y_of(Decimal(value)), label) for value, label in ticks]
    shown = dates if len(dates) <= 5 else [dates[0], dates[len(dates) // 2], dates[-1]]
    # The outer date labels are anchored inwards so that they are not cut off at the chart's edges.
    x_ticks = [Tick(x_of(on), f"{on:%b %Y}") for on in shown]
    if len(x_ticks) > 1:
        x_ticks[0].anchor, x_ticks[-1].anchor = "start", "end"
    description = "; ".join(
        f"{line.instrument}: "
        + ", ".join(f"{p.score.normalize():f} on {p.on:%-d %b %Y}" for p in line.points)
        for line in lines
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=plot_right,
        top=TOP,
        bottom=plot_bottom,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        y_max=y_max,
        description=description,
    )
