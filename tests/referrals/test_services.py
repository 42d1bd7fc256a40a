"""The referral services: every transition allowed and refused, transfers, conversations, audit."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from phb.constants import Role
from phb.exceptions import InvalidInput, TransitionNotAllowed
from phb.models import AuditEvent, Person
from referrals import services
from referrals.constants import REFERRAL_TRANSITIONS, ReferralStatus
from referrals.models import Conversation, Referral
from tests.factories import (
    AcceptedReferralFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    member,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _create(actor, organisation, person, **overrides):
    fields = {
        "source": "gp",
        "cohort": "mental_health",
        "received_on": TODAY() - timedelta(days=2),
        "notes": "Low mood since losing her job.",
    }
    fields.update(overrides)
    return services.referral_create(actor=actor, organisation=organisation, person=person, **fields)


# --- Create


def test_referral_create_records_a_received_referral_and_an_audit_event(org, coordinator, person):
    referral = _create(coordinator, org, person)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.created_by == coordinator
    event = AuditEvent.objects.get(action="referral_received", object_id=str(referral.pk))
    assert event.person == person
    assert event.organisation == org
    assert event.summary.startswith("Referral received (gp, mental health)")


def test_referral_create_refuses_a_person_of_another_organisation_without_saying_so(
    org, other_org, coordinator
):
    stranger = PersonFactory(organisation=other_org)

    with pytest.raises(InvalidInput) as error:
        _create(coordinator, org, stranger)

    assert list(error.value.details) == ["person"]
    assert "another" not in str(error.value.details).lower()
    assert not Referral.objects.exists()


def test_referral_create_refuses_a_received_date_in_the_future(org, coordinator, person):
    with pytest.raises(InvalidInput) as error:
        _create(coordinator, org, person, received_on=TODAY() + timedelta(days=1))

    assert "received_on" in error.value.details
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("source", "carrier_pigeon"), ("cohort", "astronauts")])
def test_referral_create_refuses_unknown_codes(org, coordinator, person, field, value):
    with pytest.raises(ValidationError) as error:
        _create(coordinator, org, person, **{field: value})

    assert field in error.value.message_dict
    assert not Referral.objects.exists()


def test_referral_create_refuses_overlong_notes(org, coordinator, person):
    with pytest.raises(InvalidInput) as error:
        _create(coordinator, org, person, notes="x" * 5001)

    assert "notes" in error.value.details
    assert not Referral.objects.exists()


# --- Every transition, allowed and refused


def _act(action, actor, referral, to_org):
    if action == "accept":
        return services.referral_accept(actor=actor, referral=referral)
    if action == "decline":
        return services.referral_decline(actor=actor, referral=referral, reason="Not eligible")
    if action == "withdraw":
        return services.referral_withdraw(actor=actor, referral=referral, reason="Changed her mind")
    return services.referral_transfer(actor=actor, referral=referral, to_organisation=to_org, reason="Moved")


ACTION_TARGET = {
    "accept": ReferralStatus.ACCEPTED,
    "decline": ReferralStatus.DECLINED,
    "withdraw": ReferralStatus.WITHDRAWN,
    "transfer": ReferralStatus.TRANSFERRED,
}
CASES = [
    (status, action, ACTION_TARGET[action] in REFERRAL_TRANSITIONS[status])
    for status in ReferralStatus
    for action in ACTION_TARGET
]


@pytest.mark.parametrize(
    ("status", "action", "allowed"), CASES, ids=[f"{s.value}-{a}-{ok}" for s, a, ok in CASES]
)
def test_each_transition_is_allowed_only_where_the_table_says(
    org, other_org, coordinator, status, action, allowed
):
    referral = ReferralFactory(organisation=org, status=status)

    if allowed:
        result = _act(action, coordinator, referral, other_org)
        referral.refresh_from_db()
        assert referral.status == ACTION_TARGET[action]
        assert result.pk == referral.pk
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            _act(action, coordinator, referral, other_org)
        assert ReferralStatus(status).label.lower() in error.value.message
        referral.refresh_from_db()
        assert referral.status == status


def test_the_transition_table_lets_received_and_accepted_referrals_move_on_and_nothing_else():
    open_statuses = {s for s, targets in REFERRAL_TRANSITIONS.items() if targets}
    assert open_statuses == {ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED}
    assert ReferralStatus.ACCEPTED not in REFERRAL_TRANSITIONS[ReferralStatus.ACCEPTED]


# --- Accept


def test_accept_assigns_the_accepting_care_coordinator_and_their_team_by_default(org, person):
    team = TeamFactory(organisation=org, name="Recovery team")
    coordinator = member(org, Role.CARE_COORDINATOR, username="cc", team=team)
    referral = ReferralFactory(organisation=org, person=person)

    services.referral_accept(actor=coordinator, referral=referral)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.care_coordinator == coordinator
    assert referral.team == team
    assert referral.accepted_at is not None
    event = AuditEvent.objects.get(action="referral_accepted")
    assert event.person == person
    assert "Recovery team" in event.summary
    assert event.before["status"] == "received"
    assert event.after["status"] == "accepted"


def test_accept_by_someone_who_is_not_a_care_coordinator_needs_one_named(org, person):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    referral = ReferralFactory(organisation=org, person=person)

    with pytest.raises(InvalidInput) as error:
        services.referral_accept(actor=commissioner, referral=referral)

    assert "care_coordinator" in error.value.details
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_accept_assigns_a_named_care_coordinator(org, coordinator, person):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    referral = ReferralFactory(organisation=org, person=person)

    services.referral_accept(actor=commissioner, referral=referral, care_coordinator=coordinator)

    referral.refresh_from_db()
    assert referral.care_coordinator == coordinator


def test_accept_refuses_a_named_user_who_is_not_a_care_coordinator_here(org, other_org, coordinator):
    elsewhere = member(other_org, Role.CARE_COORDINATOR, username="elsewhere")
    broker = member(org, Role.BROKER, username="broker")
    referral = ReferralFactory(organisation=org)

    for wrong in (elsewhere, broker):
        with pytest.raises(InvalidInput) as error:
            services.referral_accept(actor=coordinator, referral=referral, care_coordinator=wrong)
        assert "care_coordinator" in error.value.details


# --- Decline and withdraw


@pytest.mark.parametrize("service", [services.referral_decline, services.referral_withdraw])
def test_decline_and_withdraw_need_a_reason(org, coordinator, service):
    referral = ReferralFactory(organisation=org)

    with pytest.raises(InvalidInput) as error:
        service(actor=coordinator, referral=referral, reason="   ")

    assert "reason" in error.value.details


def test_decline_keeps_the_reason_and_tells_the_timeline(org, coordinator, person):
    referral = ReferralFactory(organisation=org, person=person)

    services.referral_decline(actor=coordinator, referral=referral, reason="Already funded by social care")

    referral.refresh_from_db()
    assert referral.status_reason == "Already funded by social care"
    assert referral.closed_at is not None
    event = AuditEvent.objects.get(action="referral_declined")
    assert event.summary == "Referral declined: Already funded by social care"
    assert event.person == person


def test_withdraw_of_an_accepted_referral_is_recorded(org, coordinator):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    services.referral_withdraw(actor=coordinator, referral=referral, reason="Moved abroad")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert AuditEvent.objects.get(action="referral_withdrawn").summary == "Referral withdrawn: Moved abroad"


# --- Transfer


def test_transfer_copies_the_person_and_makes_a_received_referral_in_the_receiving_organisation(
    org, other_org, coordinator, person
):
    referral = ReferralFactory(organisation=org, person=person, cohort="s117", notes="Section 117 aftercare")

    result = services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved to Solihull"
    )

    assert result.pk == referral.pk
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED
    assert referral.transferred_to == other_org
    assert referral.status_reason == "Moved to Solihull"
    received = Referral.objects.get(organisation=other_org)
    assert received.status == ReferralStatus.RECEIVED
    assert received.transferred_from == referral
    assert received.cohort == "s117"
    assert received.care_coordinator is None
    copy = received.person
    assert copy.organisation == other_org
    assert copy.pk != person.pk
    assert copy.nhs_number == person.nhs_number
    assert copy.cohort_codes == person.cohort_codes
    sent = AuditEvent.objects.get(action="referral_transferred", organisation=org)
    assert "NHS Birmingham and Solihull" in sent.summary
    assert sent.person == person
    arrived = AuditEvent.objects.get(action="referral_received", organisation=other_org)
    assert arrived.person == copy
    assert "transfer from NHS City and Hackney" in arrived.summary


def test_transfer_reuses_the_receiving_organisations_record_with_the_same_nhs_number(
    org, other_org, coordinator, person
):
    theirs = PersonFactory(organisation=other_org, nhs_number=person.nhs_number, family_name="Okafor-Smith")
    referral = ReferralFactory(organisation=org, person=person)

    services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
    )

    assert Referral.objects.get(organisation=other_org).person == theirs
    assert Person.objects.filter(organisation=other_org).count() == 1


def test_the_receiving_organisation_accepts_a_transferred_referral(org, other_org, coordinator):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)
    services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
    )
    their_coordinator = member(other_org, Role.CARE_COORDINATOR, username="bs_cc")
    received = Referral.objects.get(organisation=other_org)

    services.referral_accept(actor=their_coordinator, referral=received)

    received.refresh_from_db()
    assert received.status == ReferralStatus.ACCEPTED
    assert received.care_coordinator == their_coordinator
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.TRANSFERRED  # the sending trace is untouched


def test_transfer_to_the_same_or_no_organisation_names_to_org(org, coordinator):
    referral = ReferralFactory(organisation=org)

    for destination in (org, None):
        with pytest.raises(InvalidInput) as error:
            services.referral_transfer(
                actor=coordinator, referral=referral, to_organisation=destination, reason="Moved"
            )
        assert "to_org" in error.value.details
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


# --- Conversations


def _record(actor, referral, **overrides):
    fields = {
        "held_on": TODAY(),
        "mode": "home_visit",
        "participants": ["person", "family_carer"],
        "notes": "Met at home with her sister.",
        "goals": ["Get back to swimming", "Feel less alone at weekends"],
    }
    fields.update(overrides)
    return services.conversation_record(actor=actor, referral=referral, **fields)


def test_conversation_record_keeps_the_goals_in_the_persons_words(org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)

    conversation = _record(coordinator, referral, goals=["  Get back to swimming ", "Feel less alone"])

    conversation.refresh_from_db()
    assert conversation.goals == ["Get back to swimming", "Feel less alone"]
    assert conversation.organisation == org
    assert conversation.person == person
    event = AuditEvent.objects.get(action="conversation_recorded")
    assert event.person == person
    assert "2 goals" in event.summary


def test_several_conversations_may_be_recorded_on_one_referral(org, coordinator):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    _record(coordinator, referral)
    _record(coordinator, referral, mode="phone", goals=[])

    assert Conversation.objects.filter(referral=referral).count() == 2


@pytest.mark.parametrize(
    "status", [s for s in ReferralStatus if s != ReferralStatus.ACCEPTED], ids=lambda s: s.value
)
def test_conversations_are_only_recorded_on_accepted_referrals(org, coordinator, status):
    referral = ReferralFactory(organisation=org, status=status)

    with pytest.raises(TransitionNotAllowed) as error:
        _record(coordinator, referral)

    assert ReferralStatus(status).label.lower() in error.value.message
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("held_on", TODAY() + timedelta(days=1)),
        ("mode", "carrier_pigeon"),
        ("participants", ["person", "the_dog"]),
        ("goals", ["ok"] * 21),
        ("goals", ["   "]),
        ("goals", ["x" * 1001]),
        ("notes", "x" * 10001),
    ],
    ids=["future", "mode", "participant", "too-many-goals", "empty-goal", "long-goal", "notes"],
)
def test_conversation_record_refuses_bad_input_naming_the_field(org, coordinator, field, value):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    with pytest.raises(InvalidInput) as error:
        _record(coordinator, referral, **{field: value})

    assert field in error.value.details
    assert not Conversation.objects.exists()


def test_twenty_goals_of_a_thousand_characters_are_accepted(org, coordinator):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    conversation = _record(coordinator, referral, goals=["x" * 1000] * 20)

    assert len(conversation.goals) == 20


# --- Concurrency (PostgreSQL row locks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_at_once_accept_once(org, person):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL")
    first = member(org, Role.CARE_COORDINATOR, username="first")
    second = member(org, Role.CARE_COORDINATOR, username="second")
    referral = ReferralFactory(organisation=org, person=person)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        try:
            barrier.wait()
            services.referral_accept(actor=user, referral=referral)
            outcomes.append("accepted")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted", "refused"]
    assert AuditEvent.objects.filter(action="referral_accepted").count() == 1
