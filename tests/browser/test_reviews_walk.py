"""A care coordinator sees an overdue review, completes it, and finds the measures on the person's record."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phb.constants import Role
from reviews.models import OutcomeMeasure, Review
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, member
from tests.factories.kernel import PASSWORD
from tests.factories.reviews import CompletedReviewFactory, OverdueReviewFactory, ReviewFactory, reviewed_plan

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_celery():
    from phb.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_care_coordinator_completes_an_overdue_review(page):
    today = timezone.localdate()
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    team = TeamFactory(organisation=hackney, name="Community mental health")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="priya", team=team)
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    plan = reviewed_plan(hackney, care_coordinator=coordinator, budget__person=person, goals=2)
    earlier = CompletedReviewFactory(plan=plan, due_on=today - timedelta(days=80))
    OutcomeMeasure.objects.create(
        organisation=hackney,
        review=earlier,
        person=person,
        instrument="ReQoL-10",
        score="15",
        recorded_on=earlier.held_on,
    )
    OutcomeMeasure.objects.create(
        organisation=hackney,
        review=earlier,
        person=person,
        instrument="SWEMWBS",
        score="17.5",
        recorded_on=earlier.held_on,
    )
    overdue = OverdueReviewFactory(plan=plan, kind="scheduled")
    ReviewFactory(plan=reviewed_plan(hackney, care_coordinator=coordinator), due_on=today + timedelta(days=2))

    sign_in(page, "priya", PASSWORD)
    page.goto("/o/07T/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews", use_inner_text=True)
    overdue_table = page.get_by_role("table", name="Overdue (1)")
    assert "Amara Okafor" in overdue_table.inner_text() and "20 days" in overdue_table.inner_text()
    expect(page.get_by_role("table", name="Due this week (1)")).to_be_visible()
    check_accessible(page, "reviews-01-worklist")

    overdue_table.get_by_role("link", name="Complete review of Amara Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Complete the scheduled review", use_inner_text=True
    )
    check_accessible(page, "reviews-02-complete-form")

    # A score out of range is refused, and what was typed stays on the page.
    page.get_by_label("What is working").fill("Swimming twice a week; sleeping better")
    page.get_by_label("Measure 1: score").fill("45")
    page.get_by_label("Measure 3: score").fill("21.5")
    goals = list(plan.goals.all())
    page.get_by_role("group", name=goals[0].description).get_by_label(
        "1: Somewhat more than expected"
    ).check()
    page.get_by_role("group", name=goals[1].description).get_by_label("0: As expected").check()
    page.get_by_label("Continue the plan").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.get_by_label("What is working").input_value() == "Swimming twice a week; sleeping better"
    check_accessible(page, "reviews-03-complete-error")

    page.get_by_label("Measure 1: score").fill("24")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amara Okafor", use_inner_text=True)
    assert "Review recorded for Amara Okafor" in page.content()
    chart = page.locator("svg[role=img][data-testid=outcome-chart]")
    assert chart.is_visible()
    assert (
        "Outcome measures over time" in chart.get_attribute("aria-label")
        or chart.locator("title").count() == 1
    )
    table = page.get_by_role("table", name="Outcome measure scores")
    assert "24" in table.inner_text() and "21.5" in table.inner_text() and "15" in table.inner_text()
    check_accessible(page, "reviews-04-person-record")

    overdue.refresh_from_db()
    assert (overdue.status, overdue.decision) == ("completed", "continue")
    assert Review.objects.filter(budget=plan.budget, status="scheduled").exists()


def test_commissioner_sets_the_review_policy(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(hackney, Role.COMMISSIONER, username="cora")
    sign_in(page, "cora", PASSWORD)
    page.goto("/o/07T/reviews/policy/")
    check_accessible(page, "reviews-05-policy")
    page.get_by_label("Then every (weeks)").fill("52")
    page.get_by_role("button", name="Save policy").click()
    page.get_by_text("Review policy saved.").wait_for()
    assert page.get_by_label("Then every (weeks)").input_value() == "52"
