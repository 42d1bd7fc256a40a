"""Reads of the approvals app: the queues, one request with its history, who can fill a slot."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from phb.ages import age_band
from phb.constants import Cohort, Role
from phb.models import Membership, MembershipRole, Organisation
from phb.money import api_amount
from support_plans.selectors import with_role_labels

from . import policy as rules
from .constants import RequestStatus
from .models import ApprovalPolicy, ApprovalRequest, Decision
from .services import policy_in_force, role_label
from .slots import author_of, role_holders


def request_list(*, organisation: Organisation, status: str | None = None) -> QuerySet[ApprovalRequest]:
    """The organisation's requests, oldest first, with what a list shows (no query per row)."""
    requests = (
        ApprovalRequest.objects.for_org(organisation)
        .select_related("plan", "person", "submitted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("user")))
        .order_by("submitted_at", "id")
    )
    if status:
        requests = requests.filter(status=status)
    return requests


def with_case(requests: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    """What a case summary shows, prefetched for a list."""
    return requests.prefetch_related("person__cohorts", "plan__goals", "plan__items")


def case_name(person) -> str:
    """First name and family initial: enough for a panel to talk about the person, no more."""
    return f"{person.given_name} {person.family_name[:1]}."


def case_summary(request: ApprovalRequest, on=None) -> dict:
    """The request as a lay panel member sees it: no NHS number, date of birth, address or notes.

    First name and family initial, age band, cohorts, the plan's goals, items and costs, the tier.
    """
    person, plan = request.person, request.plan
    cohort_labels = dict(Cohort.choices)
    return {
        "name": case_name(person),
        "age_band": age_band(person.date_of_birth, on or timezone.localdate()),
        "cohorts": person.cohort_codes,
        "cohort_labels": [cohort_labels.get(code, code) for code in person.cohort_codes],
        "goals": [
            {"description": goal.description, "how_budget_helps": goal.how_budget_helps}
            for goal in plan.goals.all()
        ],
        "items": [
            {
                "description": item.description,
                "category": item.category,
                "category_label": item.category_label,
                "amount": api_amount(item.amount),
                "frequency": item.frequency,
                "frequency_label": item.get_frequency_display(),
            }
            for item in plan.items.all()
        ],
        "costs": {
            "total": api_amount(plan.cost_total),
            "weekly": api_amount(plan.cost_weekly),
            "annual": api_amount(plan.cost_annual),
        },
        "management": plan.management,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "tier": request.tier,
        "basis": request.basis,
        "measured_amount": api_amount(request.measured_amount),
    }


def facts_of(request: ApprovalRequest) -> list[rules.DecisionFact]:
    """The request's decisions as the rule sees them (uses the prefetched decisions)."""
    return [
        rules.DecisionFact(user_id=d.user_id, role=d.role, decision=d.decision)
        for d in request.decisions.all()
    ]


def roles_user_may_fill(request: ApprovalRequest, *, user, roles) -> list[str]:
    if request.status != RequestStatus.PENDING:
        return []
    return rules.fillable_roles(
        user_id=user.pk,
        user_roles=roles,
        submitter_id=request.submitted_by_id,
        submitter_may_sign=request.submitter_may_sign,
        required=request.required,
        decisions=facts_of(request),
        author_id=author_of(request),
    )


def plan_section(plan, org_context) -> dict | None:
    """The pending request of a plan and the roles this user may sign it as (the plan page's "Sign now")."""
    request = (
        ApprovalRequest.objects.for_org(org_context.organisation)
        .filter(plan=plan, status=RequestStatus.PENDING)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if request is None:
        return None
    roles = rules.fillable_roles(
        user_id=org_context.user.pk,
        user_roles=org_context.roles,
        submitter_id=request.submitted_by_id,
        submitter_may_sign=request.submitter_may_sign,
        required=request.required,
        decisions=facts_of(request),
    )
    if not roles:
        return None
    labels = dict(Role.choices)
    return {"approval": request, "roles": [labels.get(role, role) for role in roles]}


def roles_user_may_act_as(request: ApprovalRequest, *, user, roles) -> list[str]:
    """Roles the user may decide as: approve needs an open slot, decline/return only a panel place."""
    if request.status != RequestStatus.PENDING:
        return []
    facts = facts_of(request)
    return [
        signoff["role"]
        for signoff in request.required
        if rules.refusal(
            decision=rules.DECLINE,
            role=signoff["role"],
            user_id=user.pk,
            user_roles=roles,
            submitter_id=request.submitted_by_id,
            submitter_may_sign=request.submitter_may_sign,
            required=request.required,
            decisions=facts,
            author_id=author_of(request),
        )
        is None
    ]


def why_user_cannot_sign(request: ApprovalRequest, *, user, roles) -> str | None:
    """In plain words, why this user can give no sign-off on the request (None if not pending)."""
    if request.status != RequestStatus.PENDING:
        return None
    needed = [signoff["role"] for signoff in request.required]
    held = [role for role in needed if role in set(roles)]
    if not held:
        return "This request needs no sign-off from any role you hold."
    return rules.refusal(
        decision=rules.APPROVE,
        role=held[0],
        user_id=user.pk,
        user_roles=roles,
        submitter_id=request.submitted_by_id,
        submitter_may_sign=request.submitter_may_sign,
        required=request.required,
        decisions=facts_of(request),
        author_id=author_of(request),
    )


class OpenSignoffOf(Func):
    """True where the request needs a sign-off of one of these roles that still has a slot open:
    fewer approvals given as that role than its count (policy.slots_open, said in SQL).

    One EXISTS over the elements of `required`, correlated with the request's approvals, so that
    the queue filters in the database whatever the number of pending requests.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, roles):
        super().__init__(F("required"), F("pk"))
        self.roles = sorted(roles)

    def _render(self, compiler, connection, *, signoffs: str, role: str, count: str):
        required_sql, required_params = compiler.compile(self.source_expressions[0])
        pk_sql, pk_params = compiler.compile(self.source_expressions[1])
        decision_table = connection.ops.quote_name(Decision._meta.db_table)
        roles = ", ".join(["%s"] * len(self.roles))
        # Only fixed fragments and compiled column references are put in the text; values are params.
        sql = (
            f"EXISTS (SELECT 1 FROM {signoffs % required_sql} WHERE {role} IN ({roles}) AND {count} > "  # noqa: S608
            f"(SELECT COUNT(*) FROM {decision_table} given WHERE given.request_id = {pk_sql} "
            f"AND given.decision = %s AND given.role = {role}))"
        )
        return sql, (*required_params, *self.roles, *pk_params, rules.APPROVE)

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite (tests, the embedded default).
        return self._render(
            compiler,
            connection,
            signoffs="json_each(%s) signoff",
            role="json_extract(signoff.value, '$.role')",
            count="CAST(json_extract(signoff.value, '$.count') AS integer)",
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(
            compiler,
            connection,
            signoffs="jsonb_array_elements(%s) signoff",
            role="(signoff.value ->> 'role')",
            count="(signoff.value ->> 'count')::integer",
        )


class NeedsSignoffOf(Func):
    """True where the request's tier needs a sign-off of one of these roles (whether or not it is
    given yet): the request has a slot for that role. One EXISTS over the elements of `required`."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, roles):
        super().__init__(F("required"))
        self.roles = sorted(roles)

    def _render(self, compiler, *, signoffs: str, role: str):
        required_sql, required_params = compiler.compile(self.source_expressions[0])
        roles = ", ".join(["%s"] * len(self.roles))
        sql = f"EXISTS (SELECT 1 FROM {signoffs % required_sql} WHERE {role} IN ({roles}))"  # noqa: S608
        return sql, (*required_params, *self.roles)

    def as_sql(self, compiler, connection, **extra_context):
        return self._render(
            compiler, signoffs="json_each(%s) signoff", role="json_extract(signoff.value, '$.role')"
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(
            compiler, signoffs="jsonb_array_elements(%s) signoff", role="(signoff.value ->> 'role')"
        )


# --- What the role-by-data table's scopes reach (phb/visibility.py)


def requests_with_slot_for(roles, context) -> Q:
    """A lay panel member's requests: those whose tier has a slot for a role they hold."""
    return Q(NeedsSignoffOf(roles))


def _panel_requests(roles, context):
    return ApprovalRequest.objects.for_org(context.organisation).filter(NeedsSignoffOf(roles))


def people_on_panel_of(roles, context) -> Q:
    """A commissioner's people: those with a request for their plan whose tier needs the role."""
    return Q(pk__in=_panel_requests(roles, context).values("person_id"))


def plans_on_panel_of(roles, context) -> Q:
    """The plans of those people (every version of the budget the panel judged)."""
    return Q(budget_id__in=_panel_requests(roles, context).values("plan__budget_id"))


def requests_waiting_for(*, organisation: Organisation, user, roles) -> QuerySet[ApprovalRequest]:
    """Pending requests with a sign-off this user may fill, oldest first, filtered in the database.

    The rule of policy.may_fill (tests/approvals/test_selectors.py checks the two agree): a role the
    user holds is needed and has a slot open, the user has made no decision on the request, and the
    user neither submitted nor wrote the plan unless the tier lets the submitter sign.
    """
    pending = request_list(organisation=organisation, status=RequestStatus.PENDING)
    roles = set(roles)
    if not roles:
        return pending.none()
    decided = Decision.objects.filter(request=OuterRef("pk"), user_id=user.pk)
    return (
        pending.filter(
            Q(submitter_may_sign=True) | (~Q(submitted_by_id=user.pk) & ~Q(plan__created_by_id=user.pk))
        )
        .exclude(Exists(decided))
        .filter(OpenSignoffOf(roles))
    )


def waiting_counts(requests: QuerySet[ApprovalRequest], *, stale_before: datetime) -> dict[str, int]:
    """How many requests, and how many submitted before `stale_before`, in one query."""
    return requests.order_by().aggregate(
        total=Count("pk"), stale=Count("pk", filter=Q(submitted_at__lt=stale_before))
    )


def requests_waiting_for_team(*, organisation: Organisation, membership: Membership | None) -> QuerySet:
    """Pending requests submitted by members of the user's team; the whole organisation's pending
    requests for someone with no team (a PHB lead or commissioner sees every panel)."""
    pending = request_list(organisation=organisation, status=RequestStatus.PENDING)
    if membership is None or membership.team_id is None:
        return pending
    team_users = Membership.objects.for_org(organisation).filter(team_id=membership.team_id).values("user_id")
    return pending.filter(submitted_by_id__in=team_users)


def approvers_for_open_slots(request: ApprovalRequest) -> list:
    """Everyone who may fill an open sign-off of the request now (for e-approval e-mails)."""
    facts = facts_of(request)
    still_open = rules.slots_open(request.required, facts)
    if not still_open:
        return []
    grants = MembershipRole.objects.filter(
        organisation_id=request.organisation_id,
        role__in=list(still_open),
        membership__is_active=True,
        membership__user__is_active=True,
    )
    roles_by_user: dict[int, set[str]] = {}
    for user_id, role in grants.values_list("membership__user_id", "role"):
        roles_by_user.setdefault(user_id, set()).add(role)
    users = get_user_model().objects.filter(pk__in=list(roles_by_user)).order_by("username")
    return [
        user
        for user in users
        if rules.fillable_roles(
            user_id=user.pk,
            user_roles=roles_by_user[user.pk],
            submitter_id=request.submitted_by_id,
            submitter_may_sign=request.submitter_may_sign,
            required=request.required,
            decisions=facts,
            author_id=author_of(request),
        )
    ]


def decision_path(request: ApprovalRequest) -> str:
    return reverse("approvals:decision", kwargs={"org": request.organisation.code, "pk": request.pk})


def policy_versions(*, organisation: Organisation) -> QuerySet[ApprovalPolicy]:
    return ApprovalPolicy.objects.for_org(organisation).select_related("created_by").order_by("-version")


@dataclass
class QueueRow:
    request: ApprovalRequest
    given: int
    needed: int
    age_days: int
    stale: bool


def queue_rows(requests, *, stale_after_days: int, now: datetime | None = None) -> list[QueueRow]:
    now = now or timezone.now()
    rows = []
    for request in requests:
        given, needed = rules.slots_count(request.required, facts_of(request))
        age = (now - request.submitted_at).days
        rows.append(QueueRow(request, given, needed, age, stale_after_days > 0 and age > stale_after_days))
    return rows


def person_section(person, org_context) -> dict:
    """The approvals part of a person's page: their requests, newest first."""
    requests = (
        ApprovalRequest.objects.for_org(org_context.organisation)
        .filter(person=person)
        .select_related("plan")
        .prefetch_related("decisions")
        .order_by("-submitted_at")
    )
    return {"rows": queue_rows(requests, stale_after_days=org_context.organisation.stale_approval_days)}


# Roles that sit on sign-offs in the field's policies; a broker or finance officer has no queue.
APPROVER_ROLES = (
    Role.CARE_COORDINATOR,
    Role.TEAM_LEAD,
    Role.PHB_LEAD,
    Role.LIVED_EXPERIENCE_REVIEWER,
    Role.COMMISSIONER,
)


def home_panel(org_context) -> dict | None:
    """The home page card: requests waiting for my sign-off, and how many have waited too long."""
    if not org_context.has_role(*APPROVER_ROLES):
        return None
    organisation = org_context.organisation
    waiting = requests_waiting_for(organisation=organisation, user=org_context.user, roles=org_context.roles)
    stale_before = timezone.now() - timedelta(days=organisation.stale_approval_days)
    counts = waiting_counts(waiting, stale_before=stale_before)
    queue = reverse("approvals:queue", kwargs={"org": org_context.code})
    return {
        "title": "Approvals",
        "items": [
            {"label": "waiting for my sign-off", "url": queue, "count": counts["total"]},
            {
                "label": f"waiting more than {organisation.stale_approval_days} days",
                "url": queue,
                "urgent": True,
                "count": counts["stale"],
            },
        ],
    }


def policy_warnings(*, organisation, tiers) -> list[str]:
    """The policy editor's warnings: tiers the organisation's members as they stand cannot fill."""
    try:
        parsed = rules.validate_tiers(tiers)
    except rules.PolicyError:
        return []
    return rules.tier_shortfalls(parsed, role_holders(organisation=organisation), role_label)


# --- Approvals' parts of the support plan's page, API answer and PDF (AppConfig.plan_parts)


def plan_required_tier(organisation: Organisation, plan_costs) -> dict | None:
    """Which tier a plan of these costs would need under the policy in force now (None without one)."""
    policy = policy_in_force(organisation)
    if policy is None:
        return None
    index, tier, measured = rules.choose_tier(rules.validate_tiers(policy.tiers), plan_costs)
    return {
        "tier": index + 1,
        "basis": tier.basis,
        "measured_amount": f"{Decimal(measured):.2f}",
        "up_to": None if tier.up_to is None else f"{tier.up_to:.2f}",
        "required": with_role_labels([{"role": s.role, "count": s.count} for s in tier.signoffs]),
        "submitter_may_sign": bool(tier.submitter_may_sign),
    }


def plan_approval(plan) -> ApprovalRequest | None:
    """The plan's latest approval request, with its decisions and who made them."""
    decisions = Prefetch("decisions", queryset=Decision.objects.select_related("user"))
    return plan.approval_requests.order_by("-submitted_at", "-id").prefetch_related(decisions).first()
