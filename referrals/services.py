"""Every write of the referrals app: taking referrals in, deciding on them, and the conversations."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from phb import dates, events
from phb import services as kernel_services
from phb.audit import record_event, snapshot
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, TransitionNotAllowed
from phb.models import Membership, Organisation, Person

from .constants import (
    REFERRAL_TRANSITIONS,
    ConversationMode,
    Participant,
    ReferralSource,
    ReferralStatus,
)
from .models import Conversation, Referral
from .selectors import standing_transfer

MAX_GOALS = 20
MAX_GOAL_LENGTH = 1000
MAX_REASON_LENGTH = 2000
MAX_REFERRAL_NOTES = 5000
MAX_CONVERSATION_NOTES = 10000
PERSON_NOT_HERE = "Choose a person recorded in this organisation."


def _locked(referral: Referral) -> Referral:
    """The referral re-read under a row lock, so two decisions on it cannot interleave."""
    return Referral.objects.select_for_update().get(pk=referral.pk, organisation_id=referral.organisation_id)


def _check_transition(referral: Referral, to: str, doing: str) -> None:
    if to not in REFERRAL_TRANSITIONS.get(referral.status, set()):
        raise TransitionNotAllowed(
            f"This referral is {referral.get_status_display().lower()}, so it cannot be {doing}.",
            status=referral.status,
        )


def person_lock(person: Person) -> Person:
    """The person's row, locked: opening a referral or plan and transferring them queue on it.

    One responsible commissioner at a time: a transfer and a new referral or plan for the same person
    in the sending organisation cannot both go through when they race.
    """
    return Person.objects.select_for_update().get(pk=person.pk, organisation_id=person.organisation_id)


def check_no_standing_transfer(*, organisation: Organisation, person: Person, opening: str) -> None:
    """Refuse (409) to open work for a person this organisation has transferred, until the receiver declines."""
    transfer = standing_transfer(organisation=organisation, person=person)
    if transfer is None:
        return
    receiver = transfer.transferred_to
    raise Conflict(
        f"{person.full_name} was transferred to {receiver.name} ({receiver.code}) on "
        f"{transfer.closed_at:%d %B %Y} (referral {transfer.pk}), so this organisation cannot open a new "
        f"{opening} for them unless {receiver.name} declines the transfer.",
        transfer=transfer.pk,
        transferred_to=receiver.code,
    )


def _text(value: str, field: str, limit: int) -> str:
    # A TextField's max_length is not checked by full_clean(), so the service checks it.
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(**{field: [f"Keep this to {limit} characters or fewer."]})
    return text


def _reason(value: str, field: str = "reason") -> str:
    reason = (value or "").strip()
    if not reason:
        raise InvalidInput(**{field: ["Give a reason."]})
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(**{field: [f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer."]})
    return reason


def _coordinator_membership(organisation: Organisation, user) -> Membership | None:
    """The user's active membership here if they hold the care coordinator role, else None."""
    if user is None:
        return None
    return (
        Membership.objects.for_org(organisation)
        .filter(user=user, is_active=True, user__is_active=True, roles__role=Role.CARE_COORDINATOR)
        .select_related("team")
        .first()
    )


@transaction.atomic
def referral_create(
    *,
    actor,
    organisation: Organisation,
    person: Person,
    source: str,
    cohort: str,
    received_on: date,
    notes: str = "",
) -> Referral:
    """Record a referral into the PHB offer; it waits, unassigned, until someone accepts it."""
    if person is None or person.organisation_id != organisation.pk:
        # Never say whether the person is recorded by another organisation.
        raise InvalidInput(person=[PERSON_NOT_HERE])
    dates.require(received_on=dates.problems(received_on, label="Date received", kind=dates.PAST))
    person = person_lock(person)
    check_no_standing_transfer(organisation=organisation, person=person, opening="referral")
    referral = Referral(
        organisation=organisation,
        person=person,
        source=source,
        cohort=cohort,
        received_on=received_on,
        notes=_text(notes, "notes", MAX_REFERRAL_NOTES),
        status=ReferralStatus.RECEIVED,
    )
    referral.stamp(actor)
    referral.full_clean()
    referral.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=referral,
        person=person,
        action="referral_received",
        after=snapshot(referral),
        summary=(
            f"Referral received ({ReferralSource(source).label.lower()}, "
            f"{referral.get_cohort_display().lower()}) on {received_on:%d %B %Y}"
        ),
    )
    return referral


@transaction.atomic
def referral_accept(*, actor, referral: Referral, care_coordinator=None) -> Referral:
    """Accept a referral and assign the care coordinator who will hold it (and their team).

    With no care coordinator named, the accepting member of staff takes it if they are one.
    """
    referral = _locked(referral)
    _check_transition(referral, ReferralStatus.ACCEPTED, "accepted")
    organisation = referral.organisation
    chosen = care_coordinator if care_coordinator is not None else actor
    membership = _coordinator_membership(organisation, chosen)
    if membership is None:
        message = (
            "Choose a care coordinator of this organisation."
            if care_coordinator is not None
            else "Choose the care coordinator who will hold this referral."
        )
        raise InvalidInput(care_coordinator=[message])
    before = snapshot(referral)
    referral.status = ReferralStatus.ACCEPTED
    referral.care_coordinator = membership.user
    referral.team = membership.team
    referral.accepted_at = timezone.now()
    referral.stamp(actor)
    referral.full_clean()
    referral.save()
    name = membership.user.get_full_name() or membership.user.username
    record_event(
        actor=actor,
        organisation=organisation,
        obj=referral,
        action="referral_accepted",
        before=before,
        after=snapshot(referral),
        summary=f"Referral accepted; care coordinator {name}"
        + (f" ({membership.team.name})" if membership.team else ""),
    )
    if referral.transferred_from_id:
        _record_on_sender(
            actor, referral, "referral_transfer_accepted", f"Transfer accepted by {organisation.name}"
        )
    events.publish(
        events.ReferralAccepted(
            organisation_id=organisation.pk, actor_id=events.actor_id_of(actor), referral_id=referral.pk
        )
    )
    return referral


def _record_on_sender(actor, received: Referral, action: str, summary: str) -> None:
    """The outcome of a transfer, written on the sending organisation's trace too."""
    origin = received.transferred_from
    record_event(
        actor=actor,
        organisation=origin.organisation,
        obj=origin,
        person=origin.person,
        action=action,
        summary=summary,
    )


def _close(*, actor, referral: Referral, to: str, doing: str, reason: str, action: str, summary: str):
    referral = _locked(referral)
    _check_transition(referral, to, doing)
    before = snapshot(referral)
    referral.status = to
    referral.status_reason = reason
    referral.closed_at = timezone.now()
    referral.stamp(actor)
    referral.full_clean()
    referral.save()
    record_event(
        actor=actor,
        organisation=referral.organisation,
        obj=referral,
        action=action,
        before=before,
        after=snapshot(referral),
        summary=f"{summary}: {reason}",
    )
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str) -> Referral:
    """Decline a referral that does not fit the offer; the reason is kept and shown.

    Declining a transferred referral hands the person back: the sender may plan for them again.
    """
    referral = _close(
        actor=actor,
        referral=referral,
        to=ReferralStatus.DECLINED,
        doing="declined",
        reason=_reason(reason),
        action="referral_declined",
        summary="Referral declined",
    )
    if referral.transferred_from_id:
        _record_on_sender(
            actor,
            referral,
            "referral_transfer_declined",
            f"Transfer declined by {referral.organisation.name}: {referral.status_reason}",
        )
    events.publish(
        events.ReferralDeclined(
            organisation_id=referral.organisation_id,
            actor_id=events.actor_id_of(actor),
            referral_id=referral.pk,
        )
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral, reason: str) -> Referral:
    """Withdraw a referral (the person no longer wants a budget, or the referrer withdrew it)."""
    return _close(
        actor=actor,
        referral=referral,
        to=ReferralStatus.WITHDRAWN,
        doing="withdrawn",
        reason=_reason(reason),
        action="referral_withdrawn",
        summary="Referral withdrawn",
    )


def _person_in(organisation: Organisation, person: Person, actor, sender: Organisation) -> Person:
    """The receiving organisation's record of the person: theirs with the same NHS number, or a copy."""
    existing = Person.objects.for_org(organisation).filter(nhs_number=person.nhs_number).first()
    if existing is not None:
        return existing
    fields = {name: getattr(person, name) for name in kernel_services.PERSON_FIELDS}
    copy = kernel_services.person_create(
        actor=actor, organisation=organisation, cohorts=person.cohort_codes, **fields
    )
    record_event(
        actor=actor,
        organisation=organisation,
        obj=copy,
        person=copy,
        action="person_copied_on_transfer",
        summary=f"Record copied from {sender.name} with a transferred referral",
    )
    return copy


@transaction.atomic
def referral_transfer(
    *, actor, referral: Referral, to_organisation: Organisation | None, reason: str
) -> Referral:
    """Transfer a referral to the responsible commissioner, which must then accept it.

    The receiving organisation gets its own record of the person and a new received referral
    pointing back at this one; this one becomes a read-only trace. Returns the sending referral.
    """
    if to_organisation is None:
        raise InvalidInput(to_org=["No organisation with this code."])
    if to_organisation.pk == referral.organisation_id:
        raise InvalidInput(to_org=["Choose another organisation: this referral is already here."])
    reason = _reason(reason)
    person_lock(referral.person)  # before the referral: every path locks the person first
    referral = _locked(referral)
    _check_transition(referral, ReferralStatus.TRANSFERRED, "transferred")
    sender = referral.organisation
    person = _person_in(to_organisation, referral.person, actor, sender)
    received = Referral(
        organisation=to_organisation,
        person=person,
        source=referral.source,
        cohort=referral.cohort,
        # The person has waited since the original referral; the receiver's clock does not restart.
        received_on=referral.received_on,
        notes=referral.notes,
        status=ReferralStatus.RECEIVED,
        transferred_from=referral,
    )
    received.stamp(actor)
    received.full_clean()
    received.save()
    before = snapshot(referral)
    referral.status = ReferralStatus.TRANSFERRED
    referral.transferred_to = to_organisation
    referral.status_reason = reason
    referral.closed_at = timezone.now()
    referral.stamp(actor)
    referral.full_clean()
    referral.save()
    record_event(
        actor=actor,
        organisation=sender,
        obj=referral,
        action="referral_transferred",
        before=before,
        after=snapshot(referral),
        summary=f"Referral transferred to {to_organisation.name} ({to_organisation.code}): {reason}",
    )
    record_event(
        actor=actor,
        organisation=to_organisation,
        obj=received,
        person=person,
        action="referral_received",
        after=snapshot(received),
        summary=f"Referral received on transfer from {sender.name} ({sender.code}): {reason}",
    )
    # Later stages react: support plans refuses a transfer while a plan is in progress here.
    events.publish(
        events.ReferralTransferred(
            organisation_id=sender.pk,
            actor_id=events.actor_id_of(actor),
            referral_id=referral.pk,
            to_organisation_id=to_organisation.pk,
            received_id=received.pk,
        )
    )
    return referral


def _clean_participants(participants: Iterable[str]) -> list[str]:
    participants = list(dict.fromkeys(participants or []))
    unknown = [p for p in participants if p not in Participant.values]
    if unknown:
        raise InvalidInput(
            participants=[
                f"Unknown participant: {', '.join(map(str, unknown))}. Use {', '.join(Participant.values)}."
            ]
        )
    return participants


def _clean_goals(goals: Iterable[str]) -> list[str]:
    goals = [str(goal).strip() for goal in goals or []]
    if len(goals) > MAX_GOALS:
        raise InvalidInput(goals=[f"Record at most {MAX_GOALS} goals."])
    if any(not goal for goal in goals):
        raise InvalidInput(goals=["A goal cannot be empty."])
    if any(len(goal) > MAX_GOAL_LENGTH for goal in goals):
        raise InvalidInput(goals=[f"Keep each goal to {MAX_GOAL_LENGTH} characters or fewer."])
    return goals


@transaction.atomic
def conversation_record(
    *,
    actor,
    referral: Referral,
    held_on: date,
    mode: str,
    participants: Iterable[str] = (),
    notes: str = "",
    goals: Iterable[str] = (),
) -> Conversation:
    """Record a 'What would help you to get and stay well?' conversation on an accepted referral."""
    if mode not in ConversationMode.values:
        raise InvalidInput(mode=[f"Choose one of {', '.join(ConversationMode.values)}."])
    dates.require(held_on=dates.problems(held_on, label="Date of the conversation", kind=dates.PAST))
    participants = _clean_participants(participants)
    goals = _clean_goals(goals)
    notes = _text(notes, "notes", MAX_CONVERSATION_NOTES)
    referral = _locked(referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise TransitionNotAllowed(
            f"This referral is {referral.get_status_display().lower()}; "
            "conversations are recorded on accepted referrals.",
            status=referral.status,
        )
    dates.require(
        held_on=dates.not_before(
            held_on, referral.received_on, label="Date of the conversation", what="the referral was received"
        )
    )
    conversation = Conversation(
        organisation_id=referral.organisation_id,
        referral=referral,
        person_id=referral.person_id,
        held_on=held_on,
        mode=mode,
        participants=participants,
        notes=notes,
        goals=goals,
    )
    conversation.stamp(actor)
    conversation.full_clean()
    conversation.save()
    goal_count = len(goals)
    record_event(
        actor=actor,
        organisation=referral.organisation,
        obj=conversation,
        person=referral.person,
        action="conversation_recorded",
        after=snapshot(conversation),
        summary=(
            f"Conversation recorded ({conversation.get_mode_display().lower()}, {held_on:%d %B %Y}): "
            f"{goal_count} goal{'' if goal_count == 1 else 's'} in their own words"
        ),
    )
    return conversation
