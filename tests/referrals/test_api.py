"""The referrals API: each endpoint's 401, 403, 404, 409, 400 and happy path, transfers, the person API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phb.audit import record_event
from phb.constants import Role
from phb.models import AuditEvent
from referrals.constants import ReferralStatus
from referrals.models import Conversation, Referral
from tests.factories import (
    AcceptedReferralFactory,
    ConversationFactory,
    PersonFactory,
    ReferralFactory,
    member,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
FORBIDDEN_ROLES = [Role.BROKER, Role.FINANCE, Role.LIVED_EXPERIENCE_REVIEWER, Role.REGION_VIEWER]


def url(org, suffix=""):
    return f"/api/v1/orgs/{org.code}/referrals/{suffix}"


def referral_body(who, **overrides):
    body = {
        "person": who.pk,
        "source": "gp",
        "cohort": "mental_health",
        "received_on": str(TODAY() - timedelta(days=1)),
        "notes": "Low mood; GP suggests a budget for swimming.",
    }
    body.update(overrides)
    return body


def conversation_body(**overrides):
    body = {
        "held_on": str(TODAY()),
        "mode": "home_visit",
        "participants": ["person", "family_carer"],
        "notes": "Met at home.",
        "goals": ["Get back to swimming", "See my grandchildren every week"],
    }
    body.update(overrides)
    return body


# --- POST referrals/


def test_create_needs_credentials(api, org, person):
    assert api(None).post(url(org), referral_body(person), format="json").status_code == 401


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_create_is_forbidden_to_roles_that_do_not_take_referrals(api, org, person, role):
    user = member(org, role, username=f"u_{role}")

    response = api(user).post(url(org), referral_body(person), format="json")

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_create_in_an_organisation_you_do_not_belong_to_is_404(api, org, outsider, person):
    assert api(outsider).post(url(org), referral_body(person), format="json").status_code == 404


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD])
def test_create_records_a_received_referral(api, org, person, role):
    user = member(org, role, username=f"u_{role}")

    response = api(user).post(url(org), referral_body(person), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "received"
    assert data["person"] == person.pk
    assert data["person_name"] == "Amara Okafor"
    assert data["care_coordinator"] is None
    assert data["conversations"] == []
    assert data["transferred_from"] is None
    assert Referral.objects.get(pk=data["id"]).organisation == org


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "carrier_pigeon"),
        ("cohort", "astronauts"),
        ("received_on", "2024-13-45"),
        ("received_on", str(TODAY() + timedelta(days=1))),
        ("notes", "x" * 5001),
        ("person", 999_999),
        ("person", "not-a-number"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(api, org, coordinator, person, field, value):
    response = api(coordinator).post(url(org), referral_body(person, **{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Referral.objects.exists()


def test_create_for_a_person_of_another_organisation_does_not_reveal_them(
    api, org, other_org, coordinator, person
):
    stranger = PersonFactory(organisation=other_org)
    missing = api(coordinator).post(url(org), referral_body(person, person=999_999), format="json")

    response = api(coordinator).post(url(org), referral_body(stranger), format="json")

    assert response.status_code == 400
    assert response.json() == missing.json()
    assert not Referral.objects.exists()


# --- GET referrals/


def test_list_needs_credentials(api, org):
    assert api(None).get(url(org)).status_code == 401


def test_list_is_forbidden_to_the_region_viewer(api, org):
    viewer = member(org, Role.REGION_VIEWER, username="region")
    assert api(viewer).get(url(org)).status_code == 403


def test_list_of_another_organisation_is_404(api, org, outsider):
    assert api(outsider).get(url(org)).status_code == 404


def test_list_shows_only_this_organisations_referrals_and_filters(api, org, other_org, coordinator, person):
    mine = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    waiting = ReferralFactory(organisation=org)
    ReferralFactory(organisation=other_org)

    everything = api(coordinator).get(url(org)).json()
    received = api(coordinator).get(url(org) + "?status=received").json()
    assigned = api(coordinator).get(url(org) + "?mine=true").json()
    of_person = api(coordinator).get(url(org) + f"?person={person.pk}").json()

    assert everything["count"] == 2
    assert {r["id"] for r in everything["results"]} == {mine.pk, waiting.pk}
    assert [r["id"] for r in received["results"]] == [waiting.pk]
    assert [r["id"] for r in assigned["results"]] == [mine.pk]
    assert [r["id"] for r in of_person["results"]] == [mine.pk]


def test_list_refuses_an_unknown_status(api, org, coordinator):
    response = api(coordinator).get(url(org) + "?status=pending")
    assert response.status_code == 400
    assert "status" in response.json()


# --- GET referrals/{id}/


def test_detail_needs_credentials(api, org):
    referral = ReferralFactory(organisation=org)
    assert api(None).get(url(org, f"{referral.pk}/")).status_code == 401


def test_detail_is_forbidden_to_the_region_viewer(api, org):
    referral = ReferralFactory(organisation=org)
    viewer = member(org, Role.REGION_VIEWER, username="region")
    assert api(viewer).get(url(org, f"{referral.pk}/")).status_code == 403


def test_detail_of_another_organisations_referral_is_404(api, org, other_org, coordinator):
    foreign = ReferralFactory(organisation=other_org)
    assert api(coordinator).get(url(org, f"{foreign.pk}/")).status_code == 404


def test_detail_shows_the_conversations(api, org, coordinator):
    conversation = ConversationFactory(
        referral=AcceptedReferralFactory(organisation=org, care_coordinator=coordinator),
        goals=["Walk to the shops"],
    )

    data = api(coordinator).get(url(org, f"{conversation.referral_id}/")).json()

    assert data["status"] == "accepted"
    assert data["care_coordinator"] == coordinator.pk
    assert data["care_coordinator_name"] == coordinator.get_full_name()
    assert data["conversation_count"] == 1
    assert data["conversations"][0]["goals"] == ["Walk to the shops"]


# --- POST referrals/{id}/accept/, decline/, withdraw/


ACTIONS = {
    "accept": {},
    "decline": {"reason": "Not eligible"},
    "withdraw": {"reason": "Changed her mind"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_need_credentials(api, org, action):
    referral = ReferralFactory(organisation=org)
    assert (
        api(None).post(url(org, f"{referral.pk}/{action}/"), ACTIONS[action], format="json").status_code
        == 401
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_actions_are_forbidden_to_roles_that_do_not_decide(api, org, action, role):
    referral = ReferralFactory(organisation=org)
    user = member(org, role, username=f"u_{role}")

    response = api(user).post(url(org, f"{referral.pk}/{action}/"), ACTIONS[action], format="json")

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_on_another_organisations_referral_are_404(api, org, other_org, coordinator, action):
    foreign = ReferralFactory(organisation=other_org)
    broker = member(org, Role.BROKER, username="broker")

    response = api(coordinator).post(url(org, f"{foreign.pk}/{action}/"), ACTIONS[action], format="json")
    assert response.status_code == 404
    # A broker may not touch referrals at all: the same 403 for any id, so nothing is disclosed.
    for pk in (foreign.pk, 999_999):
        response = api(broker).post(url(org, f"{pk}/{action}/"), ACTIONS[action], format="json")
        assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.status == ReferralStatus.RECEIVED


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_on_a_declined_referral_are_409_naming_its_status(api, org, coordinator, action):
    referral = ReferralFactory(organisation=org, status=ReferralStatus.DECLINED)

    response = api(coordinator).post(url(org, f"{referral.pk}/{action}/"), ACTIONS[action], format="json")

    assert response.status_code == 409
    assert "declined" in response.json()["detail"]


def test_accept_twice_is_409(api, org, coordinator):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    response = api(coordinator).post(url(org, f"{referral.pk}/accept/"), {}, format="json")

    assert response.status_code == 409
    assert "accepted" in response.json()["detail"]


def test_accept_by_a_care_coordinator_assigns_them(api, org, coordinator):
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(url(org, f"{referral.pk}/accept/"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["care_coordinator"] == coordinator.pk


@pytest.mark.parametrize("by", ["id", "username"])
def test_accept_assigns_a_care_coordinator_named_by_id_or_username(api, org, coordinator, by):
    lead = member(org, Role.PHB_LEAD, username="lead")
    referral = ReferralFactory(organisation=org)
    value = coordinator.pk if by == "id" else coordinator.username

    response = api(lead).post(url(org, f"{referral.pk}/accept/"), {"care_coordinator": value}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["care_coordinator"] == coordinator.pk


def test_accept_by_someone_who_is_not_a_care_coordinator_must_name_one(api, org):
    team_lead = member(org, Role.TEAM_LEAD, username="teamlead")
    referral = ReferralFactory(organisation=org)

    response = api(team_lead).post(url(org, f"{referral.pk}/accept/"), {}, format="json")

    assert response.status_code == 400
    assert "care_coordinator" in response.json()


@pytest.mark.parametrize("value", ["nobody", "outsider", 999_999])
def test_accept_refuses_someone_who_is_not_a_care_coordinator_here(api, org, coordinator, outsider, value):
    member(org, Role.BROKER, username="nobody")
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/accept/"), {"care_coordinator": value}, format="json"
    )

    assert response.status_code == 400
    assert "care_coordinator" in response.json()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


@pytest.mark.parametrize("action", ["decline", "withdraw"])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 2001}])
def test_decline_and_withdraw_need_a_reason(api, org, coordinator, action, body):
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(url(org, f"{referral.pk}/{action}/"), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()


@pytest.mark.parametrize(("action", "status"), [("decline", "declined"), ("withdraw", "withdrawn")])
def test_decline_and_withdraw_record_the_reason(api, org, coordinator, action, status):
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/{action}/"), {"reason": "Moved away"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == status
    assert response.json()["status_reason"] == "Moved away"


# --- POST referrals/{id}/transfer/


def test_transfer_needs_credentials(api, org, other_org):
    referral = ReferralFactory(organisation=org)
    response = api(None).post(url(org, f"{referral.pk}/transfer/"), {"to_org": "15E", "reason": "Moved"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", FORBIDDEN_ROLES)
def test_transfer_is_forbidden_to_roles_that_do_not_decide(api, org, other_org, role):
    referral = ReferralFactory(organisation=org)
    user = member(org, role, username=f"u_{role}")

    response = api(user).post(url(org, f"{referral.pk}/transfer/"), {"to_org": "15E", "reason": "Moved"})

    assert response.status_code == 403
    assert not Referral.objects.filter(organisation=other_org).exists()


def test_transfer_of_another_organisations_referral_is_404(api, org, other_org, coordinator):
    foreign = ReferralFactory(organisation=other_org)
    response = api(coordinator).post(
        url(org, f"{foreign.pk}/transfer/"), {"to_org": "07T", "reason": "Moved"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("to_org", ["07T", "NOPE", ""])
def test_transfer_to_an_unknown_or_the_same_organisation_names_to_org(
    api, org, other_org, coordinator, to_org
):
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/transfer/"), {"to_org": to_org, "reason": "Moved"}
    )

    assert response.status_code == 400
    assert "to_org" in response.json()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_transfer_of_a_withdrawn_referral_is_409(api, org, other_org, coordinator):
    referral = ReferralFactory(organisation=org, status=ReferralStatus.WITHDRAWN)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/transfer/"), {"to_org": "15E", "reason": "Moved"}
    )

    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]


def test_transfer_end_to_end_the_receiving_organisation_accepts(api, org, other_org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    ConversationFactory(referral=referral)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/transfer/"), {"to_org": "15E", "reason": "Moved to Solihull"}, format="json"
    )

    assert response.status_code == 200, response.json()
    sent = response.json()
    assert sent["status"] == "transferred"
    assert sent["transferred_to"] == "15E"
    assert sent["transferred_to_name"] == "NHS Birmingham and Solihull"
    received = Referral.objects.get(organisation=other_org)
    # Nothing of the receiving side beyond its code and name reaches the sender.
    assert sent["person"] == person.pk
    assert received.person_id != person.pk
    assert not [key for key in sent if "transferred_as" in key]

    # The sending side keeps a read-only trace.
    again = api(coordinator).post(url(org, f"{referral.pk}/withdraw/"), {"reason": "x"}, format="json")
    assert again.status_code == 409
    record = api(coordinator).post(
        url(org, f"{referral.pk}/conversations/"), conversation_body(), format="json"
    )
    assert record.status_code == 409

    # The receiving side sees where it came from, and accepts it like any referral.
    theirs = member(other_org, Role.CARE_COORDINATOR, username="bs_cc")
    seen = api(theirs).get(f"/api/v1/orgs/15E/referrals/{received.pk}/").json()
    assert seen["status"] == "received"
    assert seen["transferred_from"] == "07T"
    assert seen["person"] == received.person_id
    accepted = api(theirs).post(f"/api/v1/orgs/15E/referrals/{received.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["care_coordinator"] == theirs.pk
    # ...and the sender cannot reach the receiving organisation's referral.
    assert api(coordinator).get(url(org, f"{received.pk}/")).status_code == 404


# --- referrals/{id}/conversations/


def test_conversations_need_credentials(api, org):
    referral = AcceptedReferralFactory(organisation=org)
    assert api(None).get(url(org, f"{referral.pk}/conversations/")).status_code == 401
    assert (
        api(None)
        .post(url(org, f"{referral.pk}/conversations/"), conversation_body(), format="json")
        .status_code
        == 401
    )


@pytest.mark.parametrize("role", [*FORBIDDEN_ROLES, Role.COMMISSIONER])
def test_recording_a_conversation_is_forbidden_to_other_roles(api, org, role):
    referral = AcceptedReferralFactory(organisation=org)
    user = member(org, role, username=f"u_{role}")

    response = api(user).post(url(org, f"{referral.pk}/conversations/"), conversation_body(), format="json")

    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_conversations_of_another_organisations_referral_are_404(api, org, other_org, coordinator):
    foreign = AcceptedReferralFactory(organisation=other_org)
    assert api(coordinator).get(url(org, f"{foreign.pk}/conversations/")).status_code == 404
    response = api(coordinator).post(
        url(org, f"{foreign.pk}/conversations/"), conversation_body(), format="json"
    )
    assert response.status_code == 404


def test_a_conversation_on_a_received_referral_is_409(api, org, coordinator):
    referral = ReferralFactory(organisation=org)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/conversations/"), conversation_body(), format="json"
    )

    assert response.status_code == 409
    assert "received" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("held_on", str(TODAY() + timedelta(days=1))),
        ("held_on", "yesterday"),
        ("mode", "carrier_pigeon"),
        ("participants", ["the_dog"]),
        ("goals", ["a goal"] * 21),
        ("goals", [""]),
        ("goals", ["x" * 1001]),
        ("goals", "not a list"),
    ],
)
def test_a_conversation_with_bad_input_is_400_naming_the_field(api, org, coordinator, field, value):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=coordinator)

    response = api(coordinator).post(
        url(org, f"{referral.pk}/conversations/"), conversation_body(**{field: value}), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Conversation.objects.exists()


def test_conversations_are_recorded_and_listed(api, org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)

    first = api(coordinator).post(
        url(org, f"{referral.pk}/conversations/"), conversation_body(), format="json"
    )
    second = api(coordinator).post(
        url(org, f"{referral.pk}/conversations/"), conversation_body(mode="phone", goals=[]), format="json"
    )
    listed = api(coordinator).get(url(org, f"{referral.pk}/conversations/")).json()

    assert first.status_code == 201, first.json()
    assert second.status_code == 201
    assert first.json()["goals"] == ["Get back to swimming", "See my grandchildren every week"]
    assert first.json()["participants"] == ["person", "family_carer"]
    assert listed["count"] == 2
    assert AuditEvent.objects.filter(action="conversation_recorded", person=person).count() == 2


# --- The person API


def test_the_person_api_lists_the_persons_referrals(api, org, coordinator, person):
    referral = AcceptedReferralFactory(organisation=org, person=person, care_coordinator=coordinator)
    ConversationFactory(referral=referral)
    ReferralFactory(organisation=org)  # someone else's
    record_event(
        actor=coordinator, organisation=org, obj=referral, action="referral_accepted", summary="Accepted"
    )

    data = api(coordinator).get(f"/api/v1/orgs/{org.code}/people/{person.pk}/").json()

    assert [r["id"] for r in data["referrals"]] == [referral.pk]
    assert data["referrals"][0]["status"] == "accepted"
    assert data["referrals"][0]["conversation_count"] == 1
    # The timeline shows what was done (opening the record goes to the access log, not here).
    assert [e["summary"] for e in data["timeline"]] == ["Accepted"]


def test_the_schema_describes_the_referral_endpoints(api, org_admin):
    response = api(org_admin).get("/api/schema/?format=json")

    paths = response.json()["paths"]
    for suffix in (
        "",
        "{id}/",
        "{id}/accept/",
        "{id}/decline/",
        "{id}/withdraw/",
        "{id}/transfer/",
        "{id}/conversations/",
    ):
        assert f"/api/v1/orgs/{{org}}/referrals/{suffix}" in paths
