"""Who is told when a referral is assigned, transferred, accepted or declined (listed in phb/flow.py)."""

from django.urls import reverse

from phb import events
from phb.constants import Role
from phb.notifications import holders_of, notify

from .models import Referral


def _path(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.organisation.code, referral.pk])


def _load(referral_id: int) -> Referral:
    return Referral.objects.select_related(
        "organisation", "person", "care_coordinator", "transferred_from__organisation", "transferred_to"
    ).get(pk=referral_id)


def _sender_people(origin: Referral) -> list:
    """On the sending side: who transferred the person, and the care coordinator who held them."""
    return [user for user in (origin.modified_by, origin.care_coordinator) if user is not None]


def _others(users, actor_id) -> list:
    return [user for user in users if user is not None and user.pk != actor_id]


def notify_referral_accepted(event: events.ReferralAccepted) -> int:
    """The care coordinator now holding the referral is told; for a transfer, the sender hears it was accepted."""
    referral = _load(event.referral_id)
    told = notify(
        organisation=referral.organisation,
        key=f"referral:{referral.pk}:assigned:{referral.care_coordinator_id}",
        users=_others([referral.care_coordinator], event.actor_id),
        subject=f"Referral assigned to you: {referral.person.full_name}",
        body=f"The referral for {referral.person.full_name} (received {referral.received_on:%d %B %Y}) is yours to take forward.",
        path=_path(referral),
    )
    origin = referral.transferred_from
    if origin is not None:
        told += notify(
            organisation=origin.organisation,
            key=f"transfer:{origin.pk}:accepted",
            users=_sender_people(origin),
            subject=f"Transfer accepted by {referral.organisation.name}",
            body=(
                f"{referral.organisation.name} ({referral.organisation.code}) accepted the transfer of "
                f"{origin.person.full_name}. They are now responsible for the person's budget; any budget in "
                "place here is closed as moved."
            ),
            path=_path(origin),
        )
    return told


def notify_referral_transferred(event: events.ReferralTransferred) -> int:
    """The receiver's leads are told a person is coming in; the care coordinator here, that they have gone."""
    origin = _load(event.referral_id)
    received = _load(event.received_id) if event.received_id else None
    told = 0
    if received is not None:
        receiver = received.organisation
        leads = holders_of(receiver, Role.TEAM_LEAD, Role.PHB_LEAD) or holders_of(
            receiver, Role.CARE_COORDINATOR
        )
        told += notify(
            organisation=receiver,
            key=f"transfer:{origin.pk}:in",
            users=leads,
            subject=f"Referral transferred in from {origin.organisation.name}",
            body=(
                f"{origin.organisation.name} ({origin.organisation.code}) transferred the referral of "
                f"{received.person.full_name} (received {received.received_on:%d %B %Y}) to you as the "
                f"responsible commissioner: {origin.status_reason}\nAccept or decline it."
            ),
            path=_path(received),
        )
    told += notify(
        organisation=origin.organisation,
        key=f"transfer:{origin.pk}:out",
        users=_others([origin.care_coordinator], event.actor_id),
        subject=f"Referral transferred to {origin.transferred_to.name}",
        body=(
            f"The referral of {origin.person.full_name} was transferred to {origin.transferred_to.name}: "
            f"{origin.status_reason}"
        ),
        path=_path(origin),
    )
    return told


def notify_referral_declined(event: events.ReferralDeclined) -> int:
    """A transfer declined by the receiver: the sender is told the person is theirs again."""
    referral = _load(event.referral_id)
    origin = referral.transferred_from
    if origin is None:
        return 0
    return notify(
        organisation=origin.organisation,
        key=f"transfer:{origin.pk}:declined",
        users=_sender_people(origin),
        subject=f"Transfer declined by {referral.organisation.name}",
        body=(
            f"{referral.organisation.name} ({referral.organisation.code}) declined the transfer of "
            f"{origin.person.full_name}: {referral.status_reason}\n"
            "The person is this organisation's again: you may open a referral or plan for them."
        ),
        path=_path(origin),
    )
