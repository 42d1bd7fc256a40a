"""Writes of the budget holder's own view: asking for a review, and a receipt for a direct payment."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from payments.models import LedgerEntry
from payments.receipts import check_receipt, stored_name
from phb.audit import record_event
from phb.exceptions import Conflict, InvalidInput
from phb.models import Invitation
from reviews import services as review_services
from reviews.constants import ReviewKind, ReviewStatus
from reviews.models import Review
from support_plans.models import Budget

from . import selectors

# A review asked for by the person is booked within two weeks (the care coordinator may move it).
REQUESTED_REVIEW_WITHIN_DAYS = 14
REASON_LIMIT = 2000


def _who(actor, budget: Budget) -> str:
    """How the asker appears to staff: their account, and as whom they hold the budget."""
    invitation = (
        Invitation.objects.filter(accepted_by=actor, person_id=budget.person_id)
        .order_by("-accepted_at")
        .first()
    )
    relation = (
        invitation.get_acting_as_display().lower() if invitation and invitation.acting_as else "budget holder"
    )
    return f"{actor.username} ({relation}, online)"[:200]


@transaction.atomic
def holder_review_request(*, actor, budget: Budget, reason: str) -> Review:
    """The budget holder asks for a review: an `on_request` review is booked and the care
    coordinator is told (reviews.services.review_request)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(reason=["Tell us why you would like a review."])
    if len(reason) > REASON_LIMIT:
        raise InvalidInput(reason=[f"Use {REASON_LIMIT} characters or fewer."])
    plan = selectors.plan_shown(budget)
    if plan is None or plan.status not in review_services.REVIEWABLE_PLAN_STATUSES:
        raise Conflict("You can ask for a review once your plan has been approved.")
    already = (
        Review.objects.filter(budget=budget, kind=ReviewKind.ON_REQUEST, status=ReviewStatus.SCHEDULED)
        .order_by("due_on")
        .first()
    )
    if already is not None:
        raise Conflict(f"You have already asked for a review. It is booked for {already.due_on:%-d %B %Y}.")
    return review_services.review_request(
        actor=actor,
        plan=plan,
        due_on=timezone.localdate() + timedelta(days=REQUESTED_REVIEW_WITHIN_DAYS),
        requested_by=_who(actor, budget),
        reason=reason,
    )


@transaction.atomic
def holder_receipt_attach(*, actor, budget: Budget, entry: LedgerEntry, receipt) -> LedgerEntry:
    """A direct payment holder adds the receipt for a payment (checked as staff uploads are)."""
    plan = selectors.plan_shown(budget)
    if not selectors.is_direct_payment(plan):
        raise Conflict(
            "Receipts are kept by people with a direct payment. Your budget is not a direct payment."
        )
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.receipt:
        raise Conflict("This payment already has a receipt.")
    content_type = check_receipt(receipt)
    entry.receipt_content_type = content_type
    entry.receipt.save(stored_name(content_type), receipt, save=False)
    entry.stamp(actor)
    entry.save(update_fields=["receipt", "receipt_content_type", "modified_at", "modified_by"])
    record_event(
        actor=actor,
        organisation=entry.organisation,
        obj=entry,
        action="receipt_added",
        after={"receipt_content_type": content_type},
        person=budget.person,
        summary=f"Receipt added by the budget holder for the payment of {entry.entry_date:%-d %B %Y}",
    )
    return entry
