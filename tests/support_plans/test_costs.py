"""The plan cost rule (support_plans/costs.py): worked examples and hypothesis properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support_plans.costs import (
    FREQUENCIES,
    ONE_OFF,
    Costs,
    Line,
    item_total,
    occurrences,
    plan_costs,
    plan_weeks,
    to_pennies,
    weekly_amount,
)

D = Decimal


def costs_of(start, end, *lines):
    return plan_costs(start, end, [Line(*line) if isinstance(line, tuple) else line for line in lines])


# --- Worked by hand


def test_one_off_item_is_spread_over_the_plan_period_and_rounded_only_at_the_end():
    # 365 days = 52.142857 weeks; 200 / 52.142857 = 3.8356...; x 52 = 199.4520... (not 3.84 x 52 = 199.68)
    result = costs_of(date(2026, 1, 1), date(2026, 12, 31), (D("200.00"), "one_off"))
    assert result == Costs(total=D("200.00"), weekly=D("3.84"), annual=D("199.45"))


def test_weekly_item_is_paid_on_the_start_day_and_every_seventh_day_up_to_the_end():
    assert costs_of(date(2026, 1, 1), date(2026, 1, 14), (D("100.00"), "weekly")).total == D("200.00")
    assert costs_of(date(2026, 1, 1), date(2026, 1, 15), (D("100.00"), "weekly")).total == D("300.00")


def test_weekly_cost_of_a_weekly_item_is_its_amount_and_annual_is_52_weeks():
    result = costs_of(date(2026, 1, 1), date(2026, 12, 31), (D("420.00"), "weekly"))
    assert result.weekly == D("420.00")
    assert result.annual == D("21840.00")
    assert result.total == D("420.00") * 53  # 1 Jan 2026 is a Thursday; so is 31 Dec 2026


def test_fortnightly_and_four_weekly_amounts_per_week():
    result = costs_of(
        date(2026, 1, 1), date(2026, 3, 31), (D("80.00"), "fortnightly"), (D("100.00"), "four_weekly")
    )
    # 90 days: fortnightly on days 0,14,...,84 (7 times); four-weekly on 0,28,56,84 (4 times)
    assert result.total == D("560.00") + D("400.00")
    assert result.weekly == D("40.00") + D("25.00")


def test_monthly_item_is_paid_on_the_same_day_each_month_clamped_to_the_month_end():
    # 31 Jan, 28 Feb, 31 Mar, ... 31 Dec: twelve payments
    result = costs_of(date(2026, 1, 31), date(2026, 12, 31), (D("30.00"), "monthly"))
    assert result.total == D("360.00")
    assert result.weekly == D("6.92")  # 30 x 12 / 52 = 6.923...
    assert result.annual == D("360.00")
    assert occurrences("monthly", date(2026, 1, 31), date(2026, 2, 27)) == 1
    assert occurrences("monthly", date(2026, 1, 31), date(2026, 2, 28)) == 2


def test_annual_item_is_paid_on_the_same_date_each_year():
    result = costs_of(date(2026, 1, 1), date(2027, 12, 31), (D("520.00"), "annually"))
    assert result.total == D("1040.00")
    assert result.weekly == D("10.00")
    assert result.annual == D("520.00")
    assert occurrences("annually", date(2024, 2, 29), date(2025, 2, 27)) == 1
    assert occurrences("annually", date(2024, 2, 29), date(2025, 2, 28)) == 2


def test_an_items_own_dates_narrow_it_within_the_plan_period():
    item = Line(D("50.00"), "weekly", date(2026, 3, 1), date(2026, 3, 31))
    # 1, 8, 15, 22 and 29 March
    assert costs_of(date(2026, 1, 1), date(2026, 12, 31), item).total == D("250.00")
    # An item starting before the plan starts is counted from the plan's start
    early = Line(D("10.00"), "weekly", date(2025, 1, 1), None)
    assert costs_of(date(2026, 1, 1), date(2026, 1, 7), early).total == D("10.00")


def test_item_outside_the_plan_period_costs_nothing_recurring():
    item = Line(D("50.00"), "weekly", date(2027, 1, 1), None)
    assert costs_of(date(2026, 1, 1), date(2026, 12, 31), item).total == D("0.00")


def test_rounding_is_half_up_to_pennies():
    # fortnightly 1p is half a penny a week: half-up gives 1p (banker's rounding would give 0p)
    result = costs_of(date(2026, 1, 1), date(2026, 1, 1), (D("0.01"), "fortnightly"))
    assert result.weekly == D("0.01")
    assert result.annual == D("0.26")
    assert to_pennies(D("2.345")) == D("2.35")
    assert to_pennies(D("2.3449")) == D("2.34")


def test_city_and_hackney_style_one_off_plan_under_250():
    result = costs_of(date(2026, 2, 1), date(2026, 7, 31), (D("150.00"), "one_off"), (D("90.00"), "one_off"))
    assert result.total == D("240.00")


def test_plan_with_no_items_costs_nothing():
    assert costs_of(date(2026, 1, 1), date(2026, 1, 31)) == Costs(D("0.00"), D("0.00"), D("0.00"))


def test_plan_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        plan_costs(date(2026, 2, 1), date(2026, 1, 1), [])


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        weekly_amount(D("1.00"), "hourly")


# --- Properties

amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000.00"), places=2, allow_nan=False)
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def plans(draw):
    start = draw(starts)
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=3 * 366)))
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        item_start = draw(st.none() | st.dates(min_value=start - timedelta(days=60), max_value=end))
        item_end = draw(
            st.none() | st.dates(min_value=item_start or start, max_value=end + timedelta(days=60))
        )
        lines.append(Line(draw(amounts), draw(st.sampled_from(FREQUENCIES)), item_start, item_end))
    return start, end, lines


@settings(max_examples=300, deadline=None)
@given(plans())
def test_total_equals_the_sum_of_its_parts(plan):
    start, end, lines = plan
    result = plan_costs(start, end, lines)
    assert result.total == to_pennies(sum((item_total(start, end, line) for line in lines), D(0)))
    assert result.total == sum((plan_costs(start, end, [line]).total for line in lines), D("0.00"))


@settings(max_examples=300, deadline=None)
@given(plans())
def test_annual_is_the_unrounded_weekly_times_52_rounded_once(plan):
    start, end, lines = plan
    one_off = sum((line.amount for line in lines if line.frequency == ONE_OFF), D(0))
    weekly = sum((weekly_amount(line.amount, line.frequency) for line in lines), D(0))
    weekly += one_off / plan_weeks(start, end)
    result = plan_costs(start, end, lines)
    assert result.weekly == to_pennies(weekly)
    assert result.annual == to_pennies(weekly * 52)


@settings(max_examples=300, deadline=None)
@given(plans())
def test_costs_are_decimal_pennies_and_never_negative(plan):
    result = plan_costs(*plan)
    for value in (result.total, result.weekly, result.annual):
        assert isinstance(value, Decimal)
        assert value >= 0
        assert value == value.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(
    starts, st.integers(min_value=0, max_value=800), st.sampled_from(["weekly", "fortnightly", "four_weekly"])
)
def test_occurrences_count_the_payment_days_in_the_period(start, days, frequency):
    end = start + timedelta(days=days)
    step = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}[frequency]
    paydays = [start + timedelta(days=n) for n in range(days + 1) if n % step == 0]
    assert occurrences(frequency, start, end) == len(paydays)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(min_value=0, max_value=1200))
def test_monthly_occurrences_grow_by_one_each_calendar_month(start, days):
    end = start + timedelta(days=days)
    count = occurrences("monthly", start, end)
    # Each month holds exactly one payment day, so the count is months spanned, give or take the day
    months_spanned = (end.year - start.year) * 12 + end.month - start.month
    assert count in (months_spanned, months_spanned + 1)
    assert occurrences("monthly", start, end + timedelta(days=1)) >= count
