"""Demo data of the reviews app: review policies, scheduled reviews, a history of outcome measures."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from support_plans.constants import PlanStatus
from support_plans.models import SupportPlan

from . import services
from .constants import ReviewStatus
from .models import Review

POLICIES = {
    # City and Hackney: recovery budgets are time-limited, reviewed at start, midpoint and end.
    "07T": {
        "first_review_weeks": 12,
        "interval_weeks": 13,
        "reminder_days_before": 7,
        "escalate_days_after": 14,
        "midpoint_and_end": True,
    },
    # Birmingham and Solihull: s117 aftercare, first review at three months, then annual.
    "15E": {
        "first_review_weeks": 12,
        "interval_weeks": 52,
        "reminder_days_before": 14,
        "escalate_days_after": 14,
        "midpoint_and_end": False,
    },
}

# One person's recovery over three reviews: ReQoL-10 and SWEMWBS rising, goals moving towards target.
HISTORY = [
    (
        160,
        {"ReQoL-10": "12", "SWEMWBS": "15.80"},
        "-1",
        "Feels isolated; the gym membership has not started yet.",
    ),
    (95, {"ReQoL-10": "18", "SWEMWBS": "19.30"}, "0", "Going to the gym twice a week; sleeping better."),
    (
        30,
        {"ReQoL-10": "25", "SWEMWBS": "23.20"},
        "1",
        "Back at college part-time; wants to keep the gym going.",
    ),
]


def seed(context) -> None:
    today = timezone.localdate()
    for organisation in context.organisations:
        staff = context.staff[organisation.code]
        services.review_policy_update(
            actor=staff["commissioner"], organisation=organisation, **POLICIES.get(organisation.code, {})
        )
        plans = list(
            SupportPlan.objects.for_org(organisation).filter(status=PlanStatus.ACTIVE).order_by("pk")
        ) or list(SupportPlan.objects.for_org(organisation).filter(status=PlanStatus.APPROVED).order_by("pk"))
        if not plans:
            context.lines.append(f"reviews: no plans in place in {organisation.code}; no reviews scheduled")
            continue
        for plan in plans:
            services.reviews_schedule_for_plan(
                actor=plan.care_coordinator or staff["care_coordinator"], plan=plan
            )
        if Review.objects.for_org(organisation).filter(status=ReviewStatus.COMPLETED).exists():
            continue
        _history(plans[0], staff, today)
        _worklist(plans, today)
        context.lines.append(
            f"reviews: {organisation.code}: {Review.objects.for_org(organisation).count()} reviews, "
            f"outcome history for {plans[0].person.full_name}"
        )


def _history(plan, staff, today) -> None:
    """Three reviews held in the past, with measures showing improvement."""
    actor = plan.care_coordinator or staff["care_coordinator"]
    goals = list(plan.goals.all())
    for days_ago, scores, attainment, working in HISTORY:
        held_on = today - timedelta(days=days_ago)
        review = services.review_request(
            actor=actor, plan=plan, due_on=held_on, requested_by=plan.person.full_name
        )
        services.review_complete(
            actor=actor,
            review=review,
            held_on=held_on,
            measures=[{"instrument": name, "score": Decimal(score)} for name, score in scores.items()],
            goals=[{"goal": goal.pk, "attainment": attainment} for goal in goals],
            decision="continue",
            notes="Reviewed together at home.",
            working=working,
        )


def _worklist(plans, today) -> None:
    """Make one review overdue and one due this week, so the reminders and the worklist show something."""
    open_reviews = Review.objects.filter(
        budget_id__in=[p.budget_id for p in plans], status=ReviewStatus.SCHEDULED
    ).order_by("due_on", "id")
    first = open_reviews.first()
    if first is None:
        return
    Review.objects.filter(pk=first.pk).update(due_on=today - timedelta(days=18))
    second = (
        open_reviews.exclude(pk=first.pk).exclude(budget_id=first.budget_id).first()
        or open_reviews.exclude(pk=first.pk).first()
    )
    if second is not None:
        Review.objects.filter(pk=second.pk).update(due_on=today + timedelta(days=3))
