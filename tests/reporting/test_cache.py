"""Cached dashboards and returns are never stale: any audited change to the organisation's data
counts afresh; other organisations' changes leave the cache alone."""

from datetime import date

import pytest

from phb.audit import record_event
from reporting.dashboard import organisation_dashboard
from reporting.quarters import parse_quarter
from reporting.returns import return_figures
from tests.factories.reporting import report_person, report_plan

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 30)


@pytest.fixture
def cache_on(settings):
    settings.PHB = {**settings.PHB, "REPORT_CACHE": True}


def approve_one(organisation):
    person = report_person(organisation)
    return report_plan(organisation, person, approved=date(2026, 5, 1))


def test_a_second_read_of_the_dashboard_asks_the_database_nothing(cache_on, org, django_assert_num_queries):
    approve_one(org)
    first = organisation_dashboard(org, ON)
    with django_assert_num_queries(0):
        assert organisation_dashboard(org, ON) == first


def test_an_audited_change_is_counted_at_once(cache_on, org, django_capture_on_commit_callbacks):
    approve_one(org)
    assert organisation_dashboard(org, ON)["in_place"] == 1
    plan = approve_one(org)
    with django_capture_on_commit_callbacks(execute=True):
        record_event(actor=None, organisation=org, obj=plan, action="plan_approved")
    assert organisation_dashboard(org, ON)["in_place"] == 2


def test_another_organisations_change_keeps_the_cache(
    cache_on, org, other_org, django_capture_on_commit_callbacks, django_assert_num_queries
):
    approve_one(org)
    organisation_dashboard(org, ON)
    elsewhere = approve_one(other_org)
    with django_capture_on_commit_callbacks(execute=True):
        record_event(actor=None, organisation=other_org, obj=elsewhere, action="plan_approved")
    with django_assert_num_queries(0):
        organisation_dashboard(org, ON)


def test_the_return_is_cached_and_recounted_after_a_change(cache_on, org, django_capture_on_commit_callbacks):
    quarter = parse_quarter("2026Q2")
    approve_one(org)
    assert return_figures(org, quarter, date(2026, 11, 23))["total"] == 1
    plan = approve_one(org)
    assert return_figures(org, quarter, date(2026, 11, 23))["total"] == 1  # not yet told
    with django_capture_on_commit_callbacks(execute=True):
        record_event(actor=None, organisation=org, obj=plan, action="plan_approved")
    assert return_figures(org, quarter, date(2026, 11, 23))["total"] == 2


def test_opening_a_record_or_building_a_return_keeps_the_cache(
    cache_on, org, coordinator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from phb.services import person_record_view
    from reporting.services import return_build

    person = report_person(org)
    report_plan(org, person, approved=date(2026, 5, 1))
    organisation_dashboard(org, ON)
    with django_capture_on_commit_callbacks(execute=True):
        person_record_view(actor=coordinator, person=person)
        return_build(actor=coordinator, organisation=org, quarter=parse_quarter("2026Q2"))
    with django_assert_num_queries(0):
        organisation_dashboard(org, ON)
