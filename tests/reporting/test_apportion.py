"""Spend by category in exact pennies: the largest-remainder rule and the dashboard's use of it."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.apportion import largest_remainder
from reporting.dashboard import spend_by_category
from tests.factories.reporting import report_person, report_plan

D = Decimal


def test_three_equal_parts_of_a_pound_add_up_to_the_pound():
    assert largest_remainder(D("1.00"), {"a": D(1), "b": D(1), "c": D(1)}) == {
        "a": D("0.34"),
        "b": D("0.33"),
        "c": D("0.33"),
    }


def test_the_leftover_penny_goes_to_the_largest_remainder():
    # 10.00 x 2/3 = 6.666.., 10.00 x 1/3 = 3.333..: the 2/3 part has the larger remainder.
    assert largest_remainder(D("10.00"), {"big": D(2), "small": D(1)}) == {
        "big": D("6.67"),
        "small": D("3.33"),
    }


money = st.integers(min_value=0, max_value=10**9).map(lambda p: D(p) / 100)
weights = st.dictionaries(
    st.sampled_from(["home_support", "therapies", "transport", "other", "short_breaks"]),
    st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
    min_size=1,
)


@given(total=money, parts=weights)
def test_the_parts_always_add_up_to_the_total_and_each_is_within_a_penny_of_its_share(total, parts):
    split = largest_remainder(total, parts)
    assert sum(split.values(), D(0)) == total
    whole = sum(parts.values())
    for key, amount in split.items():
        assert amount == amount.quantize(D("0.01"))
        assert abs(amount - total * parts[key] / whole) < D("0.01")


@pytest.mark.django_db
def test_categories_add_up_to_the_plans_cost_to_the_penny(org):
    person = report_person(org, cohorts=["ltc"])
    # Issue 15's plan: pennies that a float weight spread wrongly.
    report_plan(
        org,
        person,
        approved=date(2024, 2, 1),
        cost_total="11443.56",  # 196.33 x 53 Mondays of 2024 + 85.50 x 12 + 12.07
        items=[
            ("personal_assistant", "196.33", "weekly"),
            ("therapies", "85.50", "monthly"),
            ("other", "12.07", "one_off"),
        ],
    )
    by_category = spend_by_category([org], date(2024, 6, 30))
    assert sum(by_category.values(), D(0)) == D("11443.56")
    assert all(isinstance(amount, Decimal) for amount in by_category.values())
    # Each category is its items' own total over the plan, not a weighted guess.
    assert by_category == {
        "personal_assistant": D("10405.49"),
        "therapies": D("1026.00"),
        "other": D("12.07"),
    }
