"""Transfers through the API and the pages: 409 in the sender, the receiver's list, the trace's outcome."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from phb.constants import Role
from referrals.models import Referral
from tests.factories import AcceptedReferralFactory, member

pytestmark = pytest.mark.django_db

RECEIVED_ON = timezone.localdate() - timedelta(days=40)


@pytest.fixture
def their_lead(other_org):
    return member(other_org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="bs_lead")


@pytest.fixture
def transferred(api, org, other_org, coordinator, person, their_lead):
    referral = AcceptedReferralFactory(
        organisation=org, person=person, care_coordinator=coordinator, received_on=RECEIVED_ON
    )
    response = api(coordinator).post(
        f"/api/v1/orgs/07T/referrals/{referral.pk}/transfer/",
        {"to_org": "15E", "reason": "Moved to Solihull"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return referral


def _received_pk(other_org):
    return Referral.objects.get(organisation=other_org).pk


def test_the_sender_gets_409_naming_the_transfer_for_a_new_referral(api, transferred, coordinator, person):
    response = api(coordinator).post(
        "/api/v1/orgs/07T/referrals/",
        {"person": person.pk, "source": "gp", "cohort": "s117", "received_on": str(timezone.localdate())},
        format="json",
    )
    assert response.status_code == 409
    assert "transferred to NHS Birmingham and Solihull (15E)" in response.json()["detail"]
    assert response.json()["transfer"] == transferred.pk


def test_the_sender_gets_409_for_a_new_plan(api, transferred, coordinator, person):
    response = api(coordinator).post(
        "/api/v1/orgs/07T/plans/",
        {
            "person": person.pk,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "management": "direct_payment",
            "items": [
                {"description": "Pass", "category": "other", "amount": "10.00", "frequency": "one_off"}
            ],
        },
        format="json",
    )
    assert response.status_code == 409
    assert "transferred to NHS Birmingham and Solihull" in response.json()["detail"]


def test_the_receivers_received_list_shows_where_from_and_the_original_date(api, transferred, their_lead):
    response = api(their_lead).get("/api/v1/orgs/15E/referrals/?status=received")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["transferred_from"] == "07T"
    assert row["received_on"] == str(RECEIVED_ON)


def test_the_senders_trace_shows_pending_then_declined(api, transferred, coordinator, their_lead, other_org):
    trace = api(coordinator).get(f"/api/v1/orgs/07T/referrals/{transferred.pk}/").json()
    assert trace["transfer_outcome"] == "pending"

    declined = api(their_lead).post(
        f"/api/v1/orgs/15E/referrals/{_received_pk(other_org)}/decline/",
        {"reason": "Not our area"},
        format="json",
    )
    assert declined.status_code == 200

    trace = api(coordinator).get(f"/api/v1/orgs/07T/referrals/{transferred.pk}/").json()
    assert trace["status"] == "transferred"
    assert trace["transfer_outcome"] == "declined"
    assert trace["transfer_outcome_reason"] == "Not our area"


def test_the_senders_trace_shows_accepted(api, transferred, coordinator, their_lead, other_org):
    accepted = api(their_lead).post(
        f"/api/v1/orgs/15E/referrals/{_received_pk(other_org)}/accept/", {}, format="json"
    )
    assert accepted.status_code == 200

    trace = api(coordinator).get(f"/api/v1/orgs/07T/referrals/{transferred.pk}/").json()
    assert trace["transfer_outcome"] == "accepted"


def _page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path).content.decode()


def test_the_trace_page_says_declined_by_the_receiver_and_the_person_may_be_referred_again(
    api, transferred, coordinator, their_lead, other_org, person
):
    html = _page(coordinator, f"/o/07T/people/{person.pk}/")
    assert "No new referral or plan can be opened here" in html

    api(their_lead).post(
        f"/api/v1/orgs/15E/referrals/{_received_pk(other_org)}/decline/",
        {"reason": "Not our area"},
        format="json",
    )

    html = _page(coordinator, f"/o/07T/referrals/{transferred.pk}/")
    assert "Declined by NHS Birmingham and Solihull" in html
    assert "Not our area" in html
    html = _page(coordinator, f"/o/07T/people/{person.pk}/")
    assert "declined by them" in html
    assert "New referral" in html


def test_a_new_referral_on_the_page_names_the_transfer(transferred, coordinator, person):
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        "/o/07T/referrals/new/",
        {"person": person.pk, "source": "gp", "cohort": "s117", "received_on": str(timezone.localdate())},
        follow=True,
    )
    assert "transferred to NHS Birmingham and Solihull (15E)" in response.content.decode()
    assert Referral.objects.filter(organisation__code="07T").count() == 1
