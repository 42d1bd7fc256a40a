"""Review services: the policy, scheduling per policy, requested reviews, completing a review."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, TransitionNotAllowed
from phb.models import AuditEvent
from reviews import services
from reviews.constants import ReviewStatus
from reviews.models import GoalAttainment, OutcomeMeasure, Review
from support_plans.constants import PlanStatus
from support_plans.models import SupportPlan
from tests.factories import member
from tests.factories.reviews import ReviewFactory, ReviewPolicyFactory, reviewed_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- Policy


def test_policy_defaults_to_twelve_thirteen_seven_fourteen(org):
    policy = services.review_policy_get(org)
    assert (
        policy.first_review_weeks,
        policy.interval_weeks,
        policy.reminder_days_before,
        policy.escalate_days_after,
        policy.midpoint_and_end,
    ) == (12, 13, 7, 14, False)
    assert policy.pk is None


def test_policy_update_stores_one_policy_per_organisation_and_audits(org, org_admin):
    services.review_policy_update(actor=org_admin, organisation=org, interval_weeks=52)
    services.review_policy_update(actor=org_admin, organisation=org, first_review_weeks=8)
    policy = services.review_policy_get(org)
    assert (policy.first_review_weeks, policy.interval_weeks) == (8, 52)
    assert AuditEvent.objects.filter(organisation=org, action="review_policy_updated").count() == 2


# --- Scheduling


def test_plan_start_schedules_first_review_at_twelve_weeks_then_every_thirteen(org, coordinator):
    start = TODAY()
    plan = reviewed_plan(org, care_coordinator=coordinator, start=start, days=364)
    reviews = services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    assert [(r.kind, r.due_on) for r in reviews] == [
        ("first", start + timedelta(weeks=12)),
        ("scheduled", start + timedelta(weeks=25)),
        ("scheduled", start + timedelta(weeks=38)),
        ("scheduled", start + timedelta(weeks=51)),
    ]
    assert all(r.budget_id == plan.budget_id and r.person_id == plan.person_id for r in reviews)
    assert AuditEvent.objects.filter(action="reviews_scheduled", person=plan.person).count() == 1


def test_midpoint_and_end_policy_schedules_start_midpoint_and_end(org, coordinator):
    ReviewPolicyFactory(organisation=org, midpoint_and_end=True)
    start = TODAY()
    plan = reviewed_plan(org, start=start, days=180)
    reviews = services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    assert [(r.kind, r.due_on) for r in reviews] == [
        ("first", start + timedelta(weeks=12)),
        ("midpoint", start + timedelta(days=90)),
        ("end", start + timedelta(days=180)),
    ]


def test_annual_policy_schedules_one_review_a_year_after_the_first(org, coordinator):
    ReviewPolicyFactory(organisation=org, first_review_weeks=12, interval_weeks=52)
    plan = reviewed_plan(org, start=TODAY(), days=364)
    assert [r.kind for r in services.reviews_schedule_for_plan(actor=coordinator, plan=plan)] == ["first"]


def test_scheduling_twice_does_not_duplicate_reviews(org, coordinator):
    plan = reviewed_plan(org, start=TODAY())
    services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    assert Review.objects.filter(budget=plan.budget).count() == 4


def test_revised_version_takes_over_the_budgets_open_reviews(org, coordinator):
    plan = reviewed_plan(org, start=TODAY())
    services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    revision = reviewed_plan(org, start=TODAY(), budget=plan.budget, version=2, previous_version=plan)
    reviews = services.reviews_schedule_for_plan(actor=coordinator, plan=revision)
    assert len(reviews) == 4
    assert Review.objects.filter(budget=plan.budget).count() == 4
    assert set(Review.objects.filter(budget=plan.budget).values_list("plan", flat=True)) == {revision.pk}


# --- Requested reviews


def test_person_can_ask_for_a_review_of_an_active_plan(org, coordinator):
    plan = reviewed_plan(org)
    review = services.review_request(
        actor=coordinator, plan=plan, due_on=TODAY() + timedelta(days=3), requested_by="Her sister"
    )
    assert (review.kind, review.status, review.requested_by) == ("on_request", "scheduled", "Her sister")
    assert AuditEvent.objects.filter(action="review_requested", person=plan.person).exists()


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CLOSED])
def test_review_cannot_be_requested_for_a_plan_not_in_place(org, coordinator, status):
    plan = reviewed_plan(org, status=status)
    with pytest.raises(TransitionNotAllowed):
        services.review_request(actor=coordinator, plan=plan, due_on=TODAY())


# --- Completing a review


def _complete(review, actor, **overrides):
    arguments = {
        "held_on": TODAY(),
        "measures": [{"instrument": "ReQoL-10", "score": "24"}, {"instrument": "SWEMWBS", "score": 21.5}],
        "goals": [{"goal": goal.pk, "attainment": 1} for goal in review.plan.goals.all()],
        "decision": "continue",
        "notes": "Going well",
        "working": "Swimming twice a week",
        "not_working": "The bus pass has not arrived",
    }
    arguments.update(overrides)
    return services.review_complete(actor=actor, review=review, **arguments)


def test_completing_a_review_records_measures_goals_and_decision(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator, goals=2))
    _complete(
        review,
        coordinator,
        goals=[
            {"goal": g.pk, "attainment": a} for g, a in zip(review.plan.goals.all(), ["-2", 2], strict=True)
        ],
    )
    review.refresh_from_db()
    assert (review.status, review.decision, review.completed_on) == ("completed", "continue", TODAY())
    assert review.working == "Swimming twice a week"
    assert sorted(OutcomeMeasure.objects.filter(review=review).values_list("instrument", "score")) == [
        ("ReQoL-10", Decimal("24.00")),
        ("SWEMWBS", Decimal("21.50")),
    ]
    assert sorted(GoalAttainment.objects.filter(review=review).values_list("attainment", flat=True)) == [
        "-2",
        "2",
    ]
    event = AuditEvent.objects.get(action="review_completed")
    assert "continue the plan" in event.summary and "ReQoL-10 24" in event.summary


@pytest.mark.parametrize(
    ("instrument", "low", "high"),
    [("ReQoL-10", "0", "40"), ("WEMWBS", "14", "70"), ("SWEMWBS", "7", "35")],
)
def test_scores_on_the_edges_of_the_range_are_accepted(org, coordinator, instrument, low, high):
    for score in (low, high):
        review = ReviewFactory(plan=reviewed_plan(org))
        _complete(review, coordinator, measures=[{"instrument": instrument, "score": score}], goals=[])
        assert OutcomeMeasure.objects.get(review=review).score == Decimal(score)


@pytest.mark.parametrize(
    ("instrument", "score", "message"),
    [
        ("ReQoL-10", "-1", "ReQoL-10 score must be between 0 and 40."),
        ("ReQoL-10", "40.01", "ReQoL-10 score must be between 0 and 40."),
        ("WEMWBS", "13", "WEMWBS score must be between 14 and 70."),
        ("WEMWBS", "71", "WEMWBS score must be between 14 and 70."),
        ("SWEMWBS", "6.99", "SWEMWBS score must be between 7 and 35."),
        ("SWEMWBS", "36", "SWEMWBS score must be between 7 and 35."),
    ],
)
def test_scores_out_of_range_are_refused_naming_measures(org, coordinator, instrument, score, message):
    review = ReviewFactory(plan=reviewed_plan(org))
    with pytest.raises(InvalidInput) as error:
        _complete(review, coordinator, measures=[{"instrument": instrument, "score": score}])
    assert error.value.details == {"measures": [message]}
    review.refresh_from_db()
    assert review.status == "scheduled"
    assert not OutcomeMeasure.objects.exists()


def test_unknown_instrument_is_refused(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    with pytest.raises(InvalidInput) as error:
        _complete(review, coordinator, measures=[{"instrument": "PHQ-9", "score": "10"}])
    assert "measures" in error.value.details


def test_goal_of_another_plan_is_refused(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    other_goal = reviewed_plan(org).goals.first()
    with pytest.raises(InvalidInput) as error:
        _complete(review, coordinator, goals=[{"goal": other_goal.pk, "attainment": 0}])
    assert "goals" in error.value.details


@pytest.mark.parametrize("attainment", [3, "-3", "1.5", "much better", None])
def test_attainment_outside_minus_two_to_two_is_refused(org, coordinator, attainment):
    review = ReviewFactory(plan=reviewed_plan(org))
    goal = review.plan.goals.first()
    with pytest.raises(InvalidInput) as error:
        _complete(review, coordinator, goals=[{"goal": goal.pk, "attainment": attainment}])
    assert "goals" in error.value.details


def test_a_review_cannot_be_completed_twice(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    _complete(review, coordinator)
    with pytest.raises(Conflict):
        _complete(review, coordinator)
    assert OutcomeMeasure.objects.filter(review=review).count() == 2


def test_continue_keeps_the_next_review_in_the_diary_one_interval_after_the_review_held(org, coordinator):
    ReviewPolicyFactory(organisation=org, interval_weeks=52)
    review = ReviewFactory(plan=reviewed_plan(org, days=728), due_on=TODAY() - timedelta(days=3))
    _complete(review, coordinator, decision="continue", held_on=TODAY() - timedelta(days=1))
    upcoming = Review.objects.get(budget=review.budget, status="scheduled")
    assert (upcoming.kind, upcoming.due_on) == (
        "scheduled",
        TODAY() - timedelta(days=1) + timedelta(weeks=52),
    )


def test_continue_at_the_last_review_of_the_cycle_schedules_next_within_the_period(org, coordinator):
    plan = reviewed_plan(org, start=TODAY() - timedelta(weeks=12))
    ReviewPolicyFactory(organisation=org, interval_weeks=52)
    (first,) = services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    _complete(first, coordinator)
    upcoming = Review.objects.get(budget=plan.budget, status="scheduled")
    assert upcoming.due_on == plan.end_date


def test_continue_with_reviews_still_open_adds_none(org, coordinator):
    plan = reviewed_plan(org, start=TODAY() - timedelta(weeks=12))
    first, *rest = services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    _complete(first, coordinator)
    assert Review.objects.filter(budget=plan.budget, status="scheduled").count() == len(rest)


def test_revise_opens_a_new_draft_version(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    _complete(review, coordinator, decision="revise")
    versions = SupportPlan.objects.filter(budget=review.budget).order_by("version")
    assert [(p.version, p.status) for p in versions] == [(1, "active"), (2, "draft")]


def test_revise_of_a_plan_not_active_is_a_conflict_and_records_nothing(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, status=PlanStatus.APPROVED))
    with pytest.raises(TransitionNotAllowed):
        _complete(review, coordinator, decision="revise")
    review.refresh_from_db()
    assert review.status == "scheduled"
    assert not OutcomeMeasure.objects.exists()


def test_close_closes_the_budget_with_the_reason_and_cancels_other_reviews(org, coordinator):
    plan = reviewed_plan(org, start=TODAY() - timedelta(weeks=12))
    first, *rest = services.reviews_schedule_for_plan(actor=coordinator, plan=plan)
    _complete(first, coordinator, decision="close", close_reason="goals_achieved")
    plan.refresh_from_db()
    plan.budget.refresh_from_db()
    assert plan.status == "closed"
    assert (plan.budget.closed_on, plan.budget.close_reason) == (TODAY(), "goals_achieved")
    assert set(Review.objects.filter(pk__in=[r.pk for r in rest]).values_list("status", flat=True)) == {
        ReviewStatus.CANCELLED
    }


def test_close_without_a_reason_records_other(org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    _complete(review, coordinator, decision="close")
    review.budget.refresh_from_db()
    assert review.budget.close_reason == "other"


def test_decisions_call_the_support_plan_services_by_their_agreed_names(org, coordinator, monkeypatch):
    calls = []
    monkeypatch.setattr("support_plans.services.plan_revise", lambda **kw: calls.append(("revise", kw)))
    monkeypatch.setattr("support_plans.services.plan_close", lambda **kw: calls.append(("close", kw)))
    revise = ReviewFactory(plan=reviewed_plan(org))
    close = ReviewFactory(plan=reviewed_plan(org))
    _complete(revise, coordinator, decision="revise")
    _complete(close, coordinator, decision="close", close_reason="moved", held_on=TODAY() - timedelta(days=2))
    assert calls[0] == ("revise", {"actor": coordinator, "plan": revise.plan})
    assert calls[1][0] == "close"
    assert calls[1][1] == {
        "actor": coordinator,
        "plan": close.plan,
        "reason": "moved",
        "closed_on": TODAY() - timedelta(days=2),
    }


def test_review_of_a_revised_plan_is_completed_against_the_version_in_place(org, coordinator):
    plan = reviewed_plan(org, goals=1)
    review = ReviewFactory(plan=plan)
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    revision = reviewed_plan(org, goals=1, budget=plan.budget, version=2, previous_version=plan)
    goal = revision.goals.get()
    _complete(review, coordinator, goals=[{"goal": goal.pk, "attainment": 0}])
    review.refresh_from_db()
    assert review.plan_id == revision.pk


def test_team_leads_of_the_coordinators_team_are_found_for_escalation(org):
    from tests.factories import TeamFactory

    team, other_team = TeamFactory(organisation=org), TeamFactory(organisation=org)
    coordinator = member(org, Role.CARE_COORDINATOR, team=team)
    lead = member(org, Role.TEAM_LEAD, team=team)
    member(org, Role.TEAM_LEAD, team=other_team)
    assert services.team_leads_for(org, coordinator) == [lead]


def test_a_policy_with_a_zero_week_interval_is_refused_by_the_model(org, org_admin):
    # The API and page refuse it with a 400 first; the model keeps the rule too.
    with pytest.raises((ValidationError, InvalidInput)):
        services.review_policy_update(actor=org_admin, organisation=org, interval_weeks=-1)
