"""Funds agreed in advance: financial years, room in a fund, its rate of use and when it runs out.

City & Hackney's lesson (NDTi, 2020): "identifying and agreeing a budget in advance has meant the
gap between authorisation and payment can be a matter of days or weeks". A fund is money set aside
for one NHS financial year (1 April to 31 March); each approval it serves commits the plan's cost
falling in that year and releases it at once. Pure rules over plain values: the service
(`payments/fund_services.py`) locks the fund row, asks this module, then writes.

- allocated = allocation + top-ups - reductions
- committed = the plans' amounts in the year, committed at approval
- remaining = allocated - committed (a reduction may not take allocated below committed)
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from phb.money import gbp, to_pennies

ZERO = Decimal("0.00")
DAYS_PER_WEEK = Decimal(7)
YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
YEAR_MESSAGE = "Enter a financial year like 2026-27 (April 2026 to March 2027)."


class FundError(Exception):
    """A change the fund rules refuse; `message` is said to the user as it is."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ReductionBelowCommitted(FundError):
    """A reduction would leave less in the fund than approved plans have already committed."""


# --- Financial years ("2026-27": 1 April 2026 to 31 March 2027)


def financial_year_of(day: date) -> str:
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def is_financial_year(code: str) -> bool:
    match = YEAR_PATTERN.match(code or "")
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return 1900 <= first < 2100 and second == (first + 1) % 100


def year_bounds(code: str) -> tuple[date, date]:
    """First and last day of a financial year."""
    if not is_financial_year(code):
        raise ValueError(YEAR_MESSAGE)
    first = int(code[:4])
    return date(first, 4, 1), date(first + 1, 3, 31)


# --- Position and room


@dataclass(frozen=True)
class FundPosition:
    allocated: Decimal
    committed: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.committed


def has_room(position: FundPosition, amount: Decimal) -> bool:
    """Whether the fund can take a plan's whole amount for the year (a fund never part-funds a plan)."""
    return amount > ZERO and amount <= position.remaining


def check_reduction(position: FundPosition, amount: Decimal) -> None:
    if amount > position.remaining:
        raise ReductionBelowCommitted(
            f"A reduction of {gbp(amount)} would leave less than approved plans have committed: "
            f"{gbp(position.allocated)} allocated, {gbp(position.committed)} committed, "
            f"{gbp(max(position.remaining, ZERO))} can be taken out."
        )


# --- Rate of use: the weekly commitment to the year's end, and when the fund runs out


def weeks_between(start: date, end: date) -> Decimal:
    """Weeks from one day to another, both days included (days / 7)."""
    return Decimal((end - start).days + 1) / DAYS_PER_WEEK


@dataclass(frozen=True)
class Outlook:
    weekly_rate: Decimal  # committed per week so far this year
    weekly_commitment_to_year_end: Decimal | None  # committed but not yet paid, per week left
    runs_out_on: date | None  # at the current rate; None when nothing is being committed
    runs_out_before_year_end: bool


def outlook(
    *, allocated: Decimal, committed: Decimal, paid: Decimal, year: str, today: date, opened_on: date
) -> Outlook:
    """How fast the fund is being used and, at that rate, the day it runs out.

    The rate is what has been committed divided by the weeks the fund has been in use this year
    (from the later of 1 April and the day it was set up, to today). The weekly commitment to the
    year's end is what approved plans have committed and not yet been paid, spread over the weeks
    left, the money the brokers must pay out each week from now on.
    """
    start, end = year_bounds(year)
    in_use_from = max(start, opened_on)
    up_to = min(max(today, in_use_from), end)
    # At least a week, so that a fund set up this morning is not said to run at seven days' rate a day.
    weekly_rate = committed / max(weeks_between(in_use_from, up_to), Decimal(1))
    if today > end:
        to_year_end = None
    else:
        to_year_end = to_pennies(max(committed - paid, ZERO) / weeks_between(max(today, start), end))
    remaining = allocated - committed
    if remaining <= ZERO:
        runs_out_on: date | None = min(max(today, start), end)
    elif weekly_rate <= ZERO:
        runs_out_on = None
    else:
        days = int(remaining / weekly_rate * DAYS_PER_WEEK)
        runs_out_on = max(today, start) + timedelta(days=days)
    return Outlook(
        weekly_rate=to_pennies(weekly_rate),
        weekly_commitment_to_year_end=to_year_end,
        runs_out_on=runs_out_on,
        runs_out_before_year_end=runs_out_on is not None and runs_out_on <= end,
    )


# --- The chart: committed by the end of each month of the year, against the allocation

MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
CHART_WIDTH = 600
CHART_HEIGHT = 220
CHART_LEFT = 60
CHART_BOTTOM = 30
CHART_TOP = 24  # room for the allocation line's label


def month_ends(year: str) -> list[tuple[str, date]]:
    """(label, last day) of each month of the financial year, April first."""
    start, _end = year_bounds(year)
    ends = []
    for index, label in enumerate(MONTHS):
        month_year, month = start.year + (3 + index) // 12, (3 + index) % 12 + 1
        ends.append(
            (f"{label} {month_year}", date(month_year, month, calendar.monthrange(month_year, month)[1]))
        )
    return ends


def commitment_chart(allocated: Decimal, points: list[tuple[str, Decimal | None]]) -> dict[str, Any]:
    """Bars of committed to date at each month end (None: a month still to come), a line at the allocation."""
    plot_width = CHART_WIDTH - CHART_LEFT - 10
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    top = max([allocated, *[value for _label, value in points if value is not None]], default=ZERO)
    top = top if top > ZERO else Decimal(1)
    slot = Decimal(plot_width) / max(len(points), 1)
    bars: list[dict[str, Any]] = []
    for index, (label, value) in enumerate(points):
        height = int(plot_height * (value or ZERO) / top)
        x = CHART_LEFT + int(slot * index) + 4
        bars.append(
            {
                "label": label,
                "short": label[:3],
                "value": value,
                "x": x,
                "y": CHART_TOP + plot_height - height,
                "width": max(int(slot) - 8, 1),
                "height": height,
                "label_x": x + max(int(slot) - 8, 1) // 2,
            }
        )
    allocation_y = CHART_TOP + plot_height - int(plot_height * allocated / top)
    shown = "; ".join(f"{label} {gbp(value)}" for label, value in points if value is not None)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - 10,
        "axis_y": CHART_TOP + plot_height,
        "label_y": CHART_HEIGHT - 10,
        "allocation_y": allocation_y,
        "allocation_label": gbp(allocated),
        "bars": bars,
        "aria_label": f"Committed to date at each month end against the allocation of {gbp(allocated)}: "
        + (shown or "nothing committed yet"),
    }
