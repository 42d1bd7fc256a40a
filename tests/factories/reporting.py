"""Factories for the reporting app: rows of every pathway table, written directly with known timestamps.

The reports only read other apps' tables, so these helpers arrange those rows as they would stand
after the pathway ran (approved, funded, paid, reviewed on given dates), without calling the other
apps' services.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from approvals.models import ApprovalPolicy, ApprovalRequest
from payments.models import BudgetAccount, LedgerEntry
from phb.models import Person
from referrals.models import Conversation, Referral
from reviews.models import Review
from support_plans.models import Budget, PlanItem, SupportPlan

from .kernel import PersonFactory, UserFactory

__all__ = [
    "london",
    "report_account",
    "report_approval_request",
    "report_conversation",
    "report_ledger_entry",
    "report_person",
    "report_plan",
    "report_referral",
    "report_review",
]

LONDON = ZoneInfo("Europe/London")


def london(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """An aware datetime at local (Europe/London) time on that day; noon unless told."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _at(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return london(value)


def report_person(
    organisation, *, born=date(1980, 5, 17), gender="2", ethnicity="A", cohorts=("mental_health",), **fields
) -> Person:
    return PersonFactory(
        organisation=organisation,
        date_of_birth=born,
        gender=gender,
        ethnicity=ethnicity,
        cohorts=list(cohorts),
        **fields,
    )


def report_referral(organisation, person, *, received_on: date, cohort="mental_health") -> Referral:
    return Referral.objects.create(
        organisation=organisation,
        person=person,
        source="gp",
        cohort=cohort,
        received_on=received_on,
        status="accepted",
    )


def report_conversation(referral: Referral, *, held_on: date) -> Conversation:
    return Conversation.objects.create(
        organisation=referral.organisation,
        referral=referral,
        person=referral.person,
        held_on=held_on,
        mode="home_visit",
    )


def report_plan(
    organisation,
    person,
    *,
    approved: date | datetime | None = None,
    status: str | None = None,
    submitted: date | datetime | None = None,
    decided: date | datetime | None = None,
    superseded: date | datetime | None = None,
    closed_on: date | None = None,
    budget: Budget | None = None,
    referral: Referral | None = None,
    management: str = "direct_payment",
    cost_total: str | Decimal = "1000.00",
    funded_social_care: bool = False,
    items: list[tuple[str, str, str]] | None = None,
) -> SupportPlan:
    """One support plan version; a new budget unless given. Items: (category, amount, frequency)."""
    approved_at = _at(approved)
    if status is None:
        status = "superseded" if superseded else ("active" if approved_at else "draft")
    if budget is None:
        budget = Budget.objects.create(
            organisation=organisation, person=person, referral=referral, closed_on=closed_on
        )
    elif closed_on is not None:
        Budget.objects.filter(pk=budget.pk).update(closed_on=closed_on)
    previous = budget.versions.order_by("-version").first()
    submitted_at = _at(submitted) or (approved_at - timedelta(days=2) if approved_at else None)
    plan = SupportPlan.objects.create(
        organisation=organisation,
        budget=budget,
        person=person,
        referral=referral,
        version=previous.version + 1 if previous else 1,
        previous_version=previous,
        status=status,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 12, 31),
        management=management,
        funded_nhs=True,
        funded_social_care=funded_social_care,
        cost_total=Decimal(cost_total),
        submitted_at=submitted_at,
        decided_at=_at(decided) or approved_at,
        approved_at=approved_at,
        activated_at=approved_at if status == "active" else None,
        superseded_at=_at(superseded),
    )
    for position, (category, amount, frequency) in enumerate(
        items or [("other", str(cost_total), "one_off")]
    ):
        PlanItem.objects.create(
            organisation=organisation,
            plan=plan,
            description=f"{category} item",
            category=category,
            amount=Decimal(amount),
            frequency=frequency,
            position=position,
        )
    return plan


def report_account(
    plan: SupportPlan, *, released: date | datetime | None = None, paid: date | datetime | None = None
) -> BudgetAccount:
    """The budget account of the plan's budget, with its first release and first payment times."""
    account, _created = BudgetAccount.objects.update_or_create(
        budget=plan.budget,
        defaults={
            "organisation": plan.organisation,
            "person": plan.person,
            "plan": plan,
            "approved": plan.cost_total,
            "opened_at": plan.approved_at,
            "first_released_at": _at(released),
            "first_paid_at": _at(paid),
        },
    )
    return account


def report_ledger_entry(
    account: BudgetAccount, *, kind: str, amount: str, on: date, reverses=None
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        organisation=account.organisation,
        account=account,
        plan=account.plan,
        kind=kind,
        amount=Decimal(amount),
        entry_date=on,
        reverses=reverses,
    )


def report_approval_request(
    plan: SupportPlan, *, submitted: date | datetime, decided: date | datetime | None, status: str
) -> ApprovalRequest:
    policy = ApprovalPolicy.objects.filter(
        organisation=plan.organisation
    ).first() or ApprovalPolicy.objects.create(
        organisation=plan.organisation,
        version=1,
        effective_from=london(date(2020, 1, 1)),
        tiers=[{"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 1}]}],
    )
    return ApprovalRequest.objects.create(
        organisation=plan.organisation,
        plan=plan,
        person=plan.person,
        policy=policy,
        policy_version=policy.version,
        tier=1,
        basis="total",
        measured_amount=plan.cost_total,
        required=[{"role": "commissioner", "count": 1}],
        submitted_by=UserFactory(),
        submitted_at=_at(submitted),
        status=status,
        decided_at=_at(decided),
    )


def report_review(
    plan: SupportPlan,
    *,
    due_on: date,
    created: date | datetime,
    status: str = "scheduled",
    completed_on: date | None = None,
) -> Review:
    review = Review.objects.create(
        organisation=plan.organisation,
        budget=plan.budget,
        plan=plan,
        person=plan.person,
        kind="scheduled",
        due_on=due_on,
        status=status,
        completed_on=completed_on,
        held_on=completed_on,
    )
    Review.objects.filter(pk=review.pk).update(created_at=_at(created))  # created_at is auto_now_add
    review.refresh_from_db()
    return review
