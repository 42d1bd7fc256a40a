"""Medians and 90th percentiles: PostgreSQL's percentile_cont and the SQLite fallback agree."""

import statistics
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from payments.models import BudgetAccount
from reporting.aggregates import interpolated_percentile, median_and_p90
from reporting.dashboard import timings
from tests.factories import report_account, report_person, report_plan


@given(st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=50))
def test_the_fallback_median_is_the_median(values):
    assert interpolated_percentile(sorted(values), 0.5) == pytest.approx(statistics.median(values))


def test_the_fallback_interpolates_between_ranks_like_percentile_cont():
    assert interpolated_percentile([2, 4, 5, 10, 30], 0.9) == pytest.approx(22.0)
    assert interpolated_percentile([timedelta(days=1), timedelta(days=3)], 0.5) == timedelta(days=2)
    assert interpolated_percentile([], 0.5) is None


@pytest.mark.django_db
def test_a_timing_is_one_query_whatever_the_rows(org):
    for day in range(1, 12):
        person = report_person(org)
        plan = report_plan(org, person, approved=date(2024, 1, day))
        report_account(plan, released=date(2024, 2, day * 2))
    accounts = BudgetAccount.objects.filter(organisation=org).annotate(
        duration=ExpressionWrapper(
            F("first_released_at") - F("plan__approved_at"), output_field=DurationField()
        )
    )
    with CaptureQueriesContext(connection) as captured:
        result = median_and_p90(accounts, "duration", duration=True)
    assert len(captured) == 1
    assert result["count"] == 11
    if connection.vendor == "postgresql":
        assert "percentile_cont" in captured[0]["sql"]
    assert timings([org], date(2024, 6, 30))["approval_to_funds_released"]["median"] == 37.0
