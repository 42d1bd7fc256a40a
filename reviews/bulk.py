"""Bulk writes of reviews, for an import: scheduling the reviews of many plans made active at once.

The single path is `reviews_schedule_for_plan` (services.py); this holds each plan to the same policy
and schedule (reviews/schedule.py) and leaves the same rows and audit trail in a few inserts. A budget
that already has reviews (a revision) goes through the single path, which moves them.
"""

from django.db import transaction

from phb.audit import AuditRow, record_events
from phb.bulk_insert import copy_new
from phb.models import Organisation
from support_plans.models import SupportPlan

from . import schedule
from .constants import ReviewKind
from .models import Review
from .services import _user, describe, review_policy_get, reviews_schedule_for_plan


@transaction.atomic
def reviews_schedule_bulk(*, actor, plan_ids) -> list[int]:
    """Schedule the reviews of many plans of one organisation that have just become active (their
    rows locked or created by the caller's transaction, as `plans_mark_active_bulk` and
    `plans_import_approved_bulk` do); returns the new reviews' ids."""
    # Not locked again: the publisher of PlansActivated (support_plans/bulk.py) holds these rows
    # locked, or has just created them, in the transaction this runs in.
    # Only what the schedule and the audit rows read (a budget with reviews goes through the single
    # path, which reads the rest as it needs it).
    plans = list(
        SupportPlan.objects.filter(pk__in=list(plan_ids))
        .only("organisation_id", "budget_id", "person_id", "start_date", "end_date")
        .order_by("pk")
    )
    if not plans:
        return []
    organisation = Organisation.objects.get(pk=plans[0].organisation_id)
    policy = review_policy_get(organisation)
    reviewed = set(
        Review.objects.filter(budget_id__in=[p.budget_id for p in plans])
        .exclude(kind=ReviewKind.ON_REQUEST)
        .values_list("budget_id", flat=True)
    )
    for plan in plans:
        if plan.budget_id in reviewed:
            reviews_schedule_for_plan(actor=actor, plan=plan)
    fresh = [plan for plan in plans if plan.budget_id not in reviewed]
    user_id = getattr(_user(actor), "pk", None)
    rows: list[dict] = []
    of_plan: list[tuple[SupportPlan, list[dict]]] = []
    for plan in fresh:
        due_dates = schedule.review_dates(
            plan.start_date,
            plan.end_date,
            policy.first_review_weeks,
            policy.interval_weeks,
            policy.midpoint_and_end,
        )
        reviews = [
            {
                "organisation_id": organisation.pk,
                "budget_id": plan.budget_id,
                "plan_id": plan.pk,
                "person_id": plan.person_id,
                "kind": kind,
                "due_on": due_on,
                "created_by_id": user_id,
                "modified_by_id": user_id,
            }
            for kind, due_on in due_dates
        ]
        rows += reviews
        of_plan.append((plan, reviews))
    # The kind and date come from the schedule's rules, not from anyone's typing: one review held to
    # the model's own rules stands for them all (the database's constraints behind it).
    for row in rows[:1]:
        Review(**row).validate_own_fields()
    ids = copy_new(Review, rows)
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    record_events(
        actor=actor,
        organisation=organisation,
        rows=[
            AuditRow(
                plan,
                "reviews_scheduled",
                "Reviews scheduled: " + ", ".join(describe(r["kind"], r["due_on"]) for r in reviews),
                after={
                    "reviews": [{"id": r["id"], "kind": r["kind"], "due_on": r["due_on"]} for r in reviews]
                },
            )
            for plan, reviews in of_plan
            if reviews
        ],
    )
    return ids
