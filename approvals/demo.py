"""Demo data of the approvals app: the field's two example policies, and plans at every stage of sign-off."""

from datetime import timedelta

from django.utils import timezone

from phb.exceptions import DomainError
from support_plans import services as plan_services
from support_plans.models import SupportPlan

from . import policy as rules
from . import services
from .constants import RequestStatus
from .models import ApprovalPolicy

# City & Hackney (mental health recovery, one-off items): £250 care coordinator (the submitter
# may sign); £750 care coordinator and team lead co-sign; above that an e-approval panel.
HACKNEY_TIERS = [
    {
        "up_to": "250.00",
        "basis": "total",
        "signoffs": [{"role": "care_coordinator", "count": 1}],
        "submitter_may_sign": True,
    },
    {
        "up_to": "750.00",
        "basis": "total",
        "signoffs": [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}],
        "submitter_may_sign": True,
    },
    {
        "up_to": None,
        "basis": "total",
        "signoffs": [
            {"role": "lived_experience_reviewer", "count": 1},
            {"role": "phb_lead", "count": 1},
            {"role": "commissioner", "count": 1},
        ],
        "submitter_may_sign": False,
    },
]

# Birmingham and Solihull (s117 aftercare, ongoing support): a commissioner up to £400 a week;
# above that a panel.
BIRMINGHAM_TIERS = [
    {
        "up_to": "400.00",
        "basis": "weekly",
        "signoffs": [{"role": "commissioner", "count": 1}],
        "submitter_may_sign": False,
    },
    {
        "up_to": None,
        "basis": "weekly",
        "signoffs": [
            {"role": "phb_lead", "count": 1},
            {"role": "commissioner", "count": 1},
            {"role": "lived_experience_reviewer", "count": 1},
        ],
        "submitter_may_sign": False,
    },
]

EXAMPLE_POLICIES = {"07T": HACKNEY_TIERS, "15E": BIRMINGHAM_TIERS}

# Demo staff (phb/demo.py suffixes) who may sit in each role's slot, in the order they are asked.
CANDIDATES = {
    "care_coordinator": ["care_coordinator", "care_coordinator2", "team_lead"],
    "team_lead": ["team_lead"],
    "phb_lead": ["phb_lead"],
    "lived_experience_reviewer": ["reviewer"],
    "commissioner": ["commissioner", "commissioner2"],
}

# What happens to each submitted draft, in turn: most approved, one declined, one returned,
# some left waiting (one with part of its panel signed).
OUTCOMES = ["approve", "partial", "approve", "decline", "return", "approve", "pending", "approve", "approve"]
DRAFTS_LEFT_UNTOUCHED = 2


def example_policy(organisation_code: str) -> list[dict]:
    """The example tiers for 07T or 15E (Hackney's shape for any other organisation)."""
    return EXAMPLE_POLICIES.get(organisation_code, HACKNEY_TIERS)


def _sign(request, staff, submitter: str, *, stop_before_last: bool = False) -> None:
    """Fill the request's sign-offs with the demo staff, one slot at a time."""
    while request.status == RequestStatus.PENDING:
        open_slots = rules.slots_open(request.required, services.decision_facts(request))
        remaining = sum(open_slots.values())
        if not open_slots or (stop_before_last and remaining <= 1):
            return
        role = next(iter(open_slots))
        for suffix in [submitter, *CANDIDATES.get(role, [])]:
            user = staff.get(suffix)
            if user is None:
                continue
            try:
                request = services.decision_record(
                    actor=user, request=request, decision="approve", role=role, comment="Agreed."
                )
                break
            except DomainError:
                continue
        else:
            return  # nobody in the demo staff can fill this slot


def seed(context) -> None:
    for organisation in context.organisations:
        staff = context.staff[organisation.code]
        if not ApprovalPolicy.objects.for_org(organisation).exists():
            services.policy_publish(
                actor=staff.get("commissioner"),
                organisation=organisation,
                tiers=example_policy(organisation.code),
                effective_from=timezone.now() - timedelta(days=365),
                note="The organisation's scheme of delegation for personal health budgets",
            )
        drafts = list(SupportPlan.objects.filter(organisation=organisation, status="draft").order_by("id"))
        submitted = 0
        for plan in drafts[: max(0, len(drafts) - DRAFTS_LEFT_UNTOUCHED)]:
            outcome = OUTCOMES[submitted % len(OUTCOMES)]
            submitter = plan.care_coordinator or staff["care_coordinator"]
            try:
                request = plan_services.plan_submit(actor=submitter, plan=plan)
            except DomainError:
                continue
            if request is None:
                continue
            submitted += 1
            # The submitter is asked first, so that they fill a slot where the tier allows it.
            submitter_suffix = next((k for k, u in staff.items() if u == submitter), "")
            panel = [staff.get(suffix) for suffixes in CANDIDATES.values() for suffix in suffixes]
            if outcome == "approve":
                _sign(request, staff, submitter_suffix)
            elif outcome == "partial":
                _sign(request, staff, submitter_suffix, stop_before_last=True)
            elif outcome in ("decline", "return"):
                _decide_once(request, panel, outcome)
        if submitted:
            context.lines.append(f"{organisation.code}: {submitted} support plans sent for sign-off")


def _decide_once(request, panel, decision: str) -> None:
    comment = {
        "decline": "The panel cannot agree this: the gym membership duplicates the NHS exercise offer.",
        "return": "Please add how the risk of missing sessions is managed, then resubmit.",
    }[decision]
    for user in panel:
        if user is None:
            continue
        for signoff in request.required:
            try:
                services.decision_record(
                    actor=user, request=request, decision=decision, role=signoff["role"], comment=comment
                )
                return
            except DomainError:
                continue
