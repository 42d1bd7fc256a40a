"""The plan cost rule (total, weekly, annual): pure functions over plain values, the only home of it.

DESIGN.md, Money: the weekly amount of a recurring item is weekly `a`, fortnightly `a/2`,
four-weekly `a/4`, monthly `a*12/52`, annually `a/52`. The **total** is the one-off amounts plus
each recurring item's amount times its occurrences inside the plan period (an item's own start
and end narrow it). The **weekly** cost is the sum of the recurring weekly amounts plus the
one-off total divided by the plan period in weeks (days / 7). The **annual** cost is weekly x 52.
Everything is `Decimal`, worked unrounded, and rounded half-up to pennies once, at the end,
by `to_pennies`.

The occurrence rule (a decision; DESIGN.md says only "occurrences inside the plan period"):
an item is paid on the dates start, start + one period, start + two periods, ... where start is
the later of the plan's start and the item's own start, and every such date that falls on or
before the end (the earlier of the plan's end and the item's own end) counts once. A period is
7 days (weekly), 14 (fortnightly), 28 (four-weekly), the same day of each calendar month
(monthly; the 31st becomes the last day of a shorter month) or the same date each year
(annually; 29 February becomes 28 February in other years). So a weekly item over a 14-day
plan is paid twice, and over a 15-day plan three times. A one-off item counts once.
The plan period in weeks is (end - start).days + 1 (both days included) divided by 7.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from phb.money import LARGEST_RECORDABLE, gbp, to_pennies

WEEKS_PER_YEAR = Decimal(52)
DAYS_PER_WEEK = Decimal(7)

ONE_OFF = "one_off"
WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
FOUR_WEEKLY = "four_weekly"
MONTHLY = "monthly"
ANNUALLY = "annually"

FREQUENCIES = (ONE_OFF, WEEKLY, FORTNIGHTLY, FOUR_WEEKLY, MONTHLY, ANNUALLY)

# What a plan may hold (API.md, "Bad input"): a personal health budget's plan lists the handful of
# things the person buys, so 200 items is far beyond any real plan, and bounds the work of costing,
# approving and printing one; no single item costs more than £1,000,000.
MAX_ITEMS = 200
MAX_ITEM_AMOUNT = Decimal("1000000.00")
_DAYS_BETWEEN = {WEEKLY: 7, FORTNIGHTLY: 14, FOUR_WEEKLY: 28}


class CostLine(Protocol):
    """What the rule needs of an item: a plan item, a form row or a `Line` all fit."""

    @property
    def amount(self) -> Decimal: ...

    @property
    def frequency(self) -> str: ...

    @property
    def start_date(self) -> date | None: ...

    @property
    def end_date(self) -> date | None: ...


@dataclass(frozen=True)
class Line:
    """A plain item for callers that have no model row (previews, tests)."""

    amount: Decimal
    frequency: str
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class Costs:
    """A plan's cost measures, in pounds, rounded to pennies."""

    total: Decimal
    weekly: Decimal
    annual: Decimal

    def as_strings(self) -> dict[str, str]:
        return {"total": f"{self.total:.2f}", "weekly": f"{self.weekly:.2f}", "annual": f"{self.annual:.2f}"}


def weekly_amount(amount: Decimal, frequency: str) -> Decimal:
    """The weekly equivalent of a recurring item (unrounded); a one-off item has none."""
    if frequency == ONE_OFF:
        return Decimal(0)
    if frequency == WEEKLY:
        return amount
    if frequency == FORTNIGHTLY:
        return amount / 2
    if frequency == FOUR_WEEKLY:
        return amount / 4
    if frequency == MONTHLY:
        return amount * 12 / WEEKS_PER_YEAR
    if frequency == ANNUALLY:
        return amount / WEEKS_PER_YEAR
    raise ValueError(f"Unknown frequency: {frequency}")


def _months_later(start: date, months: int) -> date:
    """The same day `months` calendar months after `start`, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def occurrences(frequency: str, start: date, end: date) -> int:
    """How many payment dates of a recurring item fall from `start` to `end`, both included."""
    if end < start:
        return 0
    if frequency == ONE_OFF:
        return 1
    if frequency in _DAYS_BETWEEN:
        return (end - start).days // _DAYS_BETWEEN[frequency] + 1
    if frequency not in (MONTHLY, ANNUALLY):
        raise ValueError(f"Unknown frequency: {frequency}")
    step = 1 if frequency == MONTHLY else 12
    # Whole months between the two dates bound the answer; count down from there.
    count = ((end.year - start.year) * 12 + end.month - start.month) // step + 1
    while count > 0 and _months_later(start, (count - 1) * step) > end:
        count -= 1
    return count


def item_period(plan_start: date, plan_end: date, line: CostLine) -> tuple[date, date]:
    """The part of the plan period an item runs for: its own start and end narrow it."""
    start = max(plan_start, line.start_date) if line.start_date else plan_start
    end = min(plan_end, line.end_date) if line.end_date else plan_end
    return start, end


def item_total(plan_start: date, plan_end: date, line: CostLine) -> Decimal:
    """What one item costs over the plan period, unrounded. A one-off item counts once."""
    if line.frequency == ONE_OFF:
        return line.amount
    start, end = item_period(plan_start, plan_end, line)
    return line.amount * occurrences(line.frequency, start, end)


def plan_weeks(start: date, end: date) -> Decimal:
    """The plan period in weeks: days (both ends included) / 7."""
    return Decimal((end - start).days + 1) / DAYS_PER_WEEK


def plan_costs(start: date, end: date, items: Iterable[CostLine]) -> Costs:
    """Total, weekly and annual cost of a plan from its items, rounded once at the end."""
    if end < start:
        raise ValueError("The plan ends before it starts.")
    total = Decimal(0)
    one_off_total = Decimal(0)
    recurring_weekly = Decimal(0)
    for line in items:
        total += item_total(start, end, line)
        if line.frequency == ONE_OFF:
            one_off_total += line.amount
        else:
            recurring_weekly += weekly_amount(line.amount, line.frequency)
    weekly = recurring_weekly + one_off_total / plan_weeks(start, end)
    return Costs(
        total=to_pennies(total), weekly=to_pennies(weekly), annual=to_pennies(weekly * WEEKS_PER_YEAR)
    )


STREAMS = ("nhs", "social_care", "education")


def funding_split_problem(
    total: Decimal, contributes: dict[str, bool], amounts: dict[str, Decimal | None]
) -> str | None:
    """Why a plan's funding split does not add up, or None: an integrated budget's amounts (NHS,
    social care, education) are the plan's cost divided between its funders, so once any amount is
    given, every contributing stream needs one and together they make the plan's total exactly.
    A split with no amounts (streams only ticked) says who contributes, not how much."""
    given = {stream: amount for stream, amount in amounts.items() if amount is not None}
    if not given:
        return None
    missing = [s for s in STREAMS if contributes.get(s) and s not in given]
    if missing:
        names = ", ".join(s.replace("_", " ") for s in missing)
        return f"Give an amount for every stream that contributes (missing: {names})."
    split = sum(given.values(), Decimal(0))
    if split != total:
        return f"The funding split adds up to £{split:,.2f} but the plan costs £{total:,.2f}: they must be equal."
    return None


def cost_between(
    plan_start: date, plan_end: date, items: Iterable[CostLine], window_start: date, window_end: date
) -> Decimal:
    """What a plan's items cost on the dates that fall from `window_start` to `window_end` (a financial
    year, say), rounded once to pennies.

    The occurrence rule is the total's: a recurring item is paid on start, start + one period, ...,
    so the window holds the occurrences up to its end less those before its start; a one-off item
    falls on its (narrowed) start. Consecutive windows covering the plan period add up to its total.
    """
    if window_end < window_start:
        return to_pennies(Decimal(0))
    amount = Decimal(0)
    for line in items:
        start, end = item_period(plan_start, plan_end, line)
        if line.frequency == ONE_OFF:
            if window_start <= start <= window_end:
                amount += line.amount
            continue
        up_to_end = occurrences(line.frequency, start, min(end, window_end))
        before_window = occurrences(line.frequency, start, min(end, window_start - timedelta(days=1)))
        amount += line.amount * (up_to_end - before_window)
    return to_pennies(amount)


def unrecordable(result: Costs) -> list[str]:
    """Plain-English problems with cost measures too large to record (empty when all fit)."""
    measures = {"total": result.total, "weekly": result.weekly, "annual": result.annual}
    return [
        f"The plan's {name} cost ({gbp(amount)}) is more than the largest amount that can be recorded "
        f"({gbp(LARGEST_RECORDABLE)}): remove items, lower their amounts or shorten the plan."
        for name, amount in measures.items()
        if abs(amount) > LARGEST_RECORDABLE
    ]


def too_many_items(count: int) -> str | None:
    """The problem with a plan of `count` items, or None."""
    if count > MAX_ITEMS:
        return f"A support plan can list at most {MAX_ITEMS} items; this one has {count}."
    return None
