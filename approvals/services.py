"""Writes of the approvals app: publishing a policy, opening a request, recording a decision."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from phb import versions
from phb.audit import changes_together, record_event, snapshot
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, SlotNotAllowed, TransitionNotAllowed
from phb.models import MembershipRole, Organisation
from phb.notifications import holders_of, notify
from phb.selectors import ROLE_LABELS
from phb.versions import starts_on
from support_plans import services as plan_services

from . import policy as rules
from .constants import DecisionKind, RequestStatus
from .models import ApprovalPolicy, ApprovalRequest, Decision
from .slots import slot_state

COMMENT_MAX = 2000


def role_label(role: str) -> str:
    """'care coordinator', 'PHB lead clinician': the role as it reads inside a sentence."""
    label = ROLE_LABELS.get(role, role.replace("_", " "))
    return label if label.startswith("PHB") else label[:1].lower() + label[1:]


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "System"


def roles_held(*, user, organisation: Organisation) -> set[str]:
    """The roles an active user holds through an active membership (read fresh, never cached)."""
    if user is None or not getattr(user, "is_active", False):
        return set()
    return set(
        MembershipRole.objects.filter(
            organisation=organisation, membership__user=user, membership__is_active=True
        ).values_list("role", flat=True)
    )


def decision_facts(request: ApprovalRequest) -> list[rules.DecisionFact]:
    return [
        rules.DecisionFact(user_id=d.user_id, role=d.role, decision=d.decision)
        for d in request.decisions.all()
    ]


# --- Policy


@transaction.atomic
def policy_publish(
    *,
    actor,
    organisation: Organisation,
    tiers: Any,
    effective_from: datetime | None = None,
    effective_on: date | None = None,
    note: str = "",
) -> ApprovalPolicy:
    """A new version of the organisation's policy, in force from now unless a later date is given.

    Organisations agree new delegated limits at a board and bring them in from a date (often 1 April):
    `effective_on` (today or later) schedules the version from the start of that day. Earlier versions
    stay: requests keep the version they were judged by.
    """
    if effective_on is not None:
        effective_from = starts_on(effective_on)
    try:
        parsed = rules.validate_tiers(tiers)
    except rules.PolicyError as error:
        raise InvalidInput("The approval policy is not valid.", **error.errors) from error
    # Lock the organisation row so two publishers cannot take the same version number.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    latest = ApprovalPolicy.objects.for_org(organisation).order_by("-version").first()
    approval_policy = ApprovalPolicy(
        organisation=organisation,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from or timezone.now(),
        tiers=rules.tiers_as_json(parsed),
        note=note[:300],
    )
    approval_policy.stamp(actor)
    approval_policy.full_clean()
    approval_policy.save()
    described = "; ".join(
        f"{'up to ' + rules.describe_measure(t.up_to, t.basis) if t.up_to is not None else 'above'}: "
        f"{rules.describe_signoffs(t.signoffs, role_label)}"
        for t in parsed
    )
    record_event(
        actor=actor,
        organisation=organisation,
        obj=approval_policy,
        action="approval_policy_published",
        after=snapshot(approval_policy),
        summary=(
            f"Approval policy version {approval_policy.version} published ({described})"
            + (
                f", in force from {timezone.localtime(approval_policy.effective_from):%-d %B %Y}"
                if approval_policy.effective_from > timezone.now()
                else ""
            )
        ),
    )
    return approval_policy


def policy_in_force(organisation: Organisation, at: datetime | None = None) -> ApprovalPolicy | None:
    """The version in force at `at` (default now): the latest to take effect on or before it."""
    return versions.in_force(ApprovalPolicy.objects.for_org(organisation), at)


def policies_scheduled(organisation: Organisation) -> list[ApprovalPolicy]:
    """Versions published to take effect later, soonest first (withdrawn ones left out)."""
    return versions.scheduled(ApprovalPolicy.objects.for_org(organisation))


@transaction.atomic
def policy_withdraw(*, actor, policy: ApprovalPolicy) -> ApprovalPolicy:
    """Withdraw a scheduled version before it starts; one already in force cannot be (publish another)."""
    locked = versions.withdraw(
        actor=actor, version=policy, action="approval_policy_withdrawn", what="Approval policy"
    )
    policy.withdrawn_at, policy.withdrawn_by = locked.withdrawn_at, locked.withdrawn_by
    return locked


# --- Requests


def approval_request_open(*, actor, plan) -> ApprovalRequest:
    """Open the approval request of a plan being submitted (support_plans.plan_submit calls this
    inside its transaction, with the plan row locked).

    The request snapshots the policy version, the tier, its basis, the amount measured and the
    sign-offs needed, so that a later change of policy never changes a pending request.
    """
    with transaction.atomic():
        organisation = plan.organisation
        submitted_at = getattr(plan, "submitted_at", None) or timezone.now()
        approval_policy = policy_in_force(organisation, at=submitted_at)
        if approval_policy is None:
            raise Conflict(
                "This organisation has no approval policy yet: a commissioner or org admin must set one "
                "before plans can be submitted."
            )
        if (
            ApprovalRequest.objects.for_org(organisation)
            .filter(plan=plan, status=RequestStatus.PENDING)
            .exists()
        ):
            raise Conflict("This plan is already waiting for sign-off.")
        tiers = rules.validate_tiers(approval_policy.tiers)
        costs = {"total": plan.cost_total, "weekly": plan.cost_weekly, "annual": plan.cost_annual}
        index, tier, amount = rules.choose_tier(tiers, costs)
        request = ApprovalRequest(
            organisation=organisation,
            plan=plan,
            person=plan.person,
            policy=approval_policy,
            policy_version=approval_policy.version,
            tier=index + 1,
            basis=tier.basis,
            measured_amount=Decimal(amount).quantize(rules.PENNY),
            up_to=tier.up_to,
            required=[{"role": s.role, "count": s.count} for s in tier.signoffs],
            submitter_may_sign=tier.submitter_may_sign,
            submitted_by=actor,
            submitted_at=submitted_at,
            status=RequestStatus.PENDING,
        )
        request.stamp(actor)
        request.full_clean()
        request.save()
        record_event(
            actor=actor,
            organisation=organisation,
            obj=request,
            action="approval_requested",
            after=snapshot(request),
            person=plan.person,
            summary=(
                f"Support plan version {plan.version} sent for sign-off: "
                f"{rules.explain_tier(tiers, index, amount, role_label)}"
            ),
        )
        transaction.on_commit(lambda pk=request.pk: _queue("notify_approvers", pk))
        approval_request_tell_if_stuck(request=request)
    return request


def _queue(task_name: str, request_id: int) -> None:
    from . import tasks

    getattr(tasks, task_name).delay(request_id)


def _validate_decision_input(decision: str, role: str, comment: str) -> str:
    errors: dict[str, list[str]] = {}
    if decision not in DecisionKind.values:
        errors["decision"] = ["Choose approve, decline or return."]
    if role not in Role.values:
        errors["role"] = [f"{role!r} is not a role."]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [f"Keep the comment to {COMMENT_MAX} characters or fewer."]
    elif decision in (DecisionKind.DECLINE, DecisionKind.RETURN) and not comment:
        verb = "declining" if decision == DecisionKind.DECLINE else "returning the plan"
        errors["comment"] = [f"Say why you are {verb}: the care coordinator will see it."]
    if errors:
        raise InvalidInput("Check the decision.", **errors)
    return comment


def decision_record(
    *,
    actor,
    request: ApprovalRequest,
    decision: str,
    role: str,
    comment: str = "",
    actor_roles: Iterable[str] | None = None,
) -> ApprovalRequest:
    """Record one sign-off, decline or return on a pending request, as the role given.

    The request row is locked first, so concurrent decisions are taken one at a time: none is lost
    and the request is approved exactly once, the moment its last sign-off lands (DESIGN: no second
    step). Any decline declines; a return sends the plan back to draft with the comment.
    `actor_roles`: the roles the caller has just read for the actor's membership in this request
    (the API's organisation context); read here when not given. The request comes back with its
    decisions loaded, the new one included.
    """
    comment = _validate_decision_input(decision, role, comment)
    # A sign-off that approves leaves several audit records about one person (the decision, the
    # plan approved, its account opened, a fund's answer): the live figures count them once.
    with transaction.atomic(), changes_together():
        request = (
            # Only the request row is locked: the plan, person and users are read, not locked.
            ApprovalRequest.objects.select_for_update(of=("self",))
            .select_related("plan", "person", "organisation", "submitted_by")
            .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("user")))
            .get(pk=request.pk, organisation_id=request.organisation_id)
        )
        if request.status != RequestStatus.PENDING:
            raise TransitionNotAllowed(
                f"This request is no longer waiting for sign-off: it was {request.get_status_display().lower()}.",
                status=request.status,
            )
        decisions = list(request.decisions.all())
        facts = [rules.DecisionFact(user_id=d.user_id, role=d.role, decision=d.decision) for d in decisions]
        if actor_roles is None:
            actor_roles = roles_held(user=actor, organisation=request.organisation)
        problem = rules.refusal(
            decision=decision,
            role=role,
            user_id=actor.pk,
            user_roles=actor_roles,
            submitter_id=request.submitted_by_id,
            submitter_may_sign=request.submitter_may_sign,
            required=request.required,
            decisions=facts,
            author_id=request.plan.created_by_id,
        )
        if problem:
            raise SlotNotAllowed(problem)
        at = timezone.now()
        record = Decision(
            organisation=request.organisation,
            request=request,
            user=actor,
            role=role,
            decision=decision,
            comment=comment,
            at=at,
        )
        record.stamp(actor)
        record.validate_own_fields()
        try:
            # The unique (request, user) constraint is the last line of defence.
            with transaction.atomic():
                record.save()
        except IntegrityError as error:
            raise SlotNotAllowed("You have already decided on this request.") from error
        decisions.append(record)
        facts.append(rules.DecisionFact(user_id=actor.pk, role=role, decision=decision))
        given, needed = rules.slots_count(request.required, facts)
        person = request.person
        plan = request.plan
        verb = {"approve": "Signed off", "decline": "Declined", "return": "Returned for changes"}[decision]
        record_event(
            actor=actor,
            organisation=request.organisation,
            obj=record,
            action=f"approval_{decision}",
            after=snapshot(record),
            person=person,
            summary=(
                f"{verb} by {_name(actor)} as {role_label(role)} on support plan version {plan.version}"
                + (f" ({given} of {needed} sign-offs)" if decision == DecisionKind.APPROVE else "")
                + (f": {comment}" if comment else "")
            ),
        )
        outcome = None
        if decision == DecisionKind.APPROVE and given >= needed:
            outcome = RequestStatus.APPROVED
        elif decision == DecisionKind.DECLINE:
            outcome = RequestStatus.DECLINED
        elif decision == DecisionKind.RETURN:
            outcome = RequestStatus.RETURNED
        if outcome is not None:
            before = snapshot(request)
            request.status = outcome
            request.decided_at = at
            request.stamp(actor)
            request.validate_own_fields()
            request.save()
            if outcome == RequestStatus.APPROVED:
                plan_services.plan_mark_approved(actor=actor, plan=plan, at=at)
                summary = f"Support plan version {plan.version} approved: all {needed} sign-offs given"
            elif outcome == RequestStatus.DECLINED:
                plan_services.plan_mark_declined(actor=actor, plan=plan, at=at)
                summary = f"Support plan version {plan.version} declined by {_name(actor)}"
            else:
                plan_services.plan_mark_returned(actor=actor, plan=plan, comment=comment, at=at)
                summary = f"Support plan version {plan.version} returned to draft by {_name(actor)}"
            record_event(
                actor=actor,
                organisation=request.organisation,
                obj=request,
                action=f"approval_request_{outcome}",
                before=before,
                after=snapshot(request),
                person=person,
                summary=summary,
            )
            transaction.on_commit(lambda pk=request.pk: _queue("notify_outcome", pk))
        # Read afresh, so the decisions loaded with it include the one just recorded.
        request = (
            ApprovalRequest.objects.select_related("plan", "person", "organisation", "submitted_by")
            .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("user")))
            .get(pk=request.pk)
        )
        approval_request_tell_if_stuck(request=request)
    return request


def approval_request_tell_if_stuck(*, request: ApprovalRequest) -> bool:
    """A request nobody can finish is told at once to the organisation's admins and commissioners.

    Once per request (the notification key), so later decisions on a stuck request tell nobody again.
    Returns whether the request is stuck.
    """
    state = slot_state(request)
    if not state.stuck:
        return False
    organisation = request.organisation
    short = "; ".join(
        f"{role_label(slot.role)}: {slot.remaining} still needed, {slot.eligible} could give it"
        for slot in state.open_slots
    )
    notify(
        organisation=organisation,
        key=f"approval:{request.pk}:stuck",
        users=holders_of(organisation, Role.ORG_ADMIN, Role.COMMISSIONER),
        subject=f"A sign-off nobody can give: support plan for {request.person.full_name}",
        body=(
            f"The request to approve support plan version {request.plan.version} for {request.person.full_name} "
            f"cannot be completed by the staff the organisation has now ({short}). The submitter, the plan's "
            "author and anyone who has already decided cannot fill a slot. Give the role to another member "
            "of staff, or return the plan."
        ),
        path=reverse("approvals:decision", kwargs={"org": organisation.code, "pk": request.pk}),
    )
    return True


def stale_requests_nudge(*, now: datetime | None = None) -> int:
    """Nudge the approvers of every request waiting longer than its organisation's limit.

    The notification key carries the number of whole waiting periods elapsed, so a request waiting
    11 days under a 5-day limit is nudged once for period 2, however often the job runs that day.
    Returns how many e-mails were queued.
    """
    from phb.notifications import absolute_url, notify_once

    from .selectors import approvers_for_open_slots, decision_path

    now = now or timezone.now()
    queued = 0
    pending = (
        ApprovalRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("organisation", "person", "plan")
        .prefetch_related("decisions")
        .order_by("submitted_at")
    )
    for request in pending:
        limit = request.organisation.stale_approval_days
        if limit < 1:
            continue
        waited = now - request.submitted_at
        if waited.total_seconds() <= limit * 86400:
            continue
        periods = int(waited.total_seconds() // (limit * 86400))
        recipients = [u.email for u in approvers_for_open_slots(request)]
        with transaction.atomic():
            sent = notify_once(
                organisation=request.organisation,
                key=f"approval:{request.pk}:nudge:{periods}",
                recipients=recipients,
                subject="Reminder: a support plan is waiting for your sign-off",
                body=(
                    f"A support plan for {request.person.full_name} has waited {waited.days} days for "
                    f"sign-off (your organisation's limit is {limit} days).\n\n"
                    f"Open it: {absolute_url(decision_path(request))}\n"
                ),
            )
            if sent:
                ApprovalRequest.objects.filter(pk=request.pk).update(last_nudged_at=now)
        queued += sent
    return queued
