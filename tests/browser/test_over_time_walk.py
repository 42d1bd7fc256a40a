"""Things that change over time, as a commissioner and a care coordinator see them: a policy version
scheduled from a date and withdrawn, an offer retired, goals charted over time — desktop and phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals import services as approval_services
from phb.constants import Role
from reviews.models import GoalAttainment
from support_plans.models import PlanGoal
from tests.factories import HACKNEY_TIERS, FastTrackOfferFactory, OrganisationFactory, PersonFactory, member
from tests.factories.kernel import PASSWORD
from tests.factories.reviews import CompletedReviewFactory, reviewed_plan

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_a_commissioner_schedules_a_policy_and_withdraws_it(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(hackney, Role.COMMISSIONER, username="sam")
    approval_services.policy_publish(
        actor=None,
        organisation=hackney,
        tiers=HACKNEY_TIERS,
        effective_from=timezone.now() - timedelta(days=30),
    )
    first_of_april = timezone.localdate() + timedelta(days=30)
    sign_in(page, "sam", PASSWORD)
    page.goto("/o/07T/approval-policy/")
    page.get_by_label("In force from").fill(first_of_april.isoformat())
    page.get_by_role("button", name="Publish a new version").click()
    page.get_by_text("is scheduled: in force from", exact=False).wait_for()
    assert f"Version 2 comes into force on {first_of_april:%-d %B %Y}" in page.inner_text("body")
    check_accessible(page, "over-time-policy-scheduled")
    page.get_by_role("button", name="Withdraw version 2").click()
    page.get_by_text("Version 2 withdrawn", exact=False).wait_for()
    page.set_viewport_size(PHONE)
    check_accessible(page, "over-time-policy-withdrawn-phone")


def test_a_commissioner_retires_an_offer(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(hackney, Role.COMMISSIONER, username="sam")
    FastTrackOfferFactory(organisation=hackney, name="Stay Connected")
    sign_in(page, "sam", PASSWORD)
    page.goto("/o/07T/fast-track/")
    page.get_by_role("link", name="Change Stay Connected").click()
    check_accessible(page, "over-time-offer-edit")
    page.get_by_role("button", name="Retire fast-track offer").click()
    page.get_by_text("retired: it is no longer offered when planning", exact=False).wait_for()
    expect(page.get_by_role("heading", name="Retired offers")).to_be_visible()
    page.set_viewport_size(PHONE)
    check_accessible(page, "over-time-offers-phone")


def test_a_care_coordinator_sees_each_goal_over_time(page):
    today = timezone.localdate()
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="priya")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    plan = reviewed_plan(hackney, care_coordinator=coordinator, budget__person=person)
    goal = PlanGoal.objects.create(organisation=hackney, plan=plan, description="Swim twice a week")
    for days_ago, score in ((150, "-1"), (60, "1")):
        review = CompletedReviewFactory(plan=plan, due_on=today - timedelta(days=days_ago))
        GoalAttainment.objects.create(organisation=hackney, review=review, goal=goal, attainment=score)
    sign_in(page, "priya", PASSWORD)
    page.goto(f"/o/07T/people/{person.pk}/")
    chart = page.get_by_test_id("attainment-chart")
    assert "Swim twice a week: -1 on" in chart.get_attribute("aria-label")
    table = page.get_by_role("table", name="Goal attainment at each review")
    assert "+1: Somewhat more than expected" in table.inner_text()
    check_accessible(page, "over-time-goals")
    page.set_viewport_size(PHONE)
    check_accessible(page, "over-time-goals-phone")
