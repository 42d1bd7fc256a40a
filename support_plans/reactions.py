"""What the support plans stage does when referrals act (listed in phb/flow.py): transfers hand the person over."""

from django.utils import timezone

from phb import events
from phb.exceptions import Conflict
from referrals.models import Referral

from .constants import CloseReason, PlanStatus
from .models import SupportPlan
from .services import plan_close

# A plan still being written or decided here: the person cannot be handed over in the middle of it.
IN_PROGRESS = (PlanStatus.DRAFT, PlanStatus.SUBMITTED)


def on_referral_transferred(event: events.ReferralTransferred) -> None:
    """Refuse the transfer (409) while a support plan for the person is in progress in the sender.

    The person row is locked by the transfer, so a plan opened at the same moment waits and then
    finds the transfer: of the two, exactly one goes through.
    """
    referral = Referral.objects.select_related("person").get(pk=event.referral_id)
    in_progress = (
        SupportPlan.objects.for_org(event.organisation_id)
        .filter(person_id=referral.person_id, status__in=IN_PROGRESS)
        .order_by("pk")
        .first()
    )
    if in_progress is not None:
        raise Conflict(
            f"Support plan {in_progress.pk} (version {in_progress.version}) for {referral.person.full_name} is "
            f"{in_progress.get_status_display().lower()} here; it must be decided before the person can be "
            "transferred.",
            plan=in_progress.pk,
        )


def on_referral_accepted(event: events.ReferralAccepted) -> list[SupportPlan]:
    """The receiver accepted a transfer: the sender's budgets in place for the person close as "moved"."""
    received = Referral.objects.select_related("organisation", "transferred_from__person").get(
        pk=event.referral_id
    )
    origin = received.transferred_from
    if origin is None:
        return []
    in_place = SupportPlan.objects.for_org(origin.organisation_id).filter(
        person_id=origin.person_id, status__in=(PlanStatus.APPROVED, PlanStatus.ACTIVE)
    )
    return [
        plan_close(
            actor=events.actor_of(event),
            plan=plan,
            reason=CloseReason.MOVED,
            closed_on=timezone.localdate(),
            note=f"Transferred to {received.organisation.name} ({received.organisation.code}), who accepted.",
        )
        for plan in in_place.select_related("organisation", "person").order_by("pk")
    ]
