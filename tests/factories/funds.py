"""Factories for funds agreed in advance, and approving a plan as the last sign-off does."""

from decimal import Decimal

from django.utils import timezone

from payments import fund_services, funds
from payments.models import Fund
from support_plans.models import SupportPlan
from support_plans.services import plan_mark_approved

from .payments import approved_plan

__all__ = ["approve", "fund_for", "plan_at_last_signoff", "this_year"]


def this_year() -> str:
    return funds.financial_year_of(timezone.localdate())


def fund_for(organisation, *, amount="1000.00", year=None, name="PHB fund", **kwargs) -> Fund:
    """An open fund of the organisation for this financial year (set up by the system)."""
    return fund_services.fund_create(
        actor=None,
        organisation=organisation,
        name=name,
        financial_year=year or this_year(),
        amount=Decimal(amount),
        **kwargs,
    )


def plan_at_last_signoff(organisation, **kwargs) -> SupportPlan:
    """A submitted plan (one one-off item of `total` unless items are given) waiting for its last sign-off."""
    return approved_plan(organisation, status="submitted", **kwargs)


def approve(plan: SupportPlan, actor=None) -> SupportPlan:
    """The last sign-off lands: the plan is approved and PlanApproved's reactions run."""
    plan_mark_approved(actor=actor, plan=plan, at=timezone.now())
    plan.refresh_from_db()
    return plan
