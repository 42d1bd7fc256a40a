"""Each role sees what its job needs (issue 13, findings 1 and 3's visibility; DESIGN.md "Least
privilege"): lay panel members see case summaries, org admins no clinical record, commissioners a
person only from their panel, finance and brokers the people on accounts; several roles add up."""

from datetime import date

import pytest
from django.test import Client

from phb.constants import Role
from tests.factories import (
    HACKNEY_TIERS,
    ApprovalPolicyFactory,
    PersonFactory,
    ReferralFactory,
    approval_request_for,
    approved_plan,
    member,
    open_account,
    submitted_plan,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/07T"


@pytest.fixture
def panel(org):
    """A Hackney-shaped policy; one request at the panel tier (lay reviewer + PHB lead + commissioner)
    and one small enough for a care coordinator alone."""
    ApprovalPolicyFactory(organisation=org, tiers=HACKNEY_TIERS)
    submitter = member(org, Role.CARE_COORDINATOR, username="submitter")
    on_panel = PersonFactory(
        organisation=org,
        given_name="Amara",
        family_name="Okafor",
        date_of_birth=date(1961, 3, 14),
        cohorts=["mental_health"],
    )
    big = approval_request_for(submitted_plan(org, person=on_panel, total="2400.00"), submitter)
    small = approval_request_for(submitted_plan(org, total="120.00"), submitter)
    return {"big": big, "small": small, "person": on_panel}


def test_a_lay_reviewer_cannot_list_open_or_edit_people(api, org, person):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    client = api(reviewer)
    assert client.get(f"{API}/people/").status_code == 403
    assert client.get(f"{API}/people/{person.pk}/").status_code == 403
    assert client.patch(f"{API}/people/{person.pk}/", {"given_name": "X"}, format="json").status_code == 403
    page = Client()
    page.force_login(reviewer)
    assert page.get(f"/o/07T/people/{person.pk}/").status_code == 403
    assert page.get(f"/o/07T/people/{person.pk}/edit/").status_code == 403


def test_a_lay_reviewer_cannot_read_referrals_accounts_or_reviews(api, org, person):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    referral = ReferralFactory(organisation=org, person=person)
    plan = approved_plan(org, person=person)
    open_account(plan)
    client = api(reviewer)
    assert client.get(f"{API}/referrals/").status_code == 403
    assert client.get(f"{API}/referrals/{referral.pk}/").status_code == 403
    assert client.get(f"{API}/plans/{plan.pk}/account/").status_code == 403
    assert client.get(f"{API}/reviews/").status_code == 403


def test_a_lay_reviewer_sees_their_panel_requests_as_a_case_summary_without_identifiers(api, org, panel):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    listed = api(reviewer).get(f"{API}/approvals/?mine=true")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [panel["big"].pk]
    detail = api(reviewer).get(f"{API}/approvals/{panel['big'].pk}/")
    assert detail.status_code == 200
    case = detail.json()["case"]
    assert case["name"] == "Amara O."
    assert case["age_band"] == "65+"
    assert case["cohorts"] == ["mental_health"]
    assert case["goals"][0]["description"] == "Get back to swimming every week"
    assert case["items"][0]["amount"] == "2400.00"
    assert case["costs"]["total"] == "2400.00"
    assert case["tier"] == 3
    text = detail.content.decode()
    person = panel["person"]
    for identifier in (person.nhs_number, "1961-03-14", "Okafor", "nhs_number", "date_of_birth"):
        assert identifier not in text
    assert "person" not in detail.json()


def test_a_lay_reviewer_is_refused_a_request_with_no_slot_for_them(api, org, panel):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    assert api(reviewer).get(f"{API}/approvals/{panel['small'].pk}/").status_code == 403
    listed = api(reviewer).get(f"{API}/approvals/").json()["results"]
    assert [r["id"] for r in listed] == [panel["big"].pk]


def test_a_lay_reviewers_decision_page_shows_the_case_not_the_person(org, panel):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    client = Client()
    client.force_login(reviewer)
    page = client.get(f"/o/07T/approvals/{panel['big'].pk}/").content.decode()
    assert "Amara O." in page
    assert "Okafor" not in page and panel["person"].nhs_number_display not in page
    assert "14 Mar 1961" not in page and "Missing sessions" not in page  # the risk: a clinical note
    queue = client.get("/o/07T/approvals/?tab=team").content.decode()
    assert "Amara O." in queue and "Okafor" not in queue


def test_an_org_admin_cannot_read_a_clinical_record(api, org, org_admin, person):
    plan = approved_plan(org, person=person)
    client = api(org_admin)
    assert client.get(f"{API}/people/").status_code == 403
    assert client.get(f"{API}/people/{person.pk}/").status_code == 403
    assert client.get(f"{API}/plans/{plan.pk}/").status_code == 403
    assert client.get(f"{API}/referrals/").status_code == 403
    assert client.get(f"{API}/dashboard/").status_code == 403  # it lists unfunded people by name
    assert client.get(f"{API}/members/").status_code == 200


def test_a_commissioner_opens_a_person_only_from_their_panel(api, org, panel):
    commissioner = member(org, Role.COMMISSIONER)
    client = api(commissioner)
    assert client.get(f"{API}/people/{panel['person'].pk}/").status_code == 200
    assert client.get(f"{API}/plans/{panel['big'].plan_id}/").status_code == 200
    assert client.get(f"{API}/people/{panel['small'].person_id}/").status_code == 403
    assert client.get(f"{API}/plans/{panel['small'].plan_id}/").status_code == 403
    listed = client.get(f"{API}/people/").json()["results"]
    assert [p["id"] for p in listed] == [panel["person"].pk]
    # Every request, with its person, is theirs to see.
    assert client.get(f"{API}/approvals/{panel['small'].pk}/").json()["person"] == panel["small"].person_id


def test_finance_and_brokers_see_the_people_on_accounts_only(api, org):
    on_account = approved_plan(org, total="300.00")
    open_account(on_account)
    elsewhere = PersonFactory(organisation=org)
    for role in (Role.FINANCE, Role.BROKER):
        client = api(member(org, role))
        assert client.get(f"{API}/people/{on_account.person_id}/").status_code == 200
        assert client.get(f"{API}/people/{elsewhere.pk}/").status_code == 403
        assert [p["id"] for p in client.get(f"{API}/people/").json()["results"]] == [on_account.person_id]
        assert client.get(f"{API}/plans/{on_account.pk}/account/").status_code == 200
        # The person's record shows the account, not the referrals or reviews.
        record = client.get(f"{API}/people/{on_account.person_id}/").json()
        assert "referrals" not in record and "reviews" not in record


def test_several_roles_see_the_union_of_what_each_may(api, org, panel):
    both = member(org, Role.LIVED_EXPERIENCE_REVIEWER, Role.COMMISSIONER)
    detail = api(both).get(f"{API}/approvals/{panel['small'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["person"] == panel["small"].person_id and "case" not in detail.json()
    assert api(both).get(f"{API}/people/{panel['person'].pk}/").status_code == 200


def test_the_navigation_offers_only_pages_the_user_may_open(org):
    reviewer = member(org, Role.LIVED_EXPERIENCE_REVIEWER)
    admin = member(org, Role.ORG_ADMIN)
    for user, shown, hidden in (
        (reviewer, ["Approvals"], ["People", "Payments", "Reviews", "Dashboard", "Staff"]),
        (admin, ["Staff", "Access log"], ["People", "Caseload", "Dashboard", "Payments"]),
    ):
        client = Client()
        client.force_login(user)
        labels = [item["label"] for item in client.get("/o/07T/").context["navigation"]]
        assert all(label in labels for label in shown), labels
        assert not any(label in labels for label in hidden), labels


def test_the_person_page_offers_editing_only_to_those_who_may_edit(org, coordinator):
    plan = approved_plan(org, total="300.00")
    open_account(plan)
    finance = member(org, Role.FINANCE)
    for user, offered in ((coordinator, True), (finance, False)):
        client = Client()
        client.force_login(user)
        page = client.get(f"/o/07T/people/{plan.person_id}/").content.decode()
        assert ("Edit details" in page) is offered
        assert ("Add a person" in client.get("/o/07T/people/").content.decode()) is offered
