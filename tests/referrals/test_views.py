"""The referral pages: list, new referral, a referral's decisions, conversations, the caseload."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phb.constants import Role
from referrals.constants import ReferralStatus
from referrals.models import Conversation, Referral
from tests.factories import (
    AcceptedReferralFactory,
    ConversationFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    member,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(org, suffix=""):
    return f"/o/{org.code}/{suffix}"


# --- List and new referral


def test_the_list_shows_the_organisations_referrals_filtered_by_status(org, other_org, coordinator):
    ReferralFactory(organisation=org, person=PersonFactory(organisation=org, family_name="Waiting"))
    AcceptedReferralFactory(organisation=org, person=PersonFactory(organisation=org, family_name="Held"))
    ReferralFactory(
        organisation=other_org, person=PersonFactory(organisation=other_org, family_name="Foreign")
    )

    everything = client_for(coordinator).get(page(org, "referrals/")).content.decode()
    received = client_for(coordinator).get(page(org, "referrals/?status=received")).content.decode()

    assert "Waiting" in everything and "Held" in everything
    assert "Foreign" not in everything
    assert "Waiting" in received and "Held" not in received


def test_new_referral_from_the_persons_page_has_the_person_chosen(org, coordinator, person):
    response = client_for(coordinator).get(page(org, f"referrals/new/?person={person.pk}"))

    assert response.status_code == 200
    assert (
        f'id="id_person-{person.pk}" name="person" type="radio" value="{person.pk}" checked'
        in response.content.decode()
    )


def test_new_referral_ignores_a_person_of_another_organisation_in_the_address(org, other_org, coordinator):
    stranger = PersonFactory(organisation=other_org, family_name="Zforeign")

    response = client_for(coordinator).get(page(org, f"referrals/new/?person={stranger.pk}"))

    assert "Zforeign" not in response.content.decode()


def test_new_referral_is_saved_and_shown(org, coordinator, person):
    response = client_for(coordinator).post(
        page(org, "referrals/new/"),
        {
            "person": person.pk,
            "source": "gp",
            "cohort": "mental_health",
            "received_on": str(TODAY()),
            "notes": "From the GP",
        },
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == page(org, f"referrals/{referral.pk}/")
    assert referral.status == ReferralStatus.RECEIVED


def test_new_referral_with_a_future_date_shows_the_error_on_the_field(org, coordinator, person):
    response = client_for(coordinator).post(
        page(org, "referrals/new/"),
        {
            "person": person.pk,
            "source": "gp",
            "cohort": "mental_health",
            "received_on": str(TODAY() + timedelta(days=3)),
        },
    )

    assert response.status_code == 200
    assert "Date received must be today or in the past" in response.content.decode()
    assert not Referral.objects.exists()


def test_new_referral_is_forbidden_to_a_broker(org):
    broker = member(org, Role.BROKER, username="broker")
    assert client_for(broker).get(page(org, "referrals/new/")).status_code == 403


# --- A referral's page and its decisions


def test_a_received_referral_offers_accept_with_a_choice_of_care_coordinators(org, coordinator):
    other = member(org, Role.CARE_COORDINATOR, username="other_cc")
    member(org, Role.BROKER, username="not_a_cc")
    referral = ReferralFactory(organisation=org)

    html = client_for(coordinator).get(page(org, f"referrals/{referral.pk}/")).content.decode()

    assert "Accept referral" in html
    assert f'<option value="{coordinator.pk}" selected>' in html
    assert f'<option value="{other.pk}"' in html
    assert "not_a_cc" not in html
    assert "Decline the referral" in html


def test_accepting_on_the_page_assigns_the_chosen_care_coordinator(org, coordinator):
    other = member(org, Role.CARE_COORDINATOR, username="other_cc")
    referral = ReferralFactory(organisation=org)

    response = client_for(coordinator).post(
        page(org, f"referrals/{referral.pk}/accept/"), {"accept-care_coordinator": other.pk}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.care_coordinator == other


def test_declining_twice_on_the_page_says_why_not(org, coordinator):
    referral = ReferralFactory(organisation=org)
    client = client_for(coordinator)
    client.post(page(org, f"referrals/{referral.pk}/decline/"), {"decline-reason": "Not eligible"})

    response = client.post(
        page(org, f"referrals/{referral.pk}/decline/"), {"decline-reason": "Again"}, follow=True
    )

    assert "This referral is declined, so it cannot be declined." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status_reason == "Not eligible"


def test_decline_without_a_reason_shows_the_error(org, coordinator):
    referral = ReferralFactory(organisation=org)

    response = client_for(coordinator).post(
        page(org, f"referrals/{referral.pk}/decline/"), {"decline-reason": ""}
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_actions_on_another_organisations_referral_are_404(org, other_org, coordinator):
    foreign = ReferralFactory(organisation=other_org)
    client = client_for(coordinator)
    for suffix in ("", "accept/", "decline/", "withdraw/", "transfer/", "conversations/new/"):
        assert client.get(page(org, f"referrals/{foreign.pk}/{suffix}")).status_code == 404


def test_a_broker_may_not_decide_on_a_referral(org):
    broker = member(org, Role.BROKER, username="broker")
    referral = ReferralFactory(organisation=org)

    response = client_for(broker).post(
        page(org, f"referrals/{referral.pk}/decline/"), {"decline-reason": "x"}
    )

    assert response.status_code == 403
    html = client_for(broker).get(page(org, f"referrals/{referral.pk}/")).content.decode()
    assert "Accept referral" not in html


def test_transfer_on_the_page_leaves_a_read_only_trace_and_the_receiver_sees_where_from(
    org, other_org, coordinator, person
):
    referral = ReferralFactory(organisation=org, person=person)

    client_for(coordinator).post(
        page(org, f"referrals/{referral.pk}/transfer/"),
        {"transfer-to_org": "15E", "transfer-reason": "Moved to Solihull"},
    )

    html = client_for(coordinator).get(page(org, f"referrals/{referral.pk}/")).content.decode()
    assert f"Transferred to NHS Birmingham and Solihull on {timezone.now():%-d %B %Y}" in html
    assert "Accept referral" not in html and "Withdraw referral" not in html
    received = Referral.objects.get(organisation=other_org)
    theirs = member(other_org, Role.CARE_COORDINATOR, username="bs_cc")
    their_html = client_for(theirs).get(page(other_org, f"referrals/{received.pk}/")).content.decode()
    assert "Transferred from NHS City and Hackney" in their_html
    assert "Accept referral" in their_html


def test_the_transfer_choice_lists_every_other_organisation(org, other_org, coordinator):
    referral = ReferralFactory(organisation=org)

    html = client_for(coordinator).get(page(org, f"referrals/{referral.pk}/")).content.decode()

    assert '<option value="15E">NHS Birmingham and Solihull (15E)</option>' in html
    assert '<option value="07T">' not in html


# --- Conversations


def test_recording_a_conversation_with_goals_one_per_line(org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)

    response = client_for(coordinator).post(
        page(org, f"referrals/{referral.pk}/conversations/new/"),
        {
            "held_on": str(TODAY()),
            "mode": "phone",
            "participants": ["person", "peer"],
            "notes": "Long chat",
            "goals": "Go swimming again\n\n  Feel less alone at weekends  \n",
        },
    )

    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.goals == ["Go swimming again", "Feel less alone at weekends"]
    assert conversation.participants == ["person", "peer"]
    html = client_for(coordinator).get(page(org, f"referrals/{referral.pk}/")).content.decode()
    assert "Feel less alone at weekends" in html
    assert "The person, Peer supporter" in html


def test_a_conversation_on_a_received_referral_is_refused_on_the_page(org, coordinator):
    referral = ReferralFactory(organisation=org)

    response = client_for(coordinator).post(
        page(org, f"referrals/{referral.pk}/conversations/new/"),
        {"held_on": str(TODAY()), "mode": "phone", "goals": "x"},
        follow=True,
    )

    assert "conversations are recorded on accepted referrals" in response.content.decode()
    assert not Conversation.objects.exists()


# --- The caseload


def test_caseload_shows_my_people_with_the_next_step_and_the_waiting_referrals(org, coordinator):
    colleague = member(org, Role.CARE_COORDINATOR, username="colleague")
    to_talk = AcceptedReferralFactory(
        organisation=org,
        care_coordinator=coordinator,
        person=PersonFactory(organisation=org, family_name="Talk"),
    )
    to_plan = AcceptedReferralFactory(
        organisation=org,
        care_coordinator=coordinator,
        person=PersonFactory(organisation=org, family_name="Plan"),
    )
    ConversationFactory(referral=to_plan)
    AcceptedReferralFactory(
        organisation=org,
        care_coordinator=colleague,
        person=PersonFactory(organisation=org, family_name="Theirs"),
    )
    ReferralFactory(
        organisation=org,
        received_on=TODAY() - timedelta(days=3),
        person=PersonFactory(organisation=org, family_name="Newer"),
    )
    ReferralFactory(
        organisation=org,
        received_on=TODAY() - timedelta(days=20),
        person=PersonFactory(organisation=org, family_name="Older"),
    )

    response = client_for(coordinator).get(page(org, "caseload/"))
    html = response.content.decode()

    mine = response.context["rows"]
    assert {row.referral.pk: row.next_step.label for row in mine} == {
        to_talk.pk: "Record a conversation",
        to_plan.pk: "Write a support plan",
    }
    assert f"/referrals/{to_talk.pk}/conversations/new/" in html
    assert "Theirs" not in html
    waiting = response.context["waiting"]
    assert [row.referral.person.family_name for row in waiting] == ["Older", "Newer"]
    assert [row.days_waiting for row in waiting] == [20, 3]


def test_write_a_support_plan_links_to_the_plan_form_when_it_exists(org, coordinator):
    from django.urls import NoReverseMatch, reverse

    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)
    ConversationFactory(referral=referral)

    rows = client_for(coordinator).get(page(org, "caseload/")).context["rows"]

    try:
        expected = reverse("support_plans:plan-create", kwargs={"org": org.code})
        expected += f"?person={referral.person_id}&referral={referral.pk}"
    except NoReverseMatch:
        expected = page(org, f"referrals/{referral.pk}/")
    assert rows[0].next_step.url == expected


def test_team_view_shows_the_team_grouped_by_care_coordinator(org):
    team = TeamFactory(organisation=org, name="Recovery")
    elsewhere = TeamFactory(organisation=org, name="Older adults")
    lead = member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="lead", team=team)
    alice = member(org, Role.CARE_COORDINATOR, username="alice", team=team)
    bob = member(org, Role.CARE_COORDINATOR, username="bob", team=elsewhere)
    for holder, name in ((alice, "Alpha"), (alice, "Beta"), (lead, "Gamma"), (bob, "Delta")):
        AcceptedReferralFactory(
            organisation=org,
            care_coordinator=holder,
            person=PersonFactory(organisation=org, family_name=name),
        )

    response = client_for(lead).get(page(org, "caseload/?view=team"))

    groups = {
        group["coordinator"].username: [row.referral.person.family_name for row in group["rows"]]
        for group in response.context["groups"]
    }
    assert groups == {"alice": ["Alpha", "Beta"], "lead": ["Gamma"]}
    assert "Delta" not in response.content.decode()


def test_team_view_is_for_team_leads(org, coordinator):
    assert client_for(coordinator).get(page(org, "caseload/?view=team")).status_code == 403


def test_caseload_is_not_for_finance(org):
    finance = member(org, Role.FINANCE, username="finance")
    assert client_for(finance).get(page(org, "caseload/")).status_code == 403


def _caseload_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add(org, holders, count):
    for index in range(count):
        referral = AcceptedReferralFactory(organisation=org, care_coordinator=holders[index % len(holders)])
        if index % 2:
            ConversationFactory(referral=referral)
        ReferralFactory(organisation=org)  # one waiting


@pytest.mark.parametrize("view", ["", "?view=team"])
def test_caseload_queries_do_not_grow_with_the_rows(org, django_assert_max_num_queries, view):
    team = TeamFactory(organisation=org, name="Recovery")
    lead = member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="lead", team=team)
    colleague = member(org, Role.CARE_COORDINATOR, username="colleague", team=team)
    client = client_for(lead)
    url = page(org, f"caseload/{view}")
    client.get(url)  # the first page of a session also renews it (phb.middleware)
    _add(org, [lead, colleague], 3)
    with_three = _caseload_queries(client, url)

    _add(org, [lead, colleague], 9)

    with django_assert_max_num_queries(with_three):
        response = client.get(url)
    rows = response.context["groups"] if view else response.context["rows"]
    assert len(rows) == (2 if view else 7)  # two coordinators' groups, or the lead's own seven
    assert _caseload_queries(client, url) == with_three


# --- The person's page


def test_the_persons_page_lists_their_referrals_with_a_new_referral_link(org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)

    html = client_for(coordinator).get(page(org, f"people/{person.pk}/")).content.decode()

    assert f"/o/{org.code}/referrals/{referral.pk}/" in html
    assert f"/o/{org.code}/referrals/new/?person={person.pk}" in html
