"""Demo referrals and conversations for both organisations, made through the referral services."""

from datetime import timedelta

from django.utils import timezone

from .constants import ConversationMode, Participant, ReferralSource
from .models import Referral
from .services import (
    conversation_record,
    referral_accept,
    referral_create,
    referral_decline,
    referral_transfer,
    referral_withdraw,
)

# (source, days ago received, holder, conversation mode, goals in the person's own words)
ACCEPTED = [
    (
        ReferralSource.CARE_COORDINATOR,
        84,
        "care_coordinator",
        ConversationMode.HOME_VISIT,
        ["I want to get back to swimming twice a week", "I'd like to feel less alone at weekends"],
    ),
    (
        ReferralSource.HOSPITAL_DISCHARGE,
        70,
        "care_coordinator2",
        ConversationMode.CLINIC,
        ["Stay out of hospital this year", "Have someone I trust to help me with shopping"],
    ),
    (
        ReferralSource.GP,
        63,
        "team_lead",
        ConversationMode.PHONE,
        ["Manage my pain so I can walk the dog again", "Learn to cook simple meals for myself"],
    ),
    (
        ReferralSource.OTHER_TEAM,
        56,
        "care_coordinator",
        ConversationMode.HOME_VISIT,
        ["Stay at home with my wife, not in a care home", "Get out to the garden centre on Sundays"],
    ),
    (
        ReferralSource.VOLUNTARY_SECTOR,
        49,
        "care_coordinator2",
        ConversationMode.VIDEO,
        ["Go on the school trip like my friends", "Have a break for Mum now and then"],
    ),
    (
        ReferralSource.SELF,
        42,
        "team_lead",
        ConversationMode.HOME_VISIT,
        ["Be comfortable and at home with my family", "Have music playing when I want it"],
    ),
]


def _days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def _seed_organisation(organisation, staff, people) -> list[Referral]:
    """Six accepted referrals with conversations, one declined, one withdrawn, two waiting."""
    accepted = []
    for person, (source, days, holder, mode, goals) in zip(people[:6], ACCEPTED, strict=True):
        referral = referral_create(
            actor=staff["care_coordinator"],
            organisation=organisation,
            person=person,
            source=source,
            cohort=person.cohort_codes[0],
            received_on=_days_ago(days),
            notes=f"Referred for a personal health budget ({source.label.lower()}).",
        )
        referral = referral_accept(
            actor=staff["team_lead"], referral=referral, care_coordinator=staff[holder]
        )
        conversation_record(
            actor=staff[holder],
            referral=referral,
            held_on=_days_ago(days - 10),
            mode=mode,
            participants=[Participant.PERSON, Participant.CARE_COORDINATOR]
            + ([Participant.FAMILY_CARER] if len(accepted) % 2 else []),
            notes="Talked through what matters most and what has helped before.",
            goals=goals,
        )
        accepted.append(referral)

    # An earlier referral that did not fit the offer, and one the person withdrew.
    declined = referral_create(
        actor=staff["care_coordinator"],
        organisation=organisation,
        person=people[3],
        source=ReferralSource.GP,
        cohort="other",
        received_on=_days_ago(120),
        notes="Asked about a budget for a one-off holiday.",
    )
    referral_decline(
        actor=staff["team_lead"],
        referral=declined,
        reason="Not a health need the offer covers; signposted to the local carers' centre.",
    )
    withdrawn = referral_create(
        actor=staff["care_coordinator"],
        organisation=organisation,
        person=people[1],
        source=ReferralSource.HOSPITAL_DISCHARGE,
        cohort=people[1].cohort_codes[0],
        received_on=_days_ago(110),
    )
    referral_withdraw(
        actor=staff["care_coordinator"],
        referral=withdrawn,
        reason="He asked to wait until after discharge; re-referred later.",
    )

    # Waiting to be accepted.
    referral_create(
        actor=staff["care_coordinator2"],
        organisation=organisation,
        person=people[6],
        source=ReferralSource.OUTREACH,
        cohort=people[6].cohort_codes[0],
        received_on=_days_ago(9),
        notes="Replied to the outreach letter.",
    )
    referral_create(
        actor=staff["care_coordinator2"],
        organisation=organisation,
        person=people[2],
        source=ReferralSource.SELF,
        cohort="mental_health",
        received_on=_days_ago(3),
        notes="Asked for support with anxiety as well.",
    )
    return accepted


def seed(context) -> None:
    organisations = {o.code: o for o in context.organisations}
    for code, organisation in organisations.items():
        if Referral.objects.for_org(organisation).filter(transferred_from__isnull=True).exists():
            continue  # seeded already
        _seed_organisation(organisation, context.staff[code], context.people[code])

    # City and Hackney transfers a referral to Birmingham and Solihull, the responsible
    # commissioner since the person moved; Birmingham and Solihull accepts it.
    sender, receiver = organisations.get("07T"), organisations.get("15E")
    if (
        sender is None
        or receiver is None
        or Referral.objects.for_org(sender).filter(status="transferred").exists()
    ):
        return
    staff, person = context.staff["07T"], context.people["07T"][7]
    referral = referral_create(
        actor=staff["care_coordinator"],
        organisation=sender,
        person=person,
        source=ReferralSource.GP,
        cohort=person.cohort_codes[0],
        received_on=_days_ago(30),
        notes="Needs a new wheelchair after a change in condition.",
    )
    referral_transfer(
        actor=staff["team_lead"],
        referral=referral,
        to_organisation=receiver,
        reason="He has moved to Solihull; Birmingham and Solihull is the responsible commissioner.",
    )
    received = Referral.objects.get(transferred_from=referral)
    receiving_staff = context.staff["15E"]
    received = referral_accept(
        actor=receiving_staff["care_coordinator"],
        referral=received,
        care_coordinator=receiving_staff["care_coordinator"],
    )
    conversation_record(
        actor=receiving_staff["care_coordinator"],
        referral=received,
        held_on=timezone.localdate(),
        mode=ConversationMode.CLINIC,
        participants=[Participant.PERSON, Participant.CARE_COORDINATOR],
        notes="Wheelchair assessment booked.",
        goals=["Get to work on the bus on my own", "Play wheelchair basketball again"],
    )
    context.lines.append("Referrals: 07T transferred a referral to 15E, which accepted it.")
