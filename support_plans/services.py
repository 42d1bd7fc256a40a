"""Every write of support plans: budgets, plan versions and their states, suppliers, fast-track offers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phb import dates, events
from phb.audit import changes_together, record_event, snapshot
from phb.exceptions import Conflict, InvalidInput, TransitionNotAllowed
from phb.models import Organisation, Person
from phb.money import gbp
from referrals.services import check_no_standing_transfer, person_lock

from . import allocation_services, costs
from .constants import PLAN_TRANSITIONS, CloseReason, Frequency, PlanStatus, SpendCategory
from .models import (
    Budget,
    FastTrackOffer,
    OrganisationSpendCategory,
    PlanGoal,
    PlanItem,
    PlanRisk,
    Supplier,
    SupportPlan,
)

# Plain fields of a plan version a care coordinator writes (goals, items and risks are child rows).
PLAN_FIELDS = (
    "start_date",
    "end_date",
    "management",
    "care_coordinator",
    "funded_nhs",
    "funded_social_care",
    "funded_education",
    "funding_nhs",
    "funding_social_care",
    "funding_education",
    "contingency",
    "contacts",
    "agreed_on",
    "agreed_by",
    "agreed_by_name",
)
GOAL_FIELDS = ("description", "how_budget_helps")
ITEM_FIELDS = (
    "description",
    "category",
    "supplier",
    "supplier_name",
    "amount",
    "frequency",
    "start_date",
    "end_date",
    "payment_method",
)
RISK_FIELDS = ("risk", "mitigation")


# --- Helpers


def _lock(plan: SupportPlan) -> SupportPlan:
    """The plan row, locked; its organisation and person (read, not locked) come along for the audit."""
    return (
        SupportPlan.objects.select_for_update(of=("self",))
        .select_related("organisation", "person")
        .get(pk=plan.pk, organisation_id=plan.organisation_id)
    )


def _check_transition(plan: SupportPlan, to: str, doing: str) -> None:
    if to not in PLAN_TRANSITIONS.get(PlanStatus(plan.status), set()):
        raise TransitionNotAllowed(
            f"This plan is {plan.get_status_display().lower()} ({plan.status}), so it cannot be {doing}.",
            status=plan.status,
        )


def _refresh_from(target: SupportPlan, locked: SupportPlan) -> None:
    """Let the caller's object see what the service wrote."""
    target.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})


def category_codes(organisation: Organisation) -> set[str]:
    """The national spend categories plus the organisation's own."""
    own = OrganisationSpendCategory.objects.for_org(organisation).values_list("code", flat=True)
    return set(SpendCategory.values) | set(own)


def _clean(obj, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidInput(**error.message_dict) from error


def _check_dates(start: date | None, end: date | None, agreed_on: date | None = None) -> None:
    """The plan's own dates, by the kernel's rules: real days, at most five years, agreed by today."""
    dates.require(
        start_date=dates.problems(start, label="The plan's start date"),
        end_date=dates.problems(end, label="The plan's end date") or dates.period_problems(start, end),
        agreed_on=dates.problems(agreed_on, label="Date agreed", kind=dates.PAST),
    )


def _item_problems(organisation: Organisation, number: int, item: dict, codes: set[str]) -> list[str]:
    problems = []
    if item.get("category") not in codes:
        problems.append(f"Item {number}: unknown spend category {item.get('category')!r}.")
    amount = item.get("amount")
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        problems.append(f"Item {number}: the amount must be more than £0 with at most two decimal places.")
    elif amount > costs.MAX_ITEM_AMOUNT:
        problems.append(f"Item {number}: the amount must be {gbp(costs.MAX_ITEM_AMOUNT)} or less.")
    if item.get("frequency") not in Frequency.values:
        problems.append(f"Item {number}: unknown frequency {item.get('frequency')!r}.")
    supplier = item.get("supplier")
    if supplier is not None and supplier.organisation_id != organisation.pk:
        problems.append(f"Item {number}: no such supplier in this organisation.")
    for name, label in (("start_date", "start date"), ("end_date", "end date")):
        value = item.get(name)
        problems += [f"Item {number}: {m}" for m in dates.problems(value, label=f"its {label}")]
    problems += [
        f"Item {number}: {m[:1].lower()}{m[1:]}"
        for m in dates.period_problems(
            item.get("start_date"), item.get("end_date"), noun="item", max_years=None
        )
    ]
    return problems


def _replace_children(actor, plan: SupportPlan, goals=None, items=None, risks=None) -> None:
    """Replace the goals, items or risks given (None leaves them as they are)."""
    organisation = plan.organisation
    if goals is not None:
        plan.goals.all().delete()
        for position, goal in enumerate(goals):
            row = PlanGoal(
                organisation=organisation,
                plan=plan,
                position=position,
                **{k: v for k, v in goal.items() if k in GOAL_FIELDS},
            )
            row.stamp(actor)
            _clean(row, exclude=["plan"])
            row.save()
    if items is not None:
        too_many = costs.too_many_items(len(items))
        if too_many:
            raise InvalidInput(items=[too_many])
        codes = category_codes(organisation)
        problems = [
            p for n, item in enumerate(items, 1) for p in _item_problems(organisation, n, item, codes)
        ]
        if problems:
            raise InvalidInput(items=problems)
        plan.items.all().delete()
        for position, item in enumerate(items):
            values = {k: v for k, v in item.items() if k in ITEM_FIELDS}
            if values.get("supplier") is not None and not values.get("supplier_name"):
                values["supplier_name"] = values["supplier"].name
            row = PlanItem(organisation=organisation, plan=plan, position=position, **values)
            row.stamp(actor)
            _clean(row, exclude=["plan", "supplier"])
            row.save()
    if risks is not None:
        plan.risks.all().delete()
        for risk in risks:
            row = PlanRisk(
                organisation=organisation, plan=plan, **{k: v for k, v in risk.items() if k in RISK_FIELDS}
            )
            row.stamp(actor)
            _clean(row, exclude=["plan"])
            row.save()


def _store_costs(plan: SupportPlan) -> None:
    """Costs are stored on the version (reports read them); the rule lives in costs.py. Measures too
    large for their column are a 400 naming the items, before they reach the database (the caller's
    transaction then stores nothing).

    The funding split is checked against the new total here, so any change of items or amounts that
    leaves the split not adding up is refused (400) and the transaction stores nothing.
    """
    result = costs.plan_costs(plan.start_date, plan.end_date, list(plan.items.all()))
    problems = costs.unrecordable(result)
    if problems:
        raise InvalidInput(items=problems)
    plan.cost_total, plan.cost_weekly, plan.cost_annual = result.total, result.weekly, result.annual
    problem = costs.funding_split_problem(
        plan.cost_total,
        {stream: getattr(plan, f"funded_{stream}") for stream in costs.STREAMS},
        {stream: getattr(plan, f"funding_{stream}") for stream in costs.STREAMS},
    )
    if problem:
        raise InvalidInput(funding=[problem])
    plan.save(update_fields=["cost_total", "cost_weekly", "cost_annual", "modified_at"])
    allocation_services.indicative_store(plan)


# --- Plans


@transaction.atomic
def plan_create(
    *,
    actor,
    organisation: Organisation,
    person: Person,
    referral=None,
    goals: list[dict] | None = None,
    items: list[dict] | None = None,
    risks: list[dict] | None = None,
    **fields,
) -> SupportPlan:
    """A new personal health budget for the person, with version 1 of its support plan (a draft)."""
    if person.organisation_id != organisation.pk:
        raise InvalidInput(person=["No such person in this organisation."])
    if referral is not None and (
        referral.organisation_id != organisation.pk or referral.person_id != person.pk
    ):
        raise InvalidInput(referral=["No such referral for this person in this organisation."])
    _check_dates(fields.get("start_date"), fields.get("end_date"), fields.get("agreed_on"))
    person_lock(person)
    check_no_standing_transfer(organisation=organisation, person=person, opening="support plan")
    budget = Budget(organisation=organisation, person=person, referral=referral)
    budget.stamp(actor)
    _clean(budget)
    budget.save()
    values = {k: v for k, v in fields.items() if k in PLAN_FIELDS}
    if values.get("care_coordinator") is None:
        values["care_coordinator"] = (
            referral.care_coordinator if referral is not None and referral.care_coordinator_id else None
        ) or (actor if getattr(actor, "is_authenticated", False) else None)
    plan = SupportPlan(
        organisation=organisation, budget=budget, person=person, referral=referral, version=1, **values
    )
    allocation_services.answers_attach(plan, fields.get("allocation_answers"))
    plan.stamp(actor)
    _clean(plan, exclude=["budget"])
    plan.save()
    _replace_children(actor, plan, goals=goals or [], items=items or [], risks=risks or [])
    _store_costs(plan)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=plan,
        action="plan_created",
        after=snapshot(plan),
        summary=f"Support plan drafted (budget {budget.pk}, version 1): {gbp(plan.cost_total)} in total",
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: SupportPlan,
    goals: list[dict] | None = None,
    items: list[dict] | None = None,
    risks: list[dict] | None = None,
    **fields,
) -> SupportPlan:
    """Change a draft: its fields, and its goals, items or risks (each replaced when given)."""
    locked = _lock(plan)
    if locked.status != PlanStatus.DRAFT:
        raise TransitionNotAllowed(
            f"This plan is {locked.get_status_display().lower()} ({locked.status}); only a draft can be changed.",
            status=locked.status,
        )
    before = snapshot(locked)
    for name, value in fields.items():
        if name in PLAN_FIELDS:
            setattr(locked, name, value)
    if "allocation_answers" in fields:  # given: answered afresh (or skipped); left out: kept
        allocation_services.answers_attach(locked, fields["allocation_answers"])
    _check_dates(locked.start_date, locked.end_date, locked.agreed_on)
    locked.stamp(actor)
    _clean(locked)
    locked.save()
    _replace_children(actor, locked, goals=goals, items=items, risks=risks)
    _store_costs(locked)
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="plan_updated",
        before=before,
        after=snapshot(locked),
        summary=f"Draft support plan (version {locked.version}) changed: {gbp(locked.cost_total)} in total",
    )
    _refresh_from(plan, locked)
    return locked


@transaction.atomic
@changes_together()  # the plan submitted and its approval request opened: one recount
def plan_submit(*, actor, plan: SupportPlan):
    """Submit a draft for sign-off; approvals opens the request under the policy in force."""
    locked = _lock(plan)
    _check_transition(locked, PlanStatus.SUBMITTED, "submitted")
    if locked.budget.closed_on:
        raise TransitionNotAllowed("This budget is closed, so its plan cannot be submitted.", status="closed")
    problems = {}
    if not locked.goals.exists():
        problems["goals"] = ["Add at least one goal before submitting the plan."]
    if not locked.items.exists():
        problems["items"] = ["Add at least one item the budget pays for before submitting the plan."]
    if problems:
        raise InvalidInput("The plan is not complete.", **problems)
    before = snapshot(locked)
    _store_costs(locked)
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.return_comment = ""
    locked.stamp(actor)
    locked.save()
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="plan_submitted",
        before=before,
        after=snapshot(locked),
        summary=f"Support plan (version {locked.version}) submitted for sign-off: {gbp(locked.cost_total)}",
    )
    opened = events.publish(
        events.PlanSubmitted(
            organisation_id=locked.organisation_id, actor_id=events.actor_id_of(actor), plan_id=locked.pk
        )
    )
    _refresh_from(plan, locked)
    # What the reactions opened for it (the approval request), for the caller to show.
    return next((thing for thing in opened if thing is not None), None)


def _set_status(
    actor, locked: SupportPlan, to: str, doing: str, action: str, summary: str, **changes
) -> None:
    _check_transition(locked, to, doing)
    before = snapshot(locked)
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.stamp(actor)
    locked.save()
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action=action,
        before=before,
        after=snapshot(locked),
        summary=summary,
    )


@transaction.atomic
def plan_mark_approved(*, actor, plan: SupportPlan, at: datetime) -> SupportPlan:
    """The last sign-off landed: approve this version, supersede the one it replaces, size the account."""
    locked = _lock(plan)
    _set_status(
        actor,
        locked,
        PlanStatus.APPROVED,
        "approved",
        "plan_approved",
        f"Support plan (version {locked.version}) approved: {gbp(locked.cost_total)}",
        approved_at=at,
        decided_at=at,
    )
    replaced = (
        SupportPlan.objects.select_for_update()
        .filter(budget_id=locked.budget_id, status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE])
        .exclude(pk=locked.pk)
    )
    was_active = False
    for previous in replaced:
        was_active = was_active or previous.status == PlanStatus.ACTIVE
        _set_status(
            actor,
            previous,
            PlanStatus.SUPERSEDED,
            "replaced",
            "plan_superseded",
            f"Support plan version {previous.version} replaced by version {locked.version}",
            superseded_at=at,
        )
    if was_active:
        # A revision of a budget already in use carries on at once: no new first payment to wait for.
        _set_status(
            actor,
            locked,
            PlanStatus.ACTIVE,
            "made active",
            "plan_activated",
            f"Support plan (version {locked.version}) in use from now",
            activated_at=at,
        )
    events.publish(
        events.PlanApproved(
            organisation_id=locked.organisation_id,
            actor_id=events.actor_id_of(actor),
            plan_id=locked.pk,
            at=at,
            continues_active=was_active,
        )
    )
    _refresh_from(plan, locked)
    return locked


def approved_moment(approved_on: date) -> datetime:
    """When a plan approved before the import counts as approved: midday of its approval date."""
    return timezone.make_aware(datetime.combine(approved_on, datetime.min.time().replace(hour=12)))


@transaction.atomic
def plan_import_approved(*, actor, plan: SupportPlan, approved_on: date) -> SupportPlan:
    """A budget brought in from the organisation's spreadsheets was approved before this system:
    the draft just created by the import becomes approved on that date, without a sign-off here.

    Only the import calls this (imports/services.py); every other plan is approved by its sign-offs.
    """
    locked = _lock(plan)
    if locked.status != PlanStatus.DRAFT or locked.version != 1:
        raise TransitionNotAllowed(
            "Only a new imported plan can be recorded as approved before the import.", status=locked.status
        )
    at = approved_moment(approved_on)
    before = snapshot(locked)
    locked.status = PlanStatus.APPROVED
    locked.submitted_at = locked.decided_at = locked.approved_at = at
    locked.stamp(actor)
    locked.save()
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="plan_imported_approved",
        before=before,
        after=snapshot(locked),
        summary=f"Support plan imported as approved on {approved_on:%d %B %Y}: {gbp(locked.cost_total)}",
    )
    events.publish(
        events.PlanApproved(
            organisation_id=locked.organisation_id,
            actor_id=events.actor_id_of(actor),
            plan_id=locked.pk,
            at=at,
            continues_active=False,
            schedule_from=timezone.localdate(),
        )
    )
    _refresh_from(plan, locked)
    return locked


@transaction.atomic
def plan_mark_declined(*, actor, plan: SupportPlan, at: datetime) -> SupportPlan:
    locked = _lock(plan)
    _set_status(
        actor,
        locked,
        PlanStatus.DECLINED,
        "declined",
        "plan_declined",
        f"Support plan (version {locked.version}) was not approved",
        decided_at=at,
    )
    _refresh_from(plan, locked)
    return locked


@transaction.atomic
def plan_mark_returned(*, actor, plan: SupportPlan, comment: str, at: datetime) -> SupportPlan:
    """A `return` decision: the plan goes back to draft with the comment, to be changed and resubmitted."""
    locked = _lock(plan)
    _set_status(
        actor,
        locked,
        PlanStatus.DRAFT,
        "returned",
        "plan_returned",
        f"Support plan (version {locked.version}) returned for changes",
        decided_at=at,
        return_comment=(comment or "")[:2000],
    )
    _refresh_from(plan, locked)
    return locked


@transaction.atomic
def plan_mark_active(*, actor, plan: SupportPlan, at: datetime) -> SupportPlan:
    """First release of funds or first payment: the budget is in use; reviews are scheduled.

    Called by payments on every release or payment it records, so an active plan is left as it is.
    """
    locked = _lock(plan)
    if locked.status == PlanStatus.ACTIVE:
        return locked
    _set_status(
        actor,
        locked,
        PlanStatus.ACTIVE,
        "made active",
        "plan_activated",
        f"Personal health budget in use (support plan version {locked.version})",
        activated_at=at,
    )
    events.publish(
        events.PlanActivated(
            organisation_id=locked.organisation_id,
            actor_id=events.actor_id_of(actor),
            plan_id=locked.pk,
            at=at,
        )
    )
    _refresh_from(plan, locked)
    return locked


@transaction.atomic
def plan_revise(*, actor, plan: SupportPlan) -> SupportPlan:
    """A new draft version of an active plan, same budget, goals/items/risks copied; the old stays readable."""
    person_lock(plan.person)
    check_no_standing_transfer(organisation=plan.organisation, person=plan.person, opening="plan version")
    locked = _lock(plan)
    if locked.status != PlanStatus.ACTIVE:
        raise TransitionNotAllowed(
            f"This plan is {locked.get_status_display().lower()} ({locked.status}); only an active plan can be revised.",
            status=locked.status,
        )
    versions = SupportPlan.objects.select_for_update().filter(budget_id=locked.budget_id).order_by("-version")
    latest = versions.first()
    if latest.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
        raise Conflict(
            f"Version {latest.version} of this plan is already being revised ({latest.status}).",
            status=locked.status,
        )
    revision = SupportPlan(
        organisation=locked.organisation,
        budget=locked.budget,
        person=locked.person,
        referral=locked.referral,
        version=latest.version + 1,
        previous_version=latest,
        # The answers go with the plan; the revision keeps the questionnaire version they were given under.
        allocation_questionnaire=locked.allocation_questionnaire,
        allocation_answers=locked.allocation_answers,
        **{name: getattr(locked, name) for name in PLAN_FIELDS},
    )
    revision.stamp(actor)
    _clean(revision)
    revision.save()
    _replace_children(
        actor,
        revision,
        goals=[{k: getattr(g, k) for k in GOAL_FIELDS} for g in locked.goals.all()],
        items=[{k: getattr(i, k) for k in ITEM_FIELDS} for i in locked.items.select_related("supplier")],
        risks=[{k: getattr(r, k) for k in RISK_FIELDS} for r in locked.risks.all()],
    )
    _store_costs(revision)
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=revision,
        action="plan_revised",
        after=snapshot(revision),
        summary=f"Support plan revision started (version {revision.version}, from version {locked.version})",
    )
    return revision


@transaction.atomic
def plan_close(*, actor, plan: SupportPlan, reason: str, closed_on: date, note: str = "") -> SupportPlan:
    """Close the budget: the plan version is closed, the budget records why and when; instalments stop."""
    if reason not in CloseReason.values:
        raise InvalidInput(reason=[f"Unknown reason {reason!r}. Use one of {', '.join(CloseReason.values)}."])
    if not isinstance(closed_on, date):
        raise InvalidInput(closed_on=["Enter the date the budget closed, as YYYY-MM-DD."])
    dates.require(closed_on=dates.problems(closed_on, label="Date closed"))
    locked = _lock(plan)
    _check_transition(locked, PlanStatus.CLOSED, "closed")
    _set_status(
        actor,
        locked,
        PlanStatus.CLOSED,
        "closed",
        "plan_closed",
        f"Personal health budget closed on {closed_on:%d %B %Y}: {CloseReason(reason).label.lower()}",
        closed_at=timezone.now(),
    )
    budget = Budget.objects.select_for_update().get(pk=locked.budget_id)
    budget.closed_on = closed_on
    budget.close_reason = reason
    budget.close_note = note or ""
    budget.stamp(actor)
    _clean(budget)
    budget.save()
    events.publish(
        events.PlanClosed(
            organisation_id=locked.organisation_id,
            actor_id=events.actor_id_of(actor),
            plan_id=locked.pk,
            budget_id=budget.pk,
            closed_on=closed_on,
        )
    )
    _refresh_from(plan, locked)
    return locked


# --- Suppliers and fast-track offers


@transaction.atomic
def supplier_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    service: str = "",
    category: str = "",
    contact: str = "",
    typical_amount: Decimal | None = None,
    typical_frequency: str = "",
) -> Supplier:
    """Add a supplier or service to the organisation's directory."""
    if category and category not in category_codes(organisation):
        raise InvalidInput(category=[f"Unknown spend category {category!r}."])
    if (
        Supplier.objects.for_org(organisation)
        .filter(name__iexact=name.strip(), service__iexact=service.strip())
        .exists()
    ):
        raise InvalidInput(name=["This supplier and service are already in the directory."])
    supplier = Supplier(
        organisation=organisation,
        name=name.strip(),
        service=service.strip(),
        category=category,
        contact=contact,
        typical_amount=typical_amount,
        typical_frequency=typical_frequency or "",
    )
    supplier.stamp(actor)
    _clean(supplier)
    supplier.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=supplier,
        action="supplier_created",
        after=snapshot(supplier),
        summary=f"Supplier {supplier} added to the directory",
    )
    return supplier


@transaction.atomic
def fast_track_offer_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    description: str,
    category: str,
    amount: Decimal,
    frequency: str = Frequency.ONE_OFF,
    supplier: Supplier | None = None,
    payment_method: str = "",
) -> FastTrackOffer:
    """A preset offer (a phone and SIM, say) that a care coordinator adds to a plan in one step."""
    if category not in category_codes(organisation):
        raise InvalidInput(category=[f"Unknown spend category {category!r}."])
    if supplier is not None and supplier.organisation_id != organisation.pk:
        raise InvalidInput(supplier=["No such supplier in this organisation."])
    offer = FastTrackOffer(
        organisation=organisation,
        name=name,
        description=description,
        category=category,
        amount=amount,
        frequency=frequency,
        supplier=supplier,
        payment_method=payment_method or "",
    )
    offer.stamp(actor)
    _clean(offer)
    offer.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=offer,
        action="fast_track_offer_created",
        after=snapshot(offer),
        summary=f"Fast-track offer {offer.name} ({gbp(offer.amount)}) set up",
    )
    return offer


SUPPLIER_FIELDS = (
    "name",
    "service",
    "category",
    "contact",
    "typical_amount",
    "typical_frequency",
    "is_active",
)
OFFER_FIELDS = (
    "name",
    "description",
    "category",
    "amount",
    "frequency",
    "supplier",
    "payment_method",
    "is_active",
)


def _change(actor, thing, fields: tuple[str, ...], changes: dict, action: str, what: str) -> bool:
    """Lock the row, apply the changes named in `fields`, audit before and after; False if nothing changed."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise InvalidInput(**{name: ["This cannot be changed."] for name in sorted(unknown)})
    locked = type(thing).objects.select_for_update().get(pk=thing.pk)
    before = snapshot(locked)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(locked, name, value := changes[name])
        setattr(thing, name, value)
    locked.stamp(actor)
    _clean(locked)
    locked.save()
    retired = "is_active" in changed and not locked.is_active
    restored = "is_active" in changed and locked.is_active
    summary = f"{what} {locked} " + ("retired" if retired else "brought back" if restored else "changed")
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action=action,
        before=before,
        after=snapshot(locked),
        summary=summary,
    )
    return True


@transaction.atomic
def supplier_update(*, actor, supplier: Supplier, **changes) -> Supplier:
    """Change a supplier in the directory, or retire it (`is_active=False`): a retired supplier leaves
    the pickers and search used for planning but stays on the plans that used it."""
    organisation = supplier.organisation
    for name in ("name", "service"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if not changes.get("name", supplier.name):
        raise InvalidInput(name=["Enter the supplier's name."])
    if changes.get("category") and changes["category"] not in category_codes(organisation):
        raise InvalidInput(category=[f"Unknown spend category {changes['category']!r}."])
    name, service = changes.get("name", supplier.name), changes.get("service", supplier.service)
    if (
        Supplier.objects.for_org(organisation)
        .filter(name__iexact=name, service__iexact=service)
        .exclude(pk=supplier.pk)
        .exists()
    ):
        raise InvalidInput(name=["This supplier and service are already in the directory."])
    _change(actor, supplier, SUPPLIER_FIELDS, changes, "supplier_changed", "Supplier")
    return supplier


@transaction.atomic
def fast_track_offer_update(*, actor, offer: FastTrackOffer, **changes) -> FastTrackOffer:
    """Change a fast-track offer, or retire it (`is_active=False`) when it ends; plans keep their items."""
    organisation = offer.organisation
    if "category" in changes and changes["category"] not in category_codes(organisation):
        raise InvalidInput(category=[f"Unknown spend category {changes['category']!r}."])
    supplier = changes.get("supplier")
    if supplier is not None and supplier.organisation_id != organisation.pk:
        raise InvalidInput(supplier=["No such supplier in this organisation."])
    _change(actor, offer, OFFER_FIELDS, changes, "fast_track_offer_changed", "Fast-track offer")
    return offer


@transaction.atomic
def plan_add_fast_track_offer(*, actor, plan: SupportPlan, offer: FastTrackOffer) -> SupportPlan:
    """Add a preset offer to a draft plan as one item, in one step."""
    locked = _lock(plan)
    if locked.status != PlanStatus.DRAFT:
        raise TransitionNotAllowed(
            f"This plan is {locked.get_status_display().lower()} ({locked.status}); offers are added to drafts only.",
            status=locked.status,
        )
    if offer.organisation_id != locked.organisation_id or not offer.is_active:
        raise InvalidInput(offer=["No such fast-track offer in this organisation."])
    too_many = costs.too_many_items(locked.items.count() + 1)
    if too_many:
        raise InvalidInput(items=[too_many])
    item = PlanItem(
        organisation=locked.organisation,
        plan=locked,
        position=locked.items.count(),
        description=offer.description or offer.name,
        category=offer.category,
        supplier=offer.supplier,
        supplier_name=offer.supplier.name if offer.supplier else "",
        amount=offer.amount,
        frequency=offer.frequency,
        payment_method=offer.payment_method,
    )
    item.stamp(actor)
    _clean(item, exclude=["plan", "supplier"])
    item.save()
    _store_costs(locked)
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="plan_fast_track_added",
        after={"item": item.pk, "offer": offer.pk, "cost_total": locked.cost_total},
        summary=f"Fast-track offer added to the support plan: {offer.name} ({gbp(offer.amount)})",
    )
    _refresh_from(plan, locked)
    return locked
