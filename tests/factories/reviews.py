"""Factories for the reviews app (with the budget and active plan a review needs).

Names carry "Review" so that they never clash with the support_plans factories in
`tests.factories` (both modules are star-imported there).
"""

from datetime import date, timedelta

import factory
from django.utils import timezone

from reviews.constants import ReviewKind, ReviewStatus
from reviews.models import Review, ReviewPolicy
from support_plans.constants import Management, PlanStatus
from support_plans.models import Budget, PlanGoal, SupportPlan

from .kernel import OrganisationFactory, PersonFactory

__all__ = [
    "CompletedReviewFactory",
    "OverdueReviewFactory",
    "ReviewBudgetFactory",
    "ReviewFactory",
    "ReviewPlanGoalFactory",
    "ReviewPolicyFactory",
    "ReviewedPlanFactory",
    "reviewed_plan",
]


class ReviewPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewPolicy
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)
    first_review_weeks = 12
    interval_weeks = 13
    reminder_days_before = 7
    escalate_days_after = 14


class ReviewBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))


class ReviewedPlanFactory(factory.django.DjangoModelFactory):
    """An active support plan version (funds released), a year long from about three months ago."""

    class Meta:
        model = SupportPlan

    organisation = factory.SubFactory(OrganisationFactory)
    budget = factory.SubFactory(ReviewBudgetFactory, organisation=factory.SelfAttribute("..organisation"))
    person = factory.LazyAttribute(lambda plan: plan.budget.person)
    version = 1
    status = PlanStatus.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(weeks=13))
    end_date = factory.LazyAttribute(lambda plan: plan.start_date + timedelta(days=364))
    management = Management.DIRECT_PAYMENT
    approved_at = factory.LazyFunction(lambda: timezone.now() - timedelta(weeks=14))
    activated_at = factory.LazyFunction(lambda: timezone.now() - timedelta(weeks=13))


class ReviewPlanGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanGoal

    plan = factory.SubFactory(ReviewedPlanFactory)
    organisation = factory.LazyAttribute(lambda goal: goal.plan.organisation)
    description = factory.Sequence(lambda n: f"Goal {n}: get out of the house more often")
    position = factory.Sequence(lambda n: n)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A scheduled review of an active plan, due in a week."""

    class Meta:
        model = Review

    plan = factory.SubFactory(ReviewedPlanFactory)
    organisation = factory.LazyAttribute(lambda review: review.plan.organisation)
    budget = factory.LazyAttribute(lambda review: review.plan.budget)
    person = factory.LazyAttribute(lambda review: review.plan.person)
    kind = ReviewKind.FIRST
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    status = ReviewStatus.SCHEDULED


class OverdueReviewFactory(ReviewFactory):
    due_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))


class CompletedReviewFactory(ReviewFactory):
    status = ReviewStatus.COMPLETED
    due_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    held_on = factory.LazyAttribute(lambda review: review.due_on)
    completed_on = factory.LazyAttribute(lambda review: review.due_on)
    decision = "continue"


def reviewed_plan(
    organisation, *, care_coordinator=None, goals=2, start: date | None = None, days=364, **fields
):
    """An active plan of the organisation with `goals` goals, coordinated by `care_coordinator`."""
    start = start or timezone.localdate() - timedelta(weeks=13)
    plan = ReviewedPlanFactory(
        organisation=organisation,
        care_coordinator=care_coordinator,
        start_date=start,
        end_date=start + timedelta(days=days),
        **fields,
    )
    for _ in range(goals):
        ReviewPlanGoalFactory(plan=plan)
    return plan
