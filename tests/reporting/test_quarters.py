"""Quarter, financial-year and age rules of reporting/quarters.py."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.quarters import (
    Quarter,
    age_on,
    birthday_cutoff,
    last_ended_quarter,
    parse_quarter,
    quarter_containing,
    quarter_ends_up_to,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def test_2014q3_is_july_to_september_and_quarter_2_of_2014_15():
    quarter = parse_quarter("2014Q3")
    assert (quarter.start, quarter.end) == (date(2014, 7, 1), date(2014, 9, 30))
    assert (quarter.financial_year, quarter.fy_quarter) == ("2014-15", 2)
    assert quarter.financial_year_start == date(2014, 4, 1)


def test_january_to_march_is_the_fourth_quarter_of_the_previous_financial_year():
    quarter = parse_quarter("2015Q1")
    assert (quarter.financial_year, quarter.fy_quarter, quarter.financial_year_start) == (
        "2014-15",
        4,
        date(2014, 4, 1),
    )


def test_financial_year_across_a_century_keeps_two_digits():
    assert Quarter(2099, 2).financial_year == "2099-00"


@pytest.mark.parametrize("text", ["", "2014Q5", "2014Q0", "14Q3", "2014-Q3", "Q3 2014", "1999Q4", "2014q3x"])
def test_bad_quarters_are_refused(text):
    with pytest.raises(ValueError):
        parse_quarter(text)


def test_lower_case_q_is_accepted():
    assert parse_quarter("2014q3") == Quarter(2014, 3)


@given(days)
def test_a_day_lies_inside_the_quarter_containing_it(day):
    quarter = quarter_containing(day)
    assert quarter.start <= day <= quarter.end
    assert parse_quarter(str(quarter)) == quarter


@given(days)
def test_quarters_tile_the_calendar(day):
    quarter = quarter_containing(day)
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.previous().next() == quarter
    assert quarter.financial_year_start <= quarter.start
    assert (quarter.start - quarter.financial_year_start).days < 366
    assert 1 <= quarter.fy_quarter <= 4


@given(days)
def test_the_last_ended_quarter_ended_before_today(day):
    quarter = last_ended_quarter(day)
    assert quarter.end < day <= quarter.next().end


@given(days)
def test_trajectory_points_are_quarter_ends_then_the_day(day):
    ends = quarter_ends_up_to(day, 8)
    assert len(ends) == 8 and ends[-1] == day
    assert all(quarter_containing(end).end == end for end in ends[:-1])
    assert ends == sorted(ends)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), days, st.integers(0, 100))
def test_under_an_age_exactly_when_born_after_the_cutoff(born, on, years):
    if born > on:
        return
    assert (born > birthday_cutoff(on, years)) == (age_on(born, on) < years)


def test_eighteenth_birthday_the_day_after_is_still_a_child_on_the_day_an_adult():
    assert age_on(date(2006, 7, 1), date(2024, 6, 30)) == 17
    assert age_on(date(2006, 6, 30), date(2024, 6, 30)) == 18


def test_born_on_29_february_comes_of_age_on_1_march():
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18
    assert birthday_cutoff(date(2024, 2, 29), 18) == date(2006, 2, 28)
