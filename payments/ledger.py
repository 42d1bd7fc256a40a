"""What may be paid from a budget account and its balance, and the instalments due: pure rules.

No Django here: plain Decimals, dates and strings, so the rule is one file that hypothesis can
hammer. The service (`payments/services.py`) locks the account row, asks this module whether an
entry is allowed and what the account looks like afterwards, then writes the entry.

Sign conventions: every ledger entry carries a positive amount; its kind says which way it moves.
- released = releases - clawbacks
- paid = payments - refunds
- a correction reverses (part of) one earlier entry, so it counts against that entry's kind
- balance = approved - paid  (= approved - payments + refunds)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from phb.money import gbp, to_pennies
from support_plans import costs

RELEASE = "release"
PAYMENT = "payment"
REFUND = "refund"
CLAWBACK = "clawback"
CORRECTION = "correction"
KINDS = (RELEASE, PAYMENT, REFUND, CLAWBACK, CORRECTION)

ZERO = Decimal("0.00")


# --- Errors: the service turns these into 409s with the same message.


class LedgerError(Exception):
    """An entry the ledger refuses; `message` is said to the user as it is."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class WouldOverspend(LedgerError):
    """Payments would go beyond the approved amount."""


class WouldOutrunRelease(WouldOverspend):
    """Payments would go beyond the money released to the budget (and it is not paid from a fund)."""


class WouldOverRelease(LedgerError):
    """Releases would go beyond the approved amount."""


class ReversalTooLarge(LedgerError):
    """A refund, clawback or correction would reverse more than there is to reverse."""


class ResizeBelowPaid(LedgerError):
    """A revised plan would approve less than has already been paid out."""


# --- Positions


@dataclass(frozen=True)
class Position:
    """The account's running totals: what the service keeps on the locked account row."""

    approved: Decimal
    released: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.approved - self.paid

    @property
    def unreleased(self) -> Decimal:
        return self.approved - self.released


@dataclass(frozen=True)
class Entry:
    """One ledger entry as the rules see it. `corrects` is the kind of the entry a correction reverses."""

    kind: str
    amount: Decimal
    corrects: str | None = None


def check_payment(
    approved: Decimal,
    paid: Decimal,
    amount: Decimal,
    released: Decimal | None = None,
    *,
    paid_from_fund: bool = False,
) -> None:
    """A payment may not take what has been paid beyond the approved amount, nor beyond the money
    released to the budget: the broker pays out what finance has put in.

    A budget paid from a fund agreed in advance draws on the fund as it pays (there is nothing to
    release first), so only the approved amount limits it. `released=None` checks the approved
    amount alone (a correction's own arithmetic).
    """
    if paid + amount > approved:
        raise WouldOverspend(
            f"A payment of {gbp(amount)} would exceed the approved budget: "
            f"{gbp(approved)} approved, {gbp(paid)} already paid, "
            f"{gbp(max(approved - paid, ZERO))} left."
        )
    if released is not None and not paid_from_fund and paid + amount > released:
        raise WouldOutrunRelease(
            f"A payment of {gbp(amount)} would take paid money above released money: "
            f"{gbp(released)} released, {gbp(paid)} already paid, "
            f"{gbp(max(released - paid, ZERO))} left to pay until more is released."
        )


def check_release(approved: Decimal, released: Decimal, amount: Decimal) -> None:
    """Funds released may not exceed the approved amount."""
    if released + amount > approved:
        raise WouldOverRelease(
            f"Releasing {gbp(amount)} would release more than was approved: "
            f"{gbp(approved)} approved, {gbp(released)} already released, "
            f"{gbp(max(approved - released, ZERO))} left to release."
        )


def check_refund(paid: Decimal, amount: Decimal) -> None:
    """A refund cannot give back more than has been paid out."""
    if amount > paid:
        raise ReversalTooLarge(f"A refund of {gbp(amount)} is more than has been paid ({gbp(paid)}).")


def check_clawback(released: Decimal, amount: Decimal) -> None:
    """A clawback cannot recover more than has been released."""
    if amount > released:
        raise ReversalTooLarge(
            f"A clawback of {gbp(amount)} is more than has been released ({gbp(released)})."
        )


def check_correction(
    position: Position, corrects: str, remaining: Decimal, amount: Decimal, *, paid_from_fund: bool = False
) -> None:
    """A correction reverses at most what is left of the entry it corrects, and keeps the totals sound."""
    if corrects == CORRECTION:
        raise ReversalTooLarge("A correction cannot itself be corrected; correct the original entry.")
    if amount > remaining:
        raise ReversalTooLarge(
            f"A correction of {gbp(amount)} is more than is left of that entry ({gbp(remaining)})."
        )
    # The correction moves the totals the opposite way to the entry it reverses.
    if corrects == PAYMENT:
        check_refund(position.paid, amount)
    elif corrects == REFUND:
        check_payment(
            position.approved, position.paid, amount, position.released, paid_from_fund=paid_from_fund
        )
    elif corrects == RELEASE:
        check_clawback(position.released, amount)
    elif corrects == CLAWBACK:
        check_release(position.approved, position.released, amount)


def effect(kind: str, amount: Decimal, corrects: str | None = None) -> tuple[Decimal, Decimal]:
    """(change to released, change to paid) of one entry; a finance export sums the second."""
    if kind == CORRECTION:
        if corrects is None or corrects == CORRECTION:
            raise ValueError("A correction names the kind of the entry it reverses.")
        released, paid = effect(corrects, amount, None)
        return -released, -paid
    effects = {
        RELEASE: (amount, ZERO),
        CLAWBACK: (-amount, ZERO),
        PAYMENT: (ZERO, amount),
        REFUND: (ZERO, -amount),
    }
    if kind not in effects:
        raise ValueError(f"Unknown ledger entry kind: {kind}")
    return effects[kind]


def apply(
    position: Position, entry: Entry, remaining: Decimal | None = None, *, paid_from_fund: bool = False
) -> Position:
    """Check one new entry against the account and return the account after it.

    `remaining` is, for a correction, what is left of the corrected entry after earlier corrections.
    `paid_from_fund`: the budget is paid from a fund agreed in advance, so payments are not held to
    the money released (see check_payment).
    """
    if entry.amount <= ZERO:
        raise ValueError("Ledger amounts are positive; the kind says which way they move.")
    if entry.kind == PAYMENT:
        check_payment(
            position.approved, position.paid, entry.amount, position.released, paid_from_fund=paid_from_fund
        )
    elif entry.kind == RELEASE:
        check_release(position.approved, position.released, entry.amount)
    elif entry.kind == REFUND:
        check_refund(position.paid, entry.amount)
    elif entry.kind == CLAWBACK:
        check_clawback(position.released, entry.amount)
    elif entry.kind == CORRECTION:
        if entry.corrects is None:
            raise ValueError("A correction names the kind of the entry it reverses.")
        check_correction(
            position,
            entry.corrects,
            entry.amount if remaining is None else remaining,
            entry.amount,
            paid_from_fund=paid_from_fund,
        )
    released, paid = effect(entry.kind, entry.amount, entry.corrects)
    return Position(
        approved=position.approved, released=position.released + released, paid=position.paid + paid
    )


def position_from(approved: Decimal, entries: Iterable[Entry]) -> Position:
    """The totals of an account from its entries (no checks: the entries are the record)."""
    released = paid = ZERO
    for entry in entries:
        change_released, change_paid = effect(entry.kind, entry.amount, entry.corrects)
        released += change_released
        paid += change_paid
    return Position(approved=approved, released=released, paid=paid)


def check_resize(new_approved: Decimal, paid: Decimal) -> None:
    """A revised plan version re-sizes the account, but never below what has been paid out."""
    if new_approved < paid:
        raise ResizeBelowPaid(
            f"The revised plan approves {gbp(new_approved)}, less than the {gbp(paid)} "
            "already paid from this budget."
        )


# --- Instalments: when each item falls due inside the plan period.
# The occurrence rule is the plan cost rule's (support_plans/costs.py): the count of dates and the
# item's narrowed period come from there, so the instalments of a plan add up to its total cost.

STEP_DAYS = {costs.WEEKLY: 7, costs.FORTNIGHTLY: 14, costs.FOUR_WEEKLY: 28}
STEP_MONTHS = {costs.MONTHLY: 1, costs.ANNUALLY: 12}


def _months_later(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's end (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrence_dates(frequency: str, start: date, end: date) -> list[date]:
    """The dates an item falls due from `start` to `end` inclusive: start, start + a period, ...

    As many dates as `costs.occurrences` counts; a one-off item falls due once, on `start`.
    """
    count = costs.occurrences(frequency, start, end)
    if frequency == costs.ONE_OFF:
        return [start] if count else []
    if frequency in STEP_DAYS:
        return [start + timedelta(days=STEP_DAYS[frequency] * n) for n in range(count)]
    return [_months_later(start, STEP_MONTHS[frequency] * n) for n in range(count)]


@dataclass(frozen=True)
class Item:
    """A plan item as the schedule sees it; its own dates narrow the plan period."""

    key: int
    amount: Decimal
    frequency: str
    start_date: date | None = None
    end_date: date | None = None


class Due(NamedTuple):
    """One instalment of a schedule (a tuple: a plan's schedule is made for every approval, and an
    import makes hundreds of thousands of them)."""

    key: int
    due_on: date
    amount: Decimal


def instalments(items: Iterable[Item], start: date, end: date) -> list[Due]:
    """The instalments due under a plan: each item's occurrences inside its part of the plan period.

    A one-off item falls due once, at the start of its period, so the broker's work list shows it
    too and the instalments of a plan add up to its total cost.
    """
    due: list[Due] = []
    for item in items:
        item_start, item_end = costs.item_period(start, end, item)
        if item.frequency == costs.ONE_OFF:
            item_end = max(item_end, item_start)  # a one-off always counts once, as in the total
        amount = to_pennies(item.amount)
        due += [Due(item.key, day, amount) for day in occurrence_dates(item.frequency, item_start, item_end)]
    return sorted(due, key=lambda d: (d.due_on, d.key))


def days_between(start: date, end: date | None) -> int | None:
    """Whole days from one date to another (the approval->release delay); None while still waiting."""
    if end is None:
        return None
    return (end - start).days
