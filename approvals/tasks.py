"""Celery tasks of the approvals app: e-approval e-mails and the stale-approval nudge (beat)."""

from celery import shared_task

from phb.notifications import notify

from . import services
from .constants import RequestStatus
from .models import ApprovalRequest
from .selectors import approvers_for_open_slots, decision_path


def _load(request_id: int) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(pk=request_id)
        .select_related("organisation", "person", "plan", "submitted_by")
        .prefetch_related("decisions")
        .first()
    )


@shared_task(acks_late=True)
def notify_approvers(request_id: int) -> int:
    """E-mail everyone who can fill an open sign-off of a new request; sent once per person."""
    request = _load(request_id)
    if request is None or request.status != RequestStatus.PENDING:
        return 0
    return notify(
        organisation=request.organisation,
        key=f"approval:{request.pk}:open",
        users=approvers_for_open_slots(request),
        subject="A support plan is waiting for your sign-off",
        body=(
            f"{request.submitted_by.get_full_name() or request.submitted_by.username} submitted a support plan "
            f"for {request.person.full_name} ({request.measured_amount} {request.basis}, tier {request.tier}).\n\n"
            "Open it to approve, decline or return it."
        ),
        path=decision_path(request),
    )


@shared_task(acks_late=True)
def notify_outcome(request_id: int) -> int:
    """Tell the person who submitted the plan what the panel decided; sent once."""
    request = _load(request_id)
    if request is None or request.status == RequestStatus.PENDING:
        return 0
    last = max(request.decisions.all(), key=lambda decision: (decision.at, decision.pk), default=None)
    comment = f"\n\nComment: {last.comment}" if last and last.comment else ""
    return notify(
        organisation=request.organisation,
        key=f"approval:{request.pk}:outcome",
        users=[request.submitted_by],
        subject=f"Support plan for {request.person.full_name}: {request.get_status_display().lower()}",
        body=f"The support plan for {request.person.full_name} was {request.get_status_display().lower()}.{comment}",
        path=decision_path(request),
    )


@shared_task(acks_late=True)
def nudge_stale_approvals() -> int:
    """Beat job: nudge approvers of requests waiting past the organisation's limit (idempotent)."""
    return services.stale_requests_nudge()
