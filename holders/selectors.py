"""Reads of the budget holder's own view: their budgets, each with its plan, money and reviews.

Every fetch goes through `holder_budgets(user)`: the budgets of the people the account was granted
(phb/budget_holders.py). Another person's budget is a 404, whatever its id.
"""

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from payments import selectors as payment_selectors
from payments.constants import EntryKind, InstalmentStatus
from payments.models import BudgetAccount, LedgerEntry
from phb.budget_holders import is_budget_holder, people_of
from phb.money import api_amount
from reviews import selectors as review_selectors
from reviews.constants import ReviewStatus
from reviews.models import Review
from support_plans import selectors as plan_selectors
from support_plans.constants import IN_PLACE_STATUSES, Management, PlanStatus
from support_plans.models import Budget, SupportPlan
from support_plans.pdf import HOW_OFTEN, MANAGED

# Enough of what is coming to plan around, without a wall of rows on a phone.
INSTALMENTS_SHOWN = 12


def holder_budgets(user) -> QuerySet[Budget]:
    """The budgets of the people this account holds, newest first; none for a member of staff (a
    grant on a person does not make staff a budget holder: they keep their staff view only)."""
    if not is_budget_holder(user):
        return Budget.objects.none()
    return (
        Budget.objects.filter(person__in=people_of(user))
        .select_related("person", "organisation")
        .order_by("-created_at", "-id")
    )


def budget_for_holder(user, budget_id: int) -> Budget:
    """One of the holder's budgets; anybody else's (or none) is a 404."""
    return get_object_or_404(holder_budgets(user), pk=budget_id)


def plan_shown(budget: Budget) -> SupportPlan | None:
    """The plan in place; before approval, the latest version that is not a draft being written."""
    versions = SupportPlan.objects.filter(budget=budget).select_related("care_coordinator", "person")
    in_place = versions.filter(status__in=IN_PLACE_STATUSES).order_by("-version").first()
    if in_place is not None:
        return in_place
    return versions.exclude(status=PlanStatus.DRAFT).order_by("-version").first()


def account_of(budget: Budget) -> BudgetAccount | None:
    return BudgetAccount.objects.filter(organisation_id=budget.organisation_id, budget=budget).first()


def _goals(plan: SupportPlan) -> list[dict]:
    return [
        {"description": goal.description, "how_budget_helps": goal.how_budget_helps}
        for goal in plan.goals.order_by("position", "id")
    ]


def _items(plan: SupportPlan) -> list[dict]:
    return [
        {
            "description": item.description,
            "category": item.category,
            "supplier": item.supplier_name,
            "amount": api_amount(item.amount),
            "frequency": item.frequency,
            "how_often": HOW_OFTEN.get(item.frequency, item.get_frequency_display()),
        }
        for item in plan.items.order_by("position", "id")
    ]


def _instalments(account: BudgetAccount, today: date) -> list[dict]:
    coming = payment_selectors.account_instalments(account, [InstalmentStatus.DUE]).filter(due_on__gte=today)
    return [
        {
            "due_on": instalment.due_on,
            "amount": api_amount(instalment.amount),
            "description": instalment.item.description,
        }
        for instalment in coming[:INSTALMENTS_SHOWN]
    ]


def _reviews(budget: Budget) -> list[dict]:
    reviews = Review.objects.filter(organisation_id=budget.organisation_id, budget=budget).order_by(
        "due_on", "id"
    )
    return [
        {
            "id": review.pk,
            "kind": review.kind,
            "kind_label": review.get_kind_display(),
            "status": review.status,
            "due_on": review.due_on,
            "held_on": review.held_on,
            "working": review.working,
            "not_working": review.not_working,
        }
        for review in reviews
        if review.status != ReviewStatus.CANCELLED
    ]


def budget_view(budget: Budget, today: date | None = None) -> dict:
    """One budget as the holder sees it: `GET /api/v1/me/` (through its serializer) and the pages
    under /my/ alike. Dates are dates, money is API strings (two decimals)."""
    today = today or timezone.localdate()
    plan = plan_shown(budget)
    account = account_of(budget)
    reviews = _reviews(budget)
    upcoming = [r for r in reviews if r["status"] == ReviewStatus.SCHEDULED]
    return {
        "id": budget.pk,
        "plan": None
        if plan is None
        else {
            "id": plan.pk,
            "version": plan.version,
            "status": plan.status,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "management": plan.management,
            "managed": MANAGED.get(plan.management, plan.get_management_display()),
            "goals": _goals(plan),
            "items": _items(plan),
            "costs": plan_selectors.plan_costs(plan).as_strings(),
        },
        "account": None
        if account is None
        else {
            "approved": api_amount(account.approved),
            "paid": api_amount(account.paid),
            "balance": api_amount(account.approved - account.paid),
            "instalments": _instalments(account, today),
        },
        "reviews": reviews,
        "next_review": upcoming[0] if upcoming else None,
    }


def me_view(user) -> dict:
    """`GET /api/v1/me/`: who the account is for and each of their budgets."""
    budgets = list(holder_budgets(user))
    person = people_of(user).order_by("pk").first()
    return {
        "person": {"given_name": person.given_name if person else ""},
        "budgets": [budget_view(budget) for budget in budgets],
    }


def is_direct_payment(plan: SupportPlan | None) -> bool:
    return plan is not None and plan.management == Management.DIRECT_PAYMENT


def payments_of(budget: Budget) -> QuerySet[LedgerEntry]:
    """The payments out of the budget, newest first (what a direct payment holder keeps receipts for)."""
    account = account_of(budget)
    if account is None:
        return LedgerEntry.objects.none()
    return account.entries.filter(kind=EntryKind.PAYMENT).order_by("-entry_date", "-id")


def payment_for_holder(budget: Budget, entry_id: int) -> LedgerEntry:
    return get_object_or_404(payments_of(budget), pk=entry_id)


def attainment(budget: Budget) -> dict:
    """The goal-attainment chart and table of the person's reviews (reviews/_attainment.html)."""
    return review_selectors.goal_attainment_over_time(budget.person)
