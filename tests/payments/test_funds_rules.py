"""The fund rules (payments/funds.py) and the plan's cost in a window (support_plans/costs.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments import funds
from support_plans import costs

D = Decimal


def test_financial_years_run_from_april_to_march():
    assert funds.financial_year_of(date(2026, 4, 1)) == "2026-27"
    assert funds.financial_year_of(date(2027, 3, 31)) == "2026-27"
    assert funds.financial_year_of(date(2000, 1, 1)) == "1999-00"
    assert funds.year_bounds("2026-27") == (date(2026, 4, 1), date(2027, 3, 31))
    assert not funds.is_financial_year("2026-28") and not funds.is_financial_year("26-27")


def test_room_is_for_the_whole_amount_never_part():
    position = funds.FundPosition(allocated=D("500.00"), committed=D("300.00"))
    assert funds.has_room(position, D("200.00"))
    assert not funds.has_room(position, D("200.01"))


def test_a_reduction_may_take_out_only_what_is_not_committed():
    position = funds.FundPosition(allocated=D("500.00"), committed=D("300.00"))
    funds.check_reduction(position, D("200.00"))
    with pytest.raises(funds.ReductionBelowCommitted):
        funds.check_reduction(position, D("200.01"))


def test_outlook_spreads_what_is_unpaid_over_the_weeks_left_and_projects_the_run_out_day():
    result = funds.outlook(
        allocated=D("10400.00"),
        committed=D("5200.00"),
        paid=D("1400.00"),
        year="2026-27",
        today=date(2026, 9, 29),  # 26 weeks in use, 26 weeks left
        opened_on=date(2026, 4, 1),
    )
    assert result.weekly_rate == D("200.00")
    assert result.weekly_commitment_to_year_end == D("144.57")  # 3800 over 184 days (today to 31 March)
    assert result.runs_out_on == date(2027, 3, 30)  # 5200 left at £200 a week: 26 weeks
    assert result.runs_out_before_year_end


def test_a_fund_nobody_draws_on_does_not_run_out():
    result = funds.outlook(
        allocated=D("100.00"),
        committed=D("0"),
        paid=D("0"),
        year="2026-27",
        today=date(2026, 6, 1),
        opened_on=date(2026, 5, 1),
    )
    assert result.runs_out_on is None and not result.runs_out_before_year_end


def test_the_chart_has_a_bar_per_month_and_reads_its_values_out():
    points = [
        (label, D("100.00") if n < 2 else None) for n, (label, _end) in enumerate(funds.month_ends("2026-27"))
    ]
    chart = funds.commitment_chart(D("400.00"), points)
    assert len(chart["bars"]) == 12 and chart["bars"][0]["label"] == "Apr 2026"
    assert chart["bars"][0]["height"] > 0 and chart["bars"][5]["height"] == 0
    assert "May 2026 £100.00" in chart["aria_label"] and "£400.00" in chart["aria_label"]


@st.composite
def plans(draw):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    end = start + timedelta(days=draw(st.integers(0, 900)))
    items = [
        costs.Line(
            amount=D(draw(st.integers(1, 100000))) / 100,
            frequency=draw(st.sampled_from(costs.FREQUENCIES)),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    return start, end, items


@given(plans())
def test_the_financial_years_of_a_plan_add_up_to_its_total(plan):
    start, end, items = plan
    total = costs.plan_costs(start, end, items).total
    years = range(start.year - 1, end.year + 1)
    parts = [
        costs.cost_between(start, end, items, *funds.year_bounds(f"{y}-{(y + 1) % 100:02d}")) for y in years
    ]
    assert sum(parts) == total
