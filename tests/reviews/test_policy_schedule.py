"""Review policy versions from a date, as the approval policy: set in advance, withdrawn before they start."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phb.constants import Role
from phb.exceptions import Conflict
from reviews import services
from reviews.models import ReviewPolicy
from tests.factories import member

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_a_scheduled_review_policy_waits_for_its_day(org):
    services.review_policy_update(actor=None, organisation=org, interval_weeks=13)
    services.review_policy_update(actor=None, organisation=org, interval_weeks=52, effective_on=tomorrow())
    assert services.review_policy_get(org).interval_weeks == 13
    later = timezone.now() + timedelta(days=2)
    assert services.review_policy_get(org, at=later).interval_weeks == 52
    assert [p.interval_weeks for p in services.review_policies_scheduled(org)] == [52]


def test_a_new_version_keeps_what_it_does_not_change(org):
    services.review_policy_update(actor=None, organisation=org, first_review_weeks=8, interval_weeks=26)
    services.review_policy_update(actor=None, organisation=org, interval_weeks=52)
    in_force = services.review_policy_get(org)
    assert (in_force.version, in_force.first_review_weeks, in_force.interval_weeks) == (2, 8, 52)


def test_withdrawing_review_policy_versions(org):
    current = services.review_policy_update(actor=None, organisation=org, interval_weeks=13)
    scheduled = services.review_policy_update(
        actor=None, organisation=org, interval_weeks=52, effective_on=tomorrow()
    )
    services.review_policy_withdraw(actor=None, policy=scheduled)
    assert services.review_policy_get(org, at=timezone.now() + timedelta(days=2)) == current
    with pytest.raises(Conflict):
        services.review_policy_withdraw(actor=None, policy=current)


def test_the_api_schedules_and_withdraws_a_review_policy(api, org, coordinator):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    body = {"interval_weeks": 52, "effective_from": tomorrow().isoformat()}
    answer = api(commissioner).put(f"{BASE}/review-policy/", body).json()
    assert answer["interval_weeks"] == 13  # the defaults stay in force until tomorrow
    assert [(v["version"], v["interval_weeks"]) for v in answer["scheduled"]] == [(1, 52)]
    assert api(coordinator).delete(f"{BASE}/review-policy/scheduled/1/").status_code == 403
    assert api(commissioner).delete(f"{BASE}/review-policy/scheduled/1/").status_code == 204
    assert api(commissioner).get(f"{BASE}/review-policy/").json()["scheduled"] == []
    past = api(commissioner).put(
        f"{BASE}/review-policy/", {"interval_weeks": 26, "effective_from": "2020-01-01"}
    )
    assert past.status_code == 400 and "effective_from" in past.json()
    assert ReviewPolicy.objects.filter(organisation=org).count() == 1


def test_the_review_policy_page_schedules_and_withdraws(client, org):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner_page")
    client.force_login(commissioner)
    form = {
        "first_review_weeks": "12",
        "interval_weeks": "52",
        "reminder_days_before": "7",
        "escalate_days_after": "14",
        "effective_from": tomorrow().isoformat(),
    }
    assert client.post("/o/07T/reviews/policy/", form).status_code == 302
    page = client.get("/o/07T/reviews/policy/").content.decode()
    assert "Scheduled changes" in page and "every 52 weeks" in page
    assert services.review_policy_get(org).interval_weeks == 13
    assert client.post("/o/07T/reviews/policy/scheduled/1/withdraw/").status_code == 302
    assert "Scheduled changes" not in client.get("/o/07T/reviews/policy/").content.decode()
    refused = client.post("/o/07T/reviews/policy/", {**form, "effective_from": "2020-01-01"})
    assert refused.status_code == 200
    assert "must be today or later" in refused.content.decode()


def test_each_goal_is_charted_over_time_with_its_table(client, org, coordinator):
    from reviews import selectors
    from reviews.models import GoalAttainment
    from support_plans.models import PlanGoal
    from tests.factories.reviews import CompletedReviewFactory, ReviewFactory, reviewed_plan

    plan = reviewed_plan(org, care_coordinator=coordinator)
    goal = PlanGoal.objects.create(organisation=org, plan=plan, description="Swim twice a week")
    for days_ago, score in ((120, "-1"), (30, "2")):
        review = CompletedReviewFactory(plan=plan, due_on=timezone.localdate() - timedelta(days=days_ago))
        GoalAttainment.objects.create(organisation=org, review=review, goal=goal, attainment=score)
    section = selectors.goal_attainment_over_time(plan.person)
    assert [(row["goal"], row["score"]) for row in section["attainments"]] == [
        ("Swim twice a week", "-1"),
        ("Swim twice a week", "+2"),
    ]
    points = section["attainment_chart"].lines[0].points
    assert points[0].y > points[1].y  # +2 is drawn above -1
    client.force_login(coordinator)
    page = client.get(f"/o/07T/people/{plan.person_id}/").content.decode()
    assert 'data-testid="attainment-chart"' in page
    assert "Goal attainment at each review" in page and "+2: Much more than expected" in page
    upcoming = ReviewFactory(plan=plan)
    form = client.get(f"/o/07T/reviews/{upcoming.pk}/complete/").content.decode()
    assert "How the goals have gone at earlier reviews" in form and 'data-testid="attainment-chart"' in form
