"""Bulk writes of support plans, for an import: many budgets brought in as approved at once, and many
approved plans made active at once.

Each plan is held to the rules of `plan_create` and `plan_import_approved` (services.py) and leaves
the same rows and audit trail, written in a few inserts per batch instead of a dozen queries a plan.
The bulk events (phb/events.py `BudgetsImported`, `PlansActivated`) let the later stages do their
part in bulk too (phb/flow.py).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phb import events
from phb.audit import AuditRow, record_events, snapshot
from phb.bulk_insert import copy_history, copy_objects
from phb.exceptions import InvalidInput
from phb.models import Organisation, Person
from phb.money import gbp
from referrals.services import check_no_standing_transfer, person_lock

from . import costs
from .constants import PlanStatus
from .models import Budget, PlanItem, SupportPlan
from .services import (
    ITEM_FIELDS,
    PLAN_FIELDS,
    _check_dates,
    _check_transition,
    _item_problems,
    approved_moment,
    category_codes,
)

BATCH_SIZE = 1000
# What a plan imported as approved changed from its draft (the audit's before of the approval).
_APPROVAL_FIELDS = ("status", "submitted_at", "decided_at", "approved_at")
# What making a plan active changes (the audit's after of the activation).
_ACTIVATION_FIELDS = ["status", "activated_at", "modified_by", "modified_at"]


def _own_fields_clean(obj) -> None:
    try:
        obj.validate_own_fields()
    except ValidationError as error:
        raise InvalidInput(**error.message_dict) from error


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def plans_import_approved_bulk(
    *, actor, organisation: Organisation, plans: list[dict], new_people: set[int] = frozenset()
) -> list[SupportPlan]:
    """Create budgets with version 1 of their plan, already approved on their `approved_on`: what
    `plan_create` then `plan_import_approved` do for each, in bulk, and publish `BudgetsImported`.

    Each dict: `person` (saved, of this organisation), `items` (as `plan_create` takes them),
    `approved_on`, and plan fields (start_date, end_date, management...), and `in_use` if money was
    paid under the budget before the import: that plan is written active at once, audited as
    `plan_activated` and published in `PlansActivated`, as `plans_mark_active_bulk` would make it
    when its opening balance is recorded, without reading the plans back and writing them twice.
    People in `new_people` (ids) were created in this transaction, so they cannot be locked
    elsewhere or transferred.
    """
    user = _user(actor)
    now = timezone.now()
    codes = category_codes(organisation)
    for person in {p["person"].pk: p["person"] for p in plans}.values():
        if person.organisation_id != organisation.pk:
            raise InvalidInput(person=["No such person in this organisation."])
        if person.pk not in new_people:
            person_lock(person)
            check_no_standing_transfer(organisation=organisation, person=person, opening="support plan")
    budgets: list[Budget] = []
    versions: list[SupportPlan] = []
    items_of: list[list[PlanItem]] = []
    for entry in plans:
        person: Person = entry["person"]
        values = {k: v for k, v in entry.items() if k in PLAN_FIELDS}
        _check_dates(values.get("start_date"), values.get("end_date"), values.get("agreed_on"))
        items = entry.get("items") or []
        too_many = costs.too_many_items(len(items))
        if too_many:
            raise InvalidInput(items=[too_many])
        problems = [
            p for n, item in enumerate(items, 1) for p in _item_problems(organisation, n, item, codes)
        ]
        if problems:
            raise InvalidInput(items=problems)
        budget = Budget(organisation=organisation, person=person)
        budget.stamp(actor)
        if not budgets:  # a new budget holds nothing typed: one held to the model's rules stands for all
            _own_fields_clean(budget)
        if values.get("care_coordinator") is None:
            values["care_coordinator"] = user
        at = approved_moment(entry["approved_on"])
        plan = SupportPlan(
            organisation=organisation,
            person=person,
            version=1,
            status=PlanStatus.APPROVED,
            submitted_at=at,
            decided_at=at,
            approved_at=at,
            **values,
        )
        if entry.get("in_use"):
            _check_transition(plan, PlanStatus.ACTIVE, "made active")
            plan.status, plan.activated_at = PlanStatus.ACTIVE, now
        plan.stamp(actor)
        rows = []
        for position, item in enumerate(items):
            fields = {k: v for k, v in item.items() if k in ITEM_FIELDS}
            if fields.get("supplier") is not None and not fields.get("supplier_name"):
                fields["supplier_name"] = fields["supplier"].name
            row = PlanItem(organisation=organisation, position=position, **fields)
            row.stamp(actor)
            _own_fields_clean(row)
            rows.append(row)
        result = costs.plan_costs(plan.start_date, plan.end_date, rows)
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
        _own_fields_clean(plan)
        budgets.append(budget)
        versions.append(plan)
        items_of.append(rows)
    copy_objects(budgets)
    for budget, plan in zip(budgets, versions, strict=True):
        plan.budget = budget
    copy_objects(versions)
    copy_history(versions, user=user)
    for plan, rows in zip(versions, items_of, strict=True):
        for row in rows:
            row.plan = plan
    copy_objects([row for rows in items_of for row in rows])
    audit = []
    in_use = []
    for plan, entry in zip(versions, plans, strict=True):
        written = snapshot(plan)
        approved = {**written, "status": PlanStatus.APPROVED, "activated_at": None}
        draft = {**approved, "status": PlanStatus.DRAFT, **dict.fromkeys(_APPROVAL_FIELDS[1:])}
        audit.append(
            AuditRow(
                plan,
                "plan_created",
                f"Support plan drafted (budget {plan.budget_id}, version 1): {gbp(plan.cost_total)} in total",
                after=draft,
            )
        )
        audit.append(
            AuditRow(
                plan,
                "plan_imported_approved",
                f"Support plan imported as approved on {entry['approved_on']:%d %B %Y}: {gbp(plan.cost_total)}",
                before=draft,
                after=approved,
            )
        )
        if plan.status == PlanStatus.ACTIVE:
            in_use.append((plan, approved, written))
    record_events(actor=actor, organisation=organisation, rows=audit)
    if versions:
        events.publish(
            events.BudgetsImported(
                organisation_id=organisation.pk,
                actor_id=events.actor_id_of(actor),
                plan_ids=tuple(plan.pk for plan in versions),
                schedule_from=timezone.localdate(),
            )
        )
    if in_use:
        _announce_active(actor, organisation, in_use, now)
    return versions


@transaction.atomic
def plans_mark_active_bulk(*, actor, plan_ids: list[int], at: datetime) -> list[SupportPlan]:
    """`plan_mark_active` for many plans of one organisation: the approved ones become active (an
    active one is left as it is), each audited, and `PlansActivated` is published once for them."""
    locked = list(
        SupportPlan.objects.select_for_update()
        .filter(pk__in=plan_ids, status=PlanStatus.APPROVED)
        .order_by("pk")
    )
    if not locked:
        return []
    organisation = Organisation.objects.get(pk=locked[0].organisation_id)
    user, now = _user(actor), timezone.now()
    changes = []
    for plan in locked:
        if plan.organisation_id != organisation.pk:
            raise InvalidInput(plan=["Plans of one organisation at a time."])
        _check_transition(plan, PlanStatus.ACTIVE, "made active")
        before = snapshot(plan)
        plan.status, plan.activated_at = PlanStatus.ACTIVE, at
        plan.modified_by, plan.modified_at = user, now
        # The four fields just set, over the rest as they were (one snapshot a plan, not two).
        changes.append((plan, before, {**before, **snapshot(plan, _ACTIVATION_FIELDS)}))
    # The same change for every one: one UPDATE, and their history rows in one insert.
    SupportPlan.objects.filter(pk__in=[plan.pk for plan in locked]).update(
        status=PlanStatus.ACTIVE, activated_at=at, modified_by=user, modified_at=now
    )
    copy_history(locked, user=user, history_type="~")
    _announce_active(actor, organisation, changes, at)
    return locked


def _announce_active(actor, organisation: Organisation, changes: list[tuple], at: datetime) -> None:
    """Audit each plan just made active ((plan, before, after) of each) and publish `PlansActivated`
    once for them all (the reviews are scheduled by its reaction, phb/flow.py)."""
    record_events(
        actor=actor,
        organisation=organisation,
        rows=[
            AuditRow(
                plan,
                "plan_activated",
                f"Personal health budget in use (support plan version {plan.version})",
                before=before,
                after=after,
            )
            for plan, before, after in changes
        ],
    )
    events.publish(
        events.PlansActivated(
            organisation_id=organisation.pk,
            actor_id=events.actor_id_of(actor),
            plan_ids=tuple(plan.pk for plan, _, _ in changes),
            at=at,
        )
    )
