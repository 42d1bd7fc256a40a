"""The pure review rules: when reviews fall due, and which reminders are due today."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.schedule import next_review_date, reminder_due, review_dates

START = date(2026, 1, 5)


def test_default_policy_first_at_twelve_weeks_then_every_thirteen():
    dates = review_dates(START, date(2026, 12, 31), 12, 13, False)
    assert dates == [
        ("first", date(2026, 3, 30)),
        ("scheduled", date(2026, 6, 29)),
        ("scheduled", date(2026, 9, 28)),
        ("scheduled", date(2026, 12, 28)),
    ]


def test_annual_cycle_of_birmingham_reviews_once_after_the_first_in_a_two_year_plan():
    dates = review_dates(START, START + timedelta(days=729), 12, 52, False)
    assert [kind for kind, _ in dates] == ["first", "scheduled"]
    assert dates[1][1] == START + timedelta(weeks=64)


def test_a_review_falling_exactly_on_the_end_date_is_kept():
    end = START + timedelta(weeks=12 + 13)
    assert review_dates(START, end, 12, 13, False)[-1] == ("scheduled", end)


def test_first_review_of_a_plan_shorter_than_the_first_review_weeks_is_on_its_end_date():
    end = START + timedelta(weeks=6)
    assert review_dates(START, end, 12, 13, False) == [("first", end)]


def test_midpoint_and_end_replace_the_cycle_for_time_limited_recovery_budgets():
    end = START + timedelta(days=364)
    assert review_dates(START, end, 12, 13, True) == [
        ("first", START + timedelta(weeks=12)),
        ("midpoint", START + timedelta(days=182)),
        ("end", end),
    ]


def test_midpoint_before_the_first_review_comes_first():
    end = START + timedelta(days=120)
    assert review_dates(START, end, 12, 13, True) == [
        ("midpoint", START + timedelta(days=60)),
        ("first", START + timedelta(weeks=12)),
        ("end", end),
    ]


def test_reviews_on_the_same_day_are_held_once():
    # Six-week plan: the first review is capped at the end date, which is also the end review.
    end = START + timedelta(weeks=6)
    assert review_dates(START, end, 12, 13, True) == [
        ("midpoint", START + timedelta(weeks=3)),
        ("first", end),
    ]
    assert review_dates(START, START, 12, 13, True) == [("first", START)]


def test_nonsense_periods_and_intervals_are_refused():
    with pytest.raises(ValueError):
        review_dates(START, START - timedelta(days=1), 12, 13, False)
    with pytest.raises(ValueError):
        review_dates(START, START + timedelta(days=10), 12, 0, False)


def test_next_review_is_one_interval_after_the_last_held_capped_at_the_end():
    end = date(2026, 12, 31)
    assert next_review_date(date(2026, 4, 1), end, 13) == date(2026, 7, 1)
    assert next_review_date(date(2026, 12, 1), end, 13) == end
    assert next_review_date(end, end, 13) is None


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 1), []),  # 9 days before: too early
        (date(2026, 3, 3), ["before_due"]),  # exactly 7 days before
        (date(2026, 3, 9), ["before_due"]),  # the day before
        (date(2026, 3, 10), ["on_due"]),  # due today
        (date(2026, 3, 23), ["on_due"]),  # 13 days overdue
        (date(2026, 3, 24), ["on_due", "escalation"]),  # 14 days overdue: the team lead hears
        (date(2026, 5, 1), ["on_due", "escalation"]),
    ],
)
def test_reminders_due_around_a_due_date(today, expected):
    assert reminder_due(date(2026, 3, 10), today, 7, 14) == expected


def test_no_before_due_reminder_when_policy_asks_for_none_and_escalation_on_the_day_when_zero():
    assert reminder_due(date(2026, 3, 10), date(2026, 3, 9), 0, 0) == []
    assert reminder_due(date(2026, 3, 10), date(2026, 3, 10), 0, 0) == ["on_due", "escalation"]


plan_periods = st.tuples(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=3 * 365),
)


@given(
    period=plan_periods,
    first_weeks=st.integers(min_value=0, max_value=52),
    interval=st.integers(min_value=1, max_value=104),
    midpoint_and_end=st.booleans(),
)
def test_review_dates_are_sorted_unique_within_the_period_and_start_in_time(
    period, first_weeks, interval, midpoint_and_end
):
    start, days = period
    end = start + timedelta(days=days)
    dates = review_dates(start, end, first_weeks, interval, midpoint_and_end)
    due = [d for _, d in dates]
    assert dates, "every plan has at least one review"
    assert due == sorted(due)
    assert len(set(due)) == len(due)
    assert all(start <= d <= end for d in due)
    assert due[0] <= start + timedelta(weeks=first_weeks)
    assert sum(1 for kind, _ in dates if kind == "first") <= 1
    if not midpoint_and_end:
        gaps = {(b - a).days for a, b in itertools.pairwise(due)}
        assert gaps <= {interval * 7}
    else:
        assert due[-1] == end


@given(
    due=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    offset=st.integers(min_value=-120, max_value=120),
    before=st.integers(min_value=0, max_value=60),
    after=st.integers(min_value=0, max_value=90),
)
def test_reminder_kinds_follow_the_day(due, offset, before, after):
    today = due + timedelta(days=offset)
    kinds = reminder_due(due, today, before, after)
    assert ("before_due" in kinds) == (-before <= offset < 0)
    assert ("on_due" in kinds) == (offset >= 0)
    assert ("escalation" in kinds) == (offset >= after)
    assert not ("before_due" in kinds and "on_due" in kinds)
