"""Apportioning an amount of money across parts in proportion, in whole pennies that add up exactly.

Pure Decimal arithmetic (no Django, no floats): the largest-remainder method (Hamilton's), so that
spend by category adds up to the total to the penny however the shares fall.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

PENNY = Decimal("0.01")


def largest_remainder(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split `total` (pennies) across the keys in proportion to their weights, summing to `total` exactly.

    Each part gets the whole pennies of its exact share; the pennies left over go one each to the
    parts with the largest remaining fractions (ties to the key first in order, so the answer is
    deterministic). Zero or negative weights get nothing; with no positive weight nothing is split.
    """
    total = Decimal(total).quantize(PENNY)
    positive = {key: Decimal(weight) for key, weight in weights.items() if Decimal(weight) > 0}
    if not positive:
        return {}
    whole = sum(positive.values(), Decimal(0))
    pennies = int(total / PENNY)
    exact = {key: Decimal(pennies) * weight / whole for key, weight in positive.items()}
    floors = {key: int(share.to_integral_value(rounding=ROUND_FLOOR)) for key, share in exact.items()}
    left = pennies - sum(floors.values())
    by_remainder = sorted(positive, key=lambda key: (-(exact[key] - floors[key]), key))
    for key in by_remainder[:left]:
        floors[key] += 1
    return {key: Decimal(count) * PENNY for key, count in floors.items()}
