"""The reviews pages: worklists, completing and booking a review, the policy, the person's section."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from phb.constants import Role
from reviews.models import OutcomeMeasure, Review, ReviewPolicy
from support_plans.constants import PlanStatus
from tests.factories import TeamFactory, member
from tests.factories.reviews import CompletedReviewFactory, OverdueReviewFactory, ReviewFactory, reviewed_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reviews_list_shows_my_overdue_and_due_this_week(org, coordinator):
    overdue = OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))
    due = ReviewFactory(
        plan=reviewed_plan(org, care_coordinator=coordinator), due_on=TODAY() + timedelta(days=2)
    )
    later = ReviewFactory(
        plan=reviewed_plan(org, care_coordinator=coordinator), due_on=TODAY() + timedelta(days=30)
    )
    someone_elses = OverdueReviewFactory(
        plan=reviewed_plan(org, care_coordinator=member(org, Role.CARE_COORDINATOR))
    )
    response = client_for(coordinator).get("/o/07T/reviews/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Overdue (1)" in page and "Due this week (1)" in page
    assert f"/o/07T/reviews/{overdue.pk}/complete/" in page
    assert f"/o/07T/reviews/{due.pk}/complete/" in page
    assert f"/o/07T/reviews/{later.pk}/complete/" not in page
    assert f"/o/07T/reviews/{someone_elses.pk}/complete/" not in page
    assert "20 days" in page
    assert "My team" not in page


def test_team_lead_sees_the_overdue_reviews_of_the_team(org):
    team = TeamFactory(organisation=org)
    lead = member(org, Role.TEAM_LEAD, team=team)
    in_team = member(org, Role.CARE_COORDINATOR, team=team)
    elsewhere = member(org, Role.CARE_COORDINATOR, team=TeamFactory(organisation=org))
    theirs = OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=in_team))
    other = OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=elsewhere))
    page = client_for(lead).get("/o/07T/reviews/").content.decode()
    assert "My team" in page
    assert f"/o/07T/reviews/{theirs.pk}/complete/" in page
    assert f"/o/07T/reviews/{other.pk}/complete/" not in page


def test_reviews_link_in_the_header_for_a_care_coordinator(org, coordinator):
    page = client_for(coordinator).get("/o/07T/").content.decode()
    assert 'href="/o/07T/reviews/"' in page


def _form(review, **overrides):
    data = {
        "held_on": TODAY().isoformat(),
        "working": "The gym",
        "not_working": "",
        "measure_0_instrument": "ReQoL-10",
        "measure_0_score": "22",
        "measure_1_instrument": "WEMWBS",
        "measure_1_score": "",
        "measure_2_instrument": "SWEMWBS",
        "measure_2_score": "20.5",
        "decision": "continue",
        "close_reason": "",
        "notes": "",
    }
    for goal in review.plan.goals.all():
        data[f"goal_{goal.pk}"] = "1"
    data.update(overrides)
    return data


def test_complete_a_review_through_the_page(org, coordinator):
    review = OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))
    client = client_for(coordinator)
    form = client.get(f"/o/07T/reviews/{review.pk}/complete/")
    assert form.status_code == 200
    assert "Measure 1: score" in form.content.decode()
    response = client.post(f"/o/07T/reviews/{review.pk}/complete/", _form(review))
    assert response.status_code == 302
    assert response["Location"] == f"/o/07T/people/{review.person_id}/"
    review.refresh_from_db()
    assert (review.status, review.decision, review.working) == ("completed", "continue", "The gym")
    assert sorted(OutcomeMeasure.objects.filter(review=review).values_list("instrument", flat=True)) == [
        "ReQoL-10",
        "SWEMWBS",
    ]
    assert review.goal_attainments.count() == 2


def test_out_of_range_score_on_the_page_keeps_what_was_typed(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))
    response = client_for(coordinator).post(
        f"/o/07T/reviews/{review.pk}/complete/", _form(review, measure_0_score="45", working="Typed text")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "ReQoL-10 score must be between 0 and 40." in page
    assert 'value="45"' in page and "Typed text" in page
    review.refresh_from_db()
    assert review.status == "scheduled"


def test_closing_on_the_page_needs_a_reason(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))
    response = client_for(coordinator).post(
        f"/o/07T/reviews/{review.pk}/complete/", _form(review, decision="close")
    )
    assert response.status_code == 200
    assert "Choose why the account is being closed." in response.content.decode()


def test_completed_review_page_shows_what_was_recorded_and_refuses_a_second_completion(org, coordinator):
    review = CompletedReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator), working="Walking")
    client = client_for(coordinator)
    page = client.get(f"/o/07T/reviews/{review.pk}/complete/").content.decode()
    assert "What was recorded" in page and "Walking" in page
    response = client.post(f"/o/07T/reviews/{review.pk}/complete/", _form(review), follow=True)
    assert "already been recorded" in response.content.decode()


def test_complete_page_403_for_wrong_role_and_404_for_another_organisation(org, other_org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    foreign = ReviewFactory(plan=reviewed_plan(other_org))
    finance = member(org, Role.FINANCE)
    assert client_for(finance).get(f"/o/07T/reviews/{review.pk}/complete/").status_code == 403
    assert client_for(coordinator).get(f"/o/07T/reviews/{foreign.pk}/complete/").status_code == 404
    assert client_for(coordinator).post(f"/o/07T/reviews/{foreign.pk}/complete/", {}).status_code == 404
    assert Client().get(f"/o/07T/reviews/{review.pk}/complete/").status_code == 302


def test_book_a_review_through_the_page(org, coordinator):
    plan = reviewed_plan(org, care_coordinator=coordinator)
    due_on = TODAY() + timedelta(days=4)
    response = client_for(coordinator).post(
        f"/o/07T/plans/{plan.pk}/request-review/",
        {"due_on": due_on.isoformat(), "requested_by": "The person"},
    )
    assert response.status_code == 302
    review = Review.objects.get(plan=plan)
    assert (review.kind, review.due_on, review.requested_by) == ("on_request", due_on, "The person")


def test_booking_a_review_of_a_draft_plan_shows_the_reason(org, coordinator):
    plan = reviewed_plan(org, status=PlanStatus.DRAFT)
    response = client_for(coordinator).post(
        f"/o/07T/plans/{plan.pk}/request-review/", {"due_on": TODAY().isoformat()}, follow=True
    )
    assert "only for an approved or active plan" in response.content.decode()
    assert not Review.objects.exists()


def test_policy_page_commissioner_saves_and_coordinator_only_reads(org, coordinator):
    commissioner = member(org, Role.COMMISSIONER)
    data = {
        "first_review_weeks": 12,
        "interval_weeks": 52,
        "reminder_days_before": 7,
        "escalate_days_after": 14,
    }
    response = client_for(commissioner).post("/o/07T/reviews/policy/", data)
    assert response.status_code == 302
    assert ReviewPolicy.objects.get(organisation=org).interval_weeks == 52
    page = client_for(coordinator).get("/o/07T/reviews/policy/").content.decode()
    assert "every 52 weeks" in page and '<form method="post"' not in page
    assert client_for(coordinator).post("/o/07T/reviews/policy/", data).status_code == 403


def test_policy_page_refuses_an_interval_of_zero(org):
    commissioner = member(org, Role.COMMISSIONER)
    data = {
        "first_review_weeks": 12,
        "interval_weeks": 0,
        "reminder_days_before": 7,
        "escalate_days_after": 14,
    }
    response = client_for(commissioner).post("/o/07T/reviews/policy/", data)
    assert response.status_code == 200
    assert not ReviewPolicy.objects.exists()


def test_person_page_shows_reviews_and_the_outcome_chart_with_its_table(org, coordinator):
    plan = reviewed_plan(org, care_coordinator=coordinator)
    for days_ago, score in ((90, "14"), (30, "22")):
        review = CompletedReviewFactory(plan=plan, due_on=TODAY() - timedelta(days=days_ago))
        OutcomeMeasure.objects.create(
            organisation=org,
            review=review,
            person=plan.person,
            instrument="ReQoL-10",
            score=score,
            recorded_on=review.held_on,
        )
    upcoming = ReviewFactory(plan=plan)
    page = client_for(coordinator).get(f"/o/07T/people/{plan.person_id}/").content.decode()
    assert 'role="img"' in page and "<title>Outcome measures over time</title>" in page
    assert page.count("<polyline") == 1
    assert "Outcome measure scores" in page
    assert f"/o/07T/reviews/{upcoming.pk}/complete/" in page
    assert f"/o/07T/plans/{plan.pk}/request-review/" in page
