"""Factories for the payments app: approved plans built directly, and their budget accounts.

Plans are built here (Budget + SupportPlan + PlanItem rows) rather than through support_plans'
services, so the payments tests arrange exactly the state they need.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from payments import services
from payments.models import BudgetAccount
from support_plans.models import Budget, PlanItem, SupportPlan

from .kernel import PersonFactory

__all__ = ["approved_plan", "days_ago", "funded_account", "open_account", "revised_plan"]


def _items(plan: SupportPlan, items: list[dict]) -> None:
    for position, values in enumerate(items):
        PlanItem.objects.create(
            organisation=plan.organisation,
            plan=plan,
            category=values.get("category", "fitness_exercise"),
            description=values.get("description", f"Item {position + 1}"),
            amount=Decimal(values["amount"]),
            frequency=values.get("frequency", "one_off"),
            supplier_name=values.get("supplier_name", ""),
            payment_method=values.get("payment_method", ""),
            start_date=values.get("start_date"),
            end_date=values.get("end_date"),
            position=position,
        )


def days_ago(days: int) -> datetime:
    """Now, or noon on the local day `days` days back: now less 24-hour days can land on the day
    after across a clock change (late evening in winter, 40 days back in summer time)."""
    if not days:
        return timezone.now()
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days), time(12)))


def approved_plan(
    organisation,
    *,
    person=None,
    total: str | Decimal = "200.00",
    items: list[dict] | None = None,
    start: date | None = None,
    end: date | None = None,
    status: str = "approved",
    approved_days_ago: int = 0,
) -> SupportPlan:
    """An approved version 1 of a new budget, costing `total` (one one-off item unless items are given)."""
    person = person or PersonFactory(organisation=organisation)
    start = start or timezone.localdate() - timedelta(days=7)
    end = end or start + timedelta(days=364)
    budget = Budget.objects.create(organisation=organisation, person=person)
    approved_at = days_ago(approved_days_ago)
    plan = SupportPlan.objects.create(
        organisation=organisation,
        budget=budget,
        person=person,
        version=1,
        status=status,
        start_date=start,
        end_date=end,
        management="third_party",
        cost_total=Decimal(total),
        submitted_at=approved_at,
        decided_at=approved_at,
        approved_at=approved_at,
    )
    _items(
        plan,
        items
        if items is not None
        else [
            {
                "description": "Swimming pass",
                "amount": total,
                "supplier_name": "Swim England",
                "payment_method": "paid_to_provider",
            }
        ],
    )
    return plan


def revised_plan(plan: SupportPlan, *, total: str | Decimal, items: list[dict] | None = None) -> SupportPlan:
    """Version 2 of the same budget, approved, with a new total (the previous version superseded)."""
    SupportPlan.objects.filter(pk=plan.pk).update(status="superseded", superseded_at=timezone.now())
    revision = SupportPlan.objects.create(
        organisation=plan.organisation,
        budget=plan.budget,
        person=plan.person,
        version=plan.version + 1,
        previous_version=plan,
        status="active",
        start_date=plan.start_date,
        end_date=plan.end_date,
        management=plan.management,
        cost_total=Decimal(total),
        approved_at=timezone.now(),
        activated_at=timezone.now(),
    )
    _items(revision, items if items is not None else [{"description": "Revised item", "amount": total}])
    return revision


def open_account(plan: SupportPlan, actor=None) -> BudgetAccount:
    return services.account_open_or_resize(actor=actor, plan=plan)


def funded_account(organisation, *, total="200.00", released=None, finance=None, **plan_kwargs):
    """An approved plan with its account open and (by default) all of it released."""
    plan = approved_plan(organisation, total=total, **plan_kwargs)
    account = open_account(plan)
    services.release_record(
        actor=finance,
        plan=plan,
        amount=Decimal(released or total),
        released_on=timezone.localdate(),
    )
    plan.refresh_from_db()
    account.refresh_from_db()
    return plan, account
