"""Reads of support plans: lists, one plan with all it shows, the tier preview, suppliers, the person's section."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from phb.constants import Role
from phb.models import Organisation, Person
from phb.sections import plan_part
from referrals.models import Referral

from . import allocation, costs
from .constants import PLAN_TRANSITIONS, PlanStatus
from .models import Budget, FastTrackOffer, Supplier, SupportPlan

PLAN_WRITERS = frozenset({Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD})
PLAN_CLOSERS = PLAN_WRITERS | {Role.COMMISSIONER}
OFFER_WRITERS = frozenset({Role.COMMISSIONER, Role.ORG_ADMIN, Role.PHB_LEAD})
SUPPLIER_WRITERS = PLAN_WRITERS | {Role.COMMISSIONER, Role.ORG_ADMIN, Role.BROKER}


def plan_list(
    *, organisation: Organisation, person: Any = None, status: str | None = None
) -> QuerySet[SupportPlan]:
    plans = SupportPlan.objects.for_org(organisation).select_related("person", "budget", "care_coordinator")
    if person is not None:
        plans = plans.filter(person=person)
    if status:
        plans = plans.filter(status=status)
    return plans.order_by("-modified_at", "-id")


def plan_detail_queryset(*, organisation: Organisation) -> QuerySet[SupportPlan]:
    """Everything the plan page, the API and the PDF show, in a fixed number of queries."""
    return (
        SupportPlan.objects.for_org(organisation)
        .select_related(
            "organisation", "person", "budget", "referral", "care_coordinator", "allocation_questionnaire"
        )
        .prefetch_related(
            "goals",
            Prefetch("items", queryset=_items()),
            "risks",
            Prefetch("budget__versions", queryset=SupportPlan.objects.order_by("version")),
        )
    )


def _items():
    from .models import PlanItem

    return PlanItem.objects.select_related("supplier")


def plan_versions(plan: SupportPlan) -> list[SupportPlan]:
    """Every version of the plan's budget, oldest first (older versions stay readable)."""
    return sorted(plan.budget.versions.all(), key=lambda version: version.version)


def plan_costs(plan: SupportPlan) -> costs.Costs:
    return costs.plan_costs(plan.start_date, plan.end_date, list(plan.items.all()))


def allowed_actions(plan: SupportPlan, org_context) -> dict[str, bool]:
    """Which buttons the plan page shows: only what the plan's status and the user's roles allow."""
    status = PlanStatus(plan.status)
    writer = org_context.has_role(*PLAN_WRITERS)
    open_budget = plan.budget.closed_on is None
    return {
        "edit": writer and status == PlanStatus.DRAFT,
        "submit": writer and PlanStatus.SUBMITTED in PLAN_TRANSITIONS[status] and open_budget,
        "revise": writer and status == PlanStatus.ACTIVE,
        "close": org_context.has_role(*PLAN_CLOSERS) and PlanStatus.CLOSED in PLAN_TRANSITIONS[status],
        "fast_track": writer and status == PlanStatus.DRAFT,
    }


def required_tier(organisation: Organisation, plan_costs_: costs.Costs) -> dict | None:
    """Which approval tier the plan would need under the policy in force now (None without a policy).

    Approvals owns the rule (approvals/policy.py) and contributes the answer (phb/sections.py).
    """
    return plan_part("required_tier", organisation, plan_costs_)


def with_role_labels(required: list[dict]) -> list[dict]:
    """Sign-offs needed, each with the role's name as staff read it."""
    labels = dict(Role.choices)
    return [{**signoff, "label": labels.get(signoff["role"], signoff["role"])} for signoff in required]


def latest_approval(plan: SupportPlan):
    """The plan's latest approval request with its decisions (approvals' part), or None."""
    return plan_part("approval", plan)


def account_summary(plan: SupportPlan) -> dict | None:
    """The budget account's figures (payments owns the account and its rule), if one is open."""
    return plan_part("account", plan)


def first_review(plan: SupportPlan) -> str:
    """When the plan will be reviewed, in plain English for the person's copy (reviews' part)."""
    return plan_part("first_review", plan) or ""


def supplier_search(
    *, organisation: Organisation, query: str = "", active: bool | None = True
) -> QuerySet[Supplier]:
    """Suppliers matching every word typed; current ones by default (the pickers used for planning),
    retired ones with `active=False`, both with `active=None`."""
    suppliers = Supplier.objects.for_org(organisation)
    if active is not None:
        suppliers = suppliers.filter(is_active=active)
    query = (query or "").strip()
    for word in query.split():
        suppliers = suppliers.filter(
            Q(name__icontains=word) | Q(service__icontains=word) | Q(category__icontains=word)
        )
    return suppliers.order_by("name", "service")


def fast_track_offers(*, organisation: Organisation, active: bool | None = True) -> QuerySet[FastTrackOffer]:
    """Current offers by default (the plan editor's list); retired ones with `active=False`, both with
    `active=None`."""
    offers = FastTrackOffer.objects.for_org(organisation).select_related("supplier")
    return offers if active is None else offers.filter(is_active=active)


def person_budgets(person: Person) -> list[Budget]:
    return list(
        Budget.objects.for_org(person.organisation)
        .filter(person=person)
        .prefetch_related(Prefetch("versions", queryset=SupportPlan.objects.order_by("version")))
        .order_by("-created_at", "-id")
    )


def person_section(person: Person, org_context) -> dict:
    """The person page's section: their budgets and every plan version, with status and costs."""
    referral = (
        Referral.objects.for_org(person.organisation)
        .filter(person=person, status="accepted")
        .order_by("-accepted_at", "-id")
        .first()
    )
    return {
        "budgets": person_budgets(person),
        "referral": referral,
        "can_write": org_context.has_role(*PLAN_WRITERS),
    }


# --- The submitter's home page: plans that came back


HOME_PLAN_ROWS = 10


def plans_back_with(*, organisation: Organisation, user) -> dict[str, list[SupportPlan]]:
    """The user's plans that came back from sign-off: returned to draft for changes, and declined.

    "The user's" means they hold the plan as care coordinator or wrote the version; newest first.
    """
    mine = (
        SupportPlan.objects.for_org(organisation)
        .filter(Q(care_coordinator=user) | Q(created_by=user))
        .select_related("person")
        .order_by("-decided_at", "-id")
    )
    returned = mine.filter(status=PlanStatus.DRAFT).exclude(return_comment="")
    return {
        "returned": list(returned[:HOME_PLAN_ROWS]),
        "declined": list(mine.filter(status=PlanStatus.DECLINED)[:HOME_PLAN_ROWS]),
    }


def home_panel(org_context) -> dict | None:
    """The home page card of whoever writes plans: plans returned for changes, and declined ones."""
    if not org_context.has_role(Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD):
        return None
    back = plans_back_with(organisation=org_context.organisation, user=org_context.user)
    return {"title": "My plans back from sign-off", **back}


# --- Indicative budgets beside costs (the dashboard's comparison)

# The plans in hand: written, waiting, approved or running (not declined, replaced or closed).
CURRENT_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.ACTIVE)


def indicative_comparison(*, organisation: Organisation) -> dict:
    """Current plans with an indicative budget: how many cost more than it by more than the
    organisation's margin, how many are within, and their costs less their budgets in total.
    Judged by support_plans/allocation.py, plan by plan, as the plan page judges it."""
    margin = organisation.indicative_margin_percent
    over = within = 0
    difference = Decimal(0)
    rows = (
        SupportPlan.objects.for_org(organisation)
        .filter(status__in=CURRENT_PLAN_STATUSES, indicative_budget__isnull=False)
        .values_list("cost_total", "indicative_budget")
    )
    for cost_total, indicative in rows.iterator(chunk_size=2000):
        comparison = allocation.compare(cost_total, indicative, margin)
        over += comparison.over
        within += not comparison.over
        difference += comparison.difference
    return {
        "plans": over + within,
        "over": over,
        "within": within,
        "total_difference": difference,
        "margin_percent": margin,
    }
