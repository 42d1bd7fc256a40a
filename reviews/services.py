"""Writes of the reviews app: review policy, scheduling, requested reviews, completing a review, reminders."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from phb import dates, versions
from phb.audit import record_event, snapshot
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, TransitionNotAllowed
from phb.models import Membership, Organisation
from phb.notifications import absolute_url, notify, notify_once
from phb.versions import starts_on
from support_plans import services as plan_services
from support_plans.constants import CloseReason, PlanStatus
from support_plans.models import SupportPlan

from . import schedule
from .constants import (
    INSTRUMENT_RANGES,
    Attainment,
    Instrument,
    ReminderKind,
    ReviewDecision,
    ReviewKind,
    ReviewStatus,
)
from .models import GoalAttainment, OutcomeMeasure, Review, ReviewPolicy

POLICY_FIELDS = (
    "first_review_weeks",
    "interval_weeks",
    "reminder_days_before",
    "escalate_days_after",
    "midpoint_and_end",
)
# A review may be requested, and the schedule kept, only while the plan is in place.
REVIEWABLE_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


# --- Review policy


def review_policy_get(organisation: Organisation, at: datetime | None = None) -> ReviewPolicy:
    """The version in force at `at` (default now); the national defaults (12/13/7/14) if none is."""
    policy = versions.in_force(ReviewPolicy.objects.for_org(organisation), at)
    return policy or ReviewPolicy(organisation=organisation, version=0)


def review_policies_scheduled(organisation: Organisation) -> list[ReviewPolicy]:
    """Versions set to take effect later, soonest first (withdrawn ones left out)."""
    return versions.scheduled(ReviewPolicy.objects.for_org(organisation))


@transaction.atomic
def review_policy_update(
    *, actor, organisation: Organisation, effective_on: date | None = None, **fields
) -> ReviewPolicy:
    """A new version of the review policy, in force now or from a later day (`effective_on`);
    what is not given is kept from the version in force. Earlier versions stay, for the record."""
    effective_from = starts_on(effective_on) if effective_on is not None else timezone.now()
    # Lock the organisation row so two editors cannot take the same version number.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    in_force = review_policy_get(organisation)
    latest = ReviewPolicy.objects.for_org(organisation).order_by("-version").first()
    policy = ReviewPolicy(
        organisation=organisation,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        **{name: fields.get(name, getattr(in_force, name)) for name in POLICY_FIELDS},
    )
    policy.stamp(actor)
    policy.full_clean()
    policy.save()
    cycle = (
        "start, midpoint and end of the plan"
        if policy.midpoint_and_end
        else f"then every {policy.interval_weeks} weeks"
    )
    scheduled = effective_from > timezone.now()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=policy,
        action="review_policy_updated",
        before=snapshot(in_force) if in_force.pk else None,
        after=snapshot(policy),
        summary=(
            f"Review policy version {policy.version} set: first review within {policy.first_review_weeks} weeks, "
            f"{cycle}"
            + (f", in force from {timezone.localtime(effective_from):%-d %B %Y}" if scheduled else "")
        ),
    )
    return policy


@transaction.atomic
def review_policy_withdraw(*, actor, policy: ReviewPolicy) -> ReviewPolicy:
    """Withdraw a scheduled version before it starts; one in force cannot be (set a new one)."""
    return versions.withdraw(
        actor=actor, version=policy, action="review_policy_withdrawn", what="Review policy"
    )


# --- Scheduling


def _open_reviews(budget_id: int):
    return Review.objects.filter(budget_id=budget_id, status=ReviewStatus.SCHEDULED)


@transaction.atomic
def reviews_schedule_for_plan(*, actor, plan: SupportPlan) -> list[Review]:
    """Schedule the reviews of a plan that has started; returns the plan's open reviews.

    Called by support_plans when a plan version becomes active. Safe to call twice: a budget that
    already has reviews keeps them. For a revised version of the same budget the open reviews
    carry over to the new version (the cycle runs from when the budget started, not from each
    revision), and the next review is added if none is open.
    """
    plan = SupportPlan.objects.select_for_update().select_related("budget").get(pk=plan.pk)
    policy = review_policy_get(plan.organisation)
    already = Review.objects.filter(budget_id=plan.budget_id).exclude(kind=ReviewKind.ON_REQUEST)
    created: list[Review] = []
    if already.exists():
        _open_reviews(plan.budget_id).exclude(plan=plan).update(
            plan=plan, modified_at=timezone.now(), modified_by=_user(actor)
        )
        following = _ensure_next_review(actor=actor, plan=plan, policy=policy)
        created = [following] if following else []
    else:
        due_dates = schedule.review_dates(
            plan.start_date,
            plan.end_date,
            policy.first_review_weeks,
            policy.interval_weeks,
            policy.midpoint_and_end,
        )
        for kind, due_on in due_dates:
            created.append(_review_add(actor=actor, plan=plan, kind=kind, due_on=due_on))
    if created:
        record_event(
            actor=actor,
            organisation=plan.organisation,
            obj=plan,
            action="reviews_scheduled",
            after={"reviews": [{"id": r.pk, "kind": r.kind, "due_on": r.due_on} for r in created]},
            person=plan.person,
            summary="Reviews scheduled: " + ", ".join(_describe(r) for r in created),
        )
    return list(_open_reviews(plan.budget_id).filter(plan=plan).order_by("due_on", "id"))


def _ensure_next_review(*, actor, plan: SupportPlan, policy: ReviewPolicy) -> Review | None:
    """Add the next review on the cycle if the budget has none open (one is always in the diary).

    The cycle runs from the last review actually held; a budget never reviewed gets its first review.
    """
    if _open_reviews(plan.budget_id).exclude(kind=ReviewKind.ON_REQUEST).exists():
        return None
    last_held = (
        Review.objects.filter(budget_id=plan.budget_id, status=ReviewStatus.COMPLETED)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if last_held is None:
        kind, due_on = schedule.review_dates(
            plan.start_date, plan.end_date, policy.first_review_weeks, policy.interval_weeks, False
        )[0]
        return _review_add(actor=actor, plan=plan, kind=kind, due_on=due_on)
    next_due = schedule.next_review_date(last_held, plan.end_date, policy.interval_weeks)
    if next_due is None:
        return None
    kind = ReviewKind.END if next_due == plan.end_date and policy.midpoint_and_end else ReviewKind.SCHEDULED
    return _review_add(actor=actor, plan=plan, kind=kind, due_on=next_due)


def _review_add(
    *, actor, plan: SupportPlan, kind: str, due_on: date, requested_by: str = "", reason: str = ""
) -> Review:
    review = Review(
        organisation=plan.organisation,
        budget_id=plan.budget_id,
        plan=plan,
        person_id=plan.person_id,
        kind=kind,
        due_on=due_on,
        requested_by=requested_by,
        reason=reason,
    )
    review.stamp(actor)
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_request(
    *, actor, plan: SupportPlan, due_on: date, requested_by: str = "", reason: str = ""
) -> Review:
    """Book a review the person, a carer or staff asked for (and why); the plan must be in place."""
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in REVIEWABLE_PLAN_STATUSES:
        raise TransitionNotAllowed(
            f"A review can be requested only for an approved or active plan; this plan is {plan.status}.",
            status=plan.status,
        )
    if len(requested_by) > 200:
        raise InvalidInput(requested_by=["Enter at most 200 characters."])
    if len(reason) > 2000:
        raise InvalidInput(reason=["Enter at most 2000 characters."])
    dates.require(due_on=dates.problems(due_on, label="The date of the review"))
    review = _review_add(
        actor=actor,
        plan=plan,
        kind=ReviewKind.ON_REQUEST,
        due_on=due_on,
        requested_by=requested_by,
        reason=reason,
    )
    asked = f" (asked for by {requested_by})" if requested_by else ""
    record_event(
        actor=actor,
        organisation=plan.organisation,
        obj=review,
        action="review_requested",
        after=snapshot(review),
        summary=f"Review requested for {due_on:%-d %B %Y}{asked}",
    )
    # The care coordinator holding the plan books and holds the review.
    notify(
        organisation=plan.organisation,
        key=f"review:{review.pk}:requested",
        users=[
            user
            for user in [plan.care_coordinator]
            if user is not None and user.pk != getattr(actor, "pk", None)
        ],
        subject=f"Review requested: {plan.person.full_name}",
        body=f"A review of the budget of {plan.person.full_name} was requested{asked}, due {due_on:%-d %B %Y}."
        + (f"\n\nWhy: {reason}" if reason else ""),
        path=reverse("reviews:list", kwargs={"org": plan.organisation.code}),
    )
    return review


# --- Completing a review


def _plan_in_place(review: Review) -> SupportPlan:
    """The budget's version in place now (approved or active), else the version the review was booked on."""
    return (
        SupportPlan.objects.filter(budget_id=review.budget_id, status__in=REVIEWABLE_PLAN_STATUSES)
        .select_related("budget")
        .order_by("-version")
        .first()
        or review.plan
    )


def _clean_measures(measures: Iterable[dict]) -> list[tuple[str, Decimal]]:
    cleaned: list[tuple[str, Decimal]] = []
    problems: list[str] = []
    for measure in measures or []:
        instrument = str((measure or {}).get("instrument", "")).strip()
        if instrument not in Instrument.values:
            problems.append(f"Unknown instrument “{instrument}”: use one of {', '.join(Instrument.values)}.")
            continue
        low, high = INSTRUMENT_RANGES[Instrument(instrument)]
        raw = measure.get("score")
        try:
            score = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            problems.append(f"{instrument} score must be a number.")
            continue
        if not score.is_finite() or not low <= score <= high:
            problems.append(f"{instrument} score must be between {low} and {high}.")
            continue
        if score != score.quantize(Decimal("0.01")):
            problems.append(f"{instrument} score can have at most two decimal places.")
            continue
        cleaned.append((instrument, score))
    if problems:
        raise InvalidInput(measures=problems)
    return cleaned


def _clean_goals(plan: SupportPlan, goals: Iterable[dict]) -> list[tuple[int, str]]:
    plan_goals = set(plan.goals.values_list("pk", flat=True))
    cleaned: list[tuple[int, str]] = []
    problems: list[str] = []
    for entry in goals or []:
        entry = entry or {}
        try:
            goal_id = int(str(entry.get("goal")))
        except ValueError:
            goal_id = None
        if goal_id not in plan_goals:
            problems.append(f"Goal {entry.get('goal')} is not a goal of this plan.")
            continue
        if goal_id in {g for g, _ in cleaned}:
            problems.append(f"Goal {goal_id} is given more than once.")
            continue
        attainment = str(entry.get("attainment", "")).strip()
        if attainment not in Attainment.values:
            problems.append(f"Attainment of goal {goal_id} must be a whole number from -2 to 2.")
            continue
        cleaned.append((goal_id, attainment))
    if problems:
        raise InvalidInput(goals=problems)
    return cleaned


@transaction.atomic
def review_complete(
    *,
    actor,
    review: Review,
    held_on: date,
    measures: Iterable[dict],
    goals: Iterable[dict],
    decision: str,
    notes: str = "",
    working: str = "",
    not_working: str = "",
    close_reason: str | None = None,
) -> Review:
    """Record what was found at a review and act on the decision (continue, revise or close).

    revise opens a new draft version of the plan (support_plans.plan_revise); close closes the
    budget with the reason given ("other" if none); continue keeps the next review in the diary.
    """
    review = (
        Review.objects.select_for_update()
        .select_related("plan", "plan__budget", "person", "organisation")
        .get(pk=review.pk)
    )
    current = _plan_in_place(review)
    if current.pk != review.plan_id:
        # The plan was revised since the review was booked: the review is of the version now in place.
        review.plan = current
    # What was typed is checked first (400), then whether the review can be completed now (409).
    dates.require(held_on=dates.problems(held_on, label="Date the review was held", kind=dates.PAST))
    if decision not in ReviewDecision.values:
        raise InvalidInput(decision=[f"Choose one of: {', '.join(ReviewDecision.values)}."])
    if close_reason and close_reason not in CloseReason.values:
        raise InvalidInput(close_reason=[f"Choose one of: {', '.join(CloseReason.values)}."])
    clean_measures = _clean_measures(measures)
    clean_goals = _clean_goals(review.plan, goals)
    if review.status != ReviewStatus.SCHEDULED:
        raise Conflict(f"This review is {review.status}; it cannot be completed again.", status=review.status)
    if review.plan.budget.closed_on:
        raise Conflict("The budget of this review is closed.")

    before = snapshot(review)
    review.held_on = held_on
    review.completed_on = timezone.localdate()
    review.status = ReviewStatus.COMPLETED
    review.decision = decision
    review.notes = notes or ""
    review.working = working or ""
    review.not_working = not_working or ""
    review.stamp(actor)
    review.full_clean()
    review.save()
    for instrument, score in clean_measures:
        measure = OutcomeMeasure(
            organisation=review.organisation,
            review=review,
            person=review.person,
            instrument=instrument,
            score=score,
            recorded_on=held_on,
        )
        measure.stamp(actor)
        measure.full_clean()
        measure.save()
    for goal_id, attainment in clean_goals:
        goal_attainment = GoalAttainment(
            organisation=review.organisation, review=review, goal_id=goal_id, attainment=attainment
        )
        goal_attainment.stamp(actor)
        goal_attainment.full_clean()
        goal_attainment.save()

    scores = ", ".join(f"{i} {s.normalize():f}" for i, s in clean_measures)
    record_event(
        actor=actor,
        organisation=review.organisation,
        obj=review,
        action="review_completed",
        before=before,
        after={
            **snapshot(review),
            "measures": [{"instrument": i, "score": s} for i, s in clean_measures],
            "goals": [{"goal": g, "attainment": a} for g, a in clean_goals],
        },
        summary=(
            f"{review.get_kind_display()} held on {held_on:%-d %B %Y}: "
            f"{ReviewDecision(decision).label.lower()}" + (f" ({scores})" if scores else "")
        ),
    )

    if decision == ReviewDecision.REVISE:
        plan_services.plan_revise(actor=actor, plan=review.plan)
    if decision == ReviewDecision.CLOSE:
        plan_services.plan_close(
            actor=actor, plan=review.plan, reason=close_reason or CloseReason.OTHER, closed_on=held_on
        )
        _open_reviews(review.budget_id).update(
            status=ReviewStatus.CANCELLED, modified_at=timezone.now(), modified_by=_user(actor)
        )
    else:
        # The budget stays in place while a revision is drafted, so the cycle carries on for both.
        following = _ensure_next_review(
            actor=actor, plan=review.plan, policy=review_policy_get(review.organisation)
        )
        if following:
            record_event(
                actor=actor,
                organisation=review.organisation,
                obj=following,
                action="reviews_scheduled",
                after=snapshot(following),
                summary=f"Next review scheduled: {_describe(following)}",
            )
    return review


# --- Reminders (the daily beat job)


def review_reminders_send(*, today: date | None = None) -> int:
    """Send the reminders due today about every scheduled review; returns how many e-mails were queued.

    Before due and on the due date the plan's care coordinator is reminded; once a review is
    overdue by the policy's escalation days, the team lead(s) of the coordinator's team are told.
    Each reminder is keyed `review:<id>:<kind>` and recorded, so running the job twice sends nothing twice.
    """
    today = today or timezone.localdate()
    queued = 0
    for organisation in Organisation.objects.all():
        policy = review_policy_get(organisation)
        horizon = today + timedelta(days=policy.reminder_days_before)
        reviews = (
            Review.objects.for_org(organisation)
            .filter(
                status=ReviewStatus.SCHEDULED,
                due_on__lte=horizon,
                plan__budget__closed_on__isnull=True,
            )
            .exclude(plan__status=PlanStatus.CLOSED)
            .select_related("plan__care_coordinator", "person")
            .order_by("due_on", "id")
        )
        for review in reviews:
            for kind in schedule.reminder_due(
                review.due_on, today, policy.reminder_days_before, policy.escalate_days_after
            ):
                with transaction.atomic():
                    queued += _remind(review=review, kind=kind, today=today)
    return queued


def _remind(*, review: Review, kind: str, today: date) -> int:
    coordinator = review.plan.care_coordinator
    link = absolute_url(
        reverse("reviews:review-complete", kwargs={"org": review.organisation.code, "pk": review.pk})
    )
    person = review.person.full_name
    due = f"{review.due_on:%-d %B %Y}"
    if kind == ReminderKind.ESCALATION:
        # No team lead in the organisation at all: the PHB lead clinician hears instead.
        recipients = [user.email for user in team_leads_for(review.organisation, coordinator)] or list(
            Membership.objects.for_org(review.organisation)
            .filter(is_active=True, roles__role=Role.PHB_LEAD)
            .values_list("user__email", flat=True)
        )
        overdue = (today - review.due_on).days
        subject = f"Overdue review: {person}, {overdue} days overdue"
        who = (coordinator.get_full_name() or coordinator.username) if coordinator else "none recorded"
        body = (
            f"The {review.get_kind_display().lower()} of {person}'s personal health budget was due on "
            f"{due} and has not been held ({overdue} days overdue). Care coordinator: {who}.\n\n{link}\n"
        )
    else:
        recipients = [coordinator.email] if coordinator else []
        if not recipients:
            recipients = [user.email for user in team_leads_for(review.organisation, None)]
        when = "was due" if review.due_on < today else "is due"
        subject = f"Review {'due soon' if kind == ReminderKind.BEFORE_DUE else 'due'}: {person}, {due}"
        body = (
            f"The {review.get_kind_display().lower()} of {person}'s personal health budget {when} on {due}.\n"
            f"Record it here when it has been held:\n\n{link}\n"
        )
    return notify_once(
        organisation=review.organisation,
        key=f"review:{review.pk}:{kind}",
        recipients=recipients,
        subject=subject,
        body=body,
    )


def team_leads_for(organisation: Organisation, coordinator) -> list:
    """The team leads of the care coordinator's team; every team lead of the organisation when the
    coordinator has no team or the team has no other lead (an overdue review never goes unnoticed)."""
    leads = (
        Membership.objects.for_org(organisation)
        .filter(is_active=True, user__is_active=True, roles__role=Role.TEAM_LEAD)
        .select_related("user")
        .distinct()
    )
    team_id = (
        Membership.objects.for_org(organisation)
        .filter(user=coordinator)
        .values_list("team_id", flat=True)
        .first()
        if coordinator
        else None
    )
    everyone = [m.user for m in leads]
    in_team = [m.user for m in leads if team_id and m.team_id == team_id and m.user != coordinator]
    return in_team or [u for u in everyone if u != coordinator] or everyone


def _describe(review: Review) -> str:
    return describe(review.kind, review.due_on)


def describe(kind: str, due_on: date) -> str:
    """A review as the audit trail names it: "first review on 3 March 2027"."""
    return f"{ReviewKind(kind).label.lower()} on {due_on:%-d %B %Y}"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
