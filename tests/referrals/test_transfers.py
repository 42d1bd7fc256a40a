"""Transfers hand the person over: one responsible commissioner at a time, the outcome on both sides."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from phb import events
from phb.constants import Role
from phb.exceptions import Conflict
from phb.models import AuditEvent, Notification
from referrals import services
from referrals.constants import ReferralStatus
from referrals.models import Referral
from referrals.reactions import notify_referral_declined
from referrals.selectors import transfer_outcome
from support_plans import services as plan_services
from support_plans.constants import PlanStatus
from support_plans.models import SupportPlan
from tests.factories import AcceptedReferralFactory, PersonFactory, PlanFactory, member
from tests.factories.payments import funded_account

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
RECEIVED_ON = TODAY() - timedelta(days=40)


def _plan(actor, organisation, person):
    return plan_services.plan_create(
        actor=actor,
        organisation=organisation,
        person=person,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        management="direct_payment",
        items=[
            {
                "description": "Swim pass",
                "category": "fitness_exercise",
                "amount": Decimal("90.00"),
                "frequency": "one_off",
            }
        ],
    )


def _new_referral(actor, organisation, person):
    return services.referral_create(
        actor=actor, organisation=organisation, person=person, source="gp", cohort="s117", received_on=TODAY()
    )


@pytest.fixture
def their_lead(other_org):
    return member(other_org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="bs_lead")


@pytest.fixture
def transferred(org, other_org, coordinator, person, their_lead):
    """Nowak's accepted referral in City and Hackney, transferred to Birmingham and Solihull."""
    referral = AcceptedReferralFactory(
        organisation=org, person=person, care_coordinator=coordinator, received_on=RECEIVED_ON
    )
    lead = member(org, Role.TEAM_LEAD, username="ch_lead")
    services.referral_transfer(
        actor=lead, referral=referral, to_organisation=other_org, reason="Moved to Solihull"
    )
    referral.refresh_from_db()
    return referral


def _received(other_org):
    return Referral.objects.get(organisation=other_org)


def test_the_receiver_keeps_the_original_received_date(transferred, other_org):
    received = _received(other_org)
    assert received.received_on == RECEIVED_ON
    assert received.transferred_from == transferred


def test_while_a_transfer_stands_the_sender_cannot_open_a_referral_naming_the_transfer(
    transferred, org, coordinator, person
):
    with pytest.raises(Conflict) as refused:
        _new_referral(coordinator, org, person)
    assert "transferred to NHS Birmingham and Solihull (15E)" in refused.value.message
    assert refused.value.details["transfer"] == transferred.pk
    assert Referral.objects.filter(organisation=org).count() == 1


def test_while_a_transfer_stands_the_sender_cannot_open_a_plan(transferred, org, coordinator, person):
    with pytest.raises(Conflict, match="cannot open a new support plan"):
        _plan(coordinator, org, person)
    assert not SupportPlan.objects.filter(organisation=org).exists()


def test_the_sender_cannot_revise_a_budget_while_the_transfer_stands(org, other_org, coordinator, person):
    plan, _account = funded_account(org, person=person)
    assert plan.status == PlanStatus.ACTIVE
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
    )
    plan.refresh_from_db()

    with pytest.raises(Conflict, match="cannot open a new plan version"):
        plan_services.plan_revise(actor=coordinator, plan=plan)


def test_the_receiver_may_plan_for_the_person_at_once(transferred, other_org, their_lead):
    received = _received(other_org)
    services.referral_accept(actor=their_lead, referral=received)
    plan = _plan(their_lead, other_org, received.person)
    assert plan.status == PlanStatus.DRAFT


def test_a_declined_transfer_hands_the_person_back_and_the_trace_says_so(
    transferred, org, other_org, coordinator, person, their_lead
):
    services.referral_decline(
        actor=their_lead, referral=_received(other_org), reason="Lives in Hackney still"
    )

    transferred.refresh_from_db()
    outcome = transfer_outcome(transferred)
    assert outcome["outcome"] == "declined"
    assert outcome["reason"] == "Lives in Hackney still"
    trace = AuditEvent.objects.get(organisation=org, action="referral_transfer_declined")
    assert "Lives in Hackney still" in trace.summary
    # The sender may open work for them again.
    assert _new_referral(coordinator, org, person).status == ReferralStatus.RECEIVED
    assert _plan(coordinator, org, person).status == PlanStatus.DRAFT


def test_an_accepted_transfer_shows_on_the_trace(transferred, org, other_org, their_lead):
    services.referral_accept(actor=their_lead, referral=_received(other_org))

    transferred.refresh_from_db()
    assert transfer_outcome(transferred)["outcome"] == "accepted"
    assert AuditEvent.objects.filter(organisation=org, action="referral_transfer_accepted").count() == 1


def test_accepting_a_transfer_closes_the_senders_budget_as_moved(
    org, other_org, coordinator, person, their_lead
):
    plan, account = funded_account(org, person=person)
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
    )

    services.referral_accept(actor=their_lead, referral=_received(other_org))

    plan.refresh_from_db()
    account.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.budget.close_reason == "moved"
    assert plan.budget.closed_on == TODAY()
    assert "NHS Birmingham and Solihull" in plan.budget.close_note
    assert account.closed_on == TODAY()


def test_declining_a_transfer_leaves_the_senders_budget_open(org, other_org, coordinator, person, their_lead):
    plan, _account = funded_account(org, person=person)
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
    )

    services.referral_decline(actor=their_lead, referral=_received(other_org), reason="Not ours")

    plan.refresh_from_db()
    assert plan.status in (PlanStatus.APPROVED, PlanStatus.ACTIVE)


def test_a_transfer_is_refused_while_a_plan_is_in_progress_here(org, other_org, coordinator, person):
    draft = PlanFactory(organisation=org, person=person)
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)

    with pytest.raises(Conflict, match=f"Support plan {draft.pk}"):
        services.referral_transfer(
            actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
        )

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert not Referral.objects.filter(organisation=other_org).exists()


def test_both_sides_are_told_once(
    transferred, org, other_org, coordinator, their_lead, django_capture_on_commit_callbacks
):
    incoming = Notification.objects.get(organisation=other_org, user=their_lead)
    assert incoming.subject == "Referral transferred in from NHS City and Hackney"
    assert incoming.path.endswith(f"/referrals/{_received(other_org).pk}/")
    outgoing = Notification.objects.get(organisation=org, user=coordinator)
    assert outgoing.subject == "Referral transferred to NHS Birmingham and Solihull"

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(actor=their_lead, referral=_received(other_org), reason="Not our area")

    told = Notification.objects.filter(organisation=org, key=f"transfer:{transferred.pk}:declined")
    assert {n.user.username for n in told} == {"ch_lead", "coordinator"}
    declined = [m for m in mail.outbox if "declined the transfer" in m.body]
    assert sorted(m.to[0] for m in declined) == sorted(n.user.email for n in told)
    # Told once: running the reaction again tells nobody again.
    again = notify_referral_declined(
        events.ReferralDeclined(
            organisation_id=other_org.pk, actor_id=their_lead.pk, referral_id=_received(other_org).pk
        )
    )
    assert again == 0


# --- Concurrency (PostgreSQL row locks on the person)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transfer_and_a_plan_racing_in_the_sender_end_with_exactly_one(org, other_org, coordinator):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL")
    for attempt in range(3):
        person = PersonFactory(organisation=org)
        referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
        barrier = threading.Barrier(2)
        outcomes = {}

        def transfer():
            try:
                barrier.wait()
                services.referral_transfer(
                    actor=coordinator, referral=referral, to_organisation=other_org, reason="Moved"
                )
                outcomes["transfer"] = "done"
            except Conflict:
                outcomes["transfer"] = "refused"
            finally:
                connection.close()

        def plan():
            try:
                barrier.wait()
                _plan(coordinator, org, person)
                outcomes["plan"] = "done"
            except Conflict:
                outcomes["plan"] = "refused"
            finally:
                connection.close()

        threads = [threading.Thread(target=transfer), threading.Thread(target=plan)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(outcomes.values()) == ["done", "refused"], (attempt, outcomes)
        transferred = Referral.objects.get(pk=referral.pk).status == ReferralStatus.TRANSFERRED
        planned = SupportPlan.objects.filter(organisation=org, person=person).exists()
        assert transferred != planned
