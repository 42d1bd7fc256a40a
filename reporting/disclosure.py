"""Disclosure control on every figure that leaves an organisation (API.md "Disclosure control").

NHS statistical practice for small numbers (NHS Digital's disclosure control rules, as applied to
published health statistics): a count from 1 to 7 is published as "*" and every other count is
rounded to the nearest 5, so that no one can tell from a published table (or from two tables taken
together) that a handful of people, perhaps one, is in a cell. A money figure about fewer than 8
people would disclose what their budgets are, so it is "*"; the most frequent budget amount is "*"
(with its count suppressed too) unless at least 8 people share it. An organisation's own dashboard
and return stay exact: only what leaves the organisation passes through here.

Pure functions over plain values: no ORM, no request (tests/reporting/test_disclosure.py holds the
hypothesis properties).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SUPPRESSED = "*"
SMALLEST_SHOWN = 8  # counts of 1 to 7 are suppressed
ROUND_TO = 5


def count(value: int | None) -> int | str | None:
    """A count for publication: 0 stays 0, 1 to 7 is "*", the rest rounded to the nearest 5."""
    if value is None:
        return None
    if 0 < value < SMALLEST_SHOWN:
        return SUPPRESSED
    # Integers are never halfway between two multiples of 5, so there is no tie to break.
    return ROUND_TO * ((value + ROUND_TO // 2) // ROUND_TO)


def money(amount: Any, people: int) -> Any:
    """A money figure (total, mean, median) about `people` budget holders."""
    if amount is None:
        return None
    return SUPPRESSED if people < SMALLEST_SHOWN else amount


def mode(amount: Any, sharing: int) -> tuple[Any, int | str]:
    """The most frequent amount and how many people have it: "*" and "*" unless 8 or more do."""
    if amount is None or sharing == 0:
        return amount, 0
    if sharing < SMALLEST_SHOWN:
        return SUPPRESSED, SUPPRESSED
    return amount, count(sharing)


def per_1000(published_count: int | str | None, population: int | None) -> str | None:
    """A rate made from the published (rounded) count, so it cannot give back the exact one."""
    if published_count in (None, SUPPRESSED) or not population:
        return None if published_count != SUPPRESSED else SUPPRESSED
    return f"{(Decimal(published_count) * 1000 / population).quantize(Decimal('0.01'))}"


def _counts(mapping: dict) -> dict:
    return {key: count(value) for key, value in mapping.items()}


def _timing(timing: dict) -> dict:
    """Days taken: the median and 90th percentile of fewer than 8 journeys would describe a few
    people's own journeys, so they are suppressed with the count."""
    journeys = timing.get("count") or 0
    shown = dict(timing, count=count(journeys))
    if 0 < journeys < SMALLEST_SHOWN:
        shown.update(median=SUPPRESSED, p90=SUPPRESSED)
    return shown


def _spend(spend: dict) -> dict:
    people = spend.get("people") or 0
    amount, sharing = mode(spend.get("mode"), spend.get("mode_count") or 0)
    return {
        **spend,
        "people": count(people),
        "total": money(spend.get("total"), people),
        "mean": money(spend.get("mean"), people),
        "median": money(spend.get("median"), people),
        "mode": amount,
        "mode_count": sharing,
        "by_category": {code: money(value, people) for code, value in spend.get("by_category", {}).items()},
        "by_funding_stream": {
            code: money(value, people) for code, value in spend.get("by_funding_stream", {}).items()
        },
        "paid_to_date": money(spend.get("paid_to_date"), people),
    }


def _demographics(demographics: dict) -> dict:
    return {
        **demographics,
        "people": count(demographics.get("people")),
        "age_gender": [
            {**row, "genders": _counts(row["genders"]), "total": count(row["total"])}
            for row in demographics.get("age_gender", [])
        ],
        "ethnicity": _counts(demographics.get("ethnicity", {})),
    }


def _ambition(ambition: dict) -> dict:
    in_place = count(ambition.get("in_place"))
    return {
        **ambition,
        "in_place": in_place,
        "per_1000_population": per_1000(in_place, ambition.get("population")),
        "trajectory": [
            {**point, "in_place": count(point["in_place"])} for point in ambition.get("trajectory", [])
        ],
    }


def _organisation_row(row: dict) -> dict:
    in_place = count(row["in_place"])
    return {
        **row,
        "in_place": in_place,
        "new_this_quarter": count(row["new_this_quarter"]),
        "per_1000_population": per_1000(in_place, row.get("population")),
    }


def region_figures(figures: dict) -> dict:
    """The region roll-up as it may be published: every count and money figure under the rules."""
    return {
        **figures,
        "in_place": count(figures["in_place"]),
        "new_this_quarter": count(figures["new_this_quarter"]),
        "by_cohort": _counts(figures["by_cohort"]),
        "by_management": _counts(figures["by_management"]),
        "pipeline": _counts(figures["pipeline"]),
        "timings": {name: _timing(timing) for name, timing in figures["timings"].items()},
        "spend": _spend(figures["spend"]),
        "demographics": _demographics(figures["demographics"]),
        "reviews": _counts(figures["reviews"]),
        "ambition": _ambition(figures["ambition"]),
        "organisations": [_organisation_row(row) for row in figures.get("organisations", [])],
        "disclosure_control": {
            "counts": "1 to 7 shown as *, others rounded to the nearest 5",
            "money": "* when about fewer than 8 people",
        },
    }
