"""Factories for the approvals app: policies, submitted plans (built directly), approval requests."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from approvals.demo import BIRMINGHAM_TIERS, HACKNEY_TIERS
from approvals.models import ApprovalPolicy
from support_plans.models import Budget, PlanGoal, PlanItem, PlanRisk, SupportPlan

from .kernel import OrganisationFactory, PersonFactory

__all__ = [
    "BIRMINGHAM_TIERS",
    "HACKNEY_TIERS",
    "ApprovalPolicyFactory",
    "approval_request_for",
    "submitted_plan",
]


class ApprovalPolicyFactory(factory.django.DjangoModelFactory):
    """A policy version in force for a year already (Hackney's tiers unless told otherwise)."""

    class Meta:
        model = ApprovalPolicy

    organisation = factory.SubFactory(OrganisationFactory)
    version = factory.Sequence(lambda n: n + 1)
    effective_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=365))
    tiers = factory.LazyFunction(lambda: [dict(t) for t in HACKNEY_TIERS])


def submitted_plan(
    organisation,
    *,
    person=None,
    total: str = "600.00",
    weekly: str | None = None,
    annual: str | None = None,
    status: str = "submitted",
    care_coordinator=None,
    submitted_at=None,
):
    """A support plan version as plan_submit leaves it (built directly: costs set, one goal, one item).

    Weekly defaults to the total spread over the plan's 52 weeks; annual to weekly x 52.
    """
    person = person or PersonFactory(organisation=organisation)
    total_amount = Decimal(total)
    weekly_amount = Decimal(weekly) if weekly is not None else (total_amount / 52).quantize(Decimal("0.01"))
    annual_amount = Decimal(annual) if annual is not None else weekly_amount * 52
    budget = Budget.objects.create(organisation=organisation, person=person)
    plan = SupportPlan.objects.create(
        organisation=organisation,
        budget=budget,
        person=person,
        status=status,
        care_coordinator=care_coordinator,
        start_date=date(2026, 1, 5),
        end_date=date(2027, 1, 3),
        management="direct_payment",
        cost_total=total_amount,
        cost_weekly=weekly_amount,
        cost_annual=annual_amount,
        submitted_at=(submitted_at or timezone.now()) if status == "submitted" else None,
    )
    PlanGoal.objects.create(
        organisation=organisation, plan=plan, description="Get back to swimming every week"
    )
    PlanItem.objects.create(
        organisation=organisation,
        plan=plan,
        description="Leisure centre membership",
        category="fitness_exercise",
        amount=total_amount,
        frequency="one_off",
        supplier_name="Better Leisure",
    )
    PlanRisk.objects.create(
        organisation=organisation, plan=plan, risk="Missing sessions", mitigation="Weekly call with a peer"
    )
    return plan


def approval_request_for(plan, submitter):
    """Open the approval request of a submitted plan through the approvals service."""
    from approvals.services import approval_request_open

    return approval_request_open(actor=submitter, plan=plan)
