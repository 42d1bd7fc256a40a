"""Plausible dates: the one rule set that forms, API serializers and services all apply.

A date a person types is checked for what it can be (a real day from 1900 to 2100) and for what it
means: a date of birth or a meeting held cannot be in the future, a conversation cannot come before
the referral it follows, a plan lasts at most five years. Each rule answers a plain message in the
NHS.UK style ("Date of birth must be today or in the past"), keyed by the field it is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone

from .exceptions import InvalidInput

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
MAX_PLAN_YEARS = 5

# What a date is, which decides what it may be.
ANY = "any"  # a date in the product's range: a plan's start, an ambition's target date
PAST = "past"  # something that has happened: held, completed, paid, released, agreed, received
BIRTH = "birth"  # a date of birth: in the past
FUTURE = "future"  # something still to come: a review asked for now is due today or later


def today() -> datetime.date:
    return timezone.localdate()


def spoken(day: datetime.date) -> str:
    """1 December 2026: how the NHS writes a date in a sentence."""
    return f"{day.day} {day:%B %Y}"


def problems(
    day: datetime.date | None, *, label: str, kind: str = ANY, on: datetime.date | None = None
) -> list[str]:
    """What is wrong with `day` as a `kind` of date called `label` ("Date of birth"); [] when fine."""
    if day is None:
        return []
    if not EARLIEST <= day <= LATEST:
        return [f"{label} must be between 1900 and 2100"]
    on = on or today()
    if kind in (PAST, BIRTH) and day > on:
        return [f"{label} must be today or in the past"]
    if kind == FUTURE and day < on:
        return [f"{label} must be today or later"]
    return []


def not_before(
    day: datetime.date | None, earliest: datetime.date | None, *, label: str, what: str
) -> list[str]:
    """`label` must not come before `what` (on `earliest`): a conversation after its referral."""
    if day is None or earliest is None or day >= earliest:
        return []
    return [f"{label} must be on or after {what} ({spoken(earliest)})"]


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def period_problems(
    start: datetime.date | None,
    end: datetime.date | None,
    *,
    noun: str = "plan",
    max_years: int | None = MAX_PLAN_YEARS,
) -> list[str]:
    """The problems of the period from `start` to `end`, said about its end date."""
    if start is None or end is None:
        return []
    if end < start:
        return [f"The {noun} must end on or after the day it starts"]
    if max_years is not None and end > add_years(start, max_years):
        latest = add_years(start, max_years)
        return [f"A {noun} can last at most {max_years} years: end it on or before {spoken(latest)}"]
    return []


def require(**found: list[str]) -> None:
    """For services: raise InvalidInput (400, field -> messages) for the fields that have problems."""
    errors = {field: messages for field, messages in found.items() if messages}
    if errors:
        raise InvalidInput(**errors)


def validator(*, label: str, kind: str = ANY) -> Callable[[datetime.date], None]:
    """The rule as a Django validator, for form fields and DRF serializer fields alike."""

    def validate(day: datetime.date) -> None:
        messages = problems(day, label=label, kind=kind)
        if messages:
            raise ValidationError(messages[0], code="implausible_date")

    return validate
