"""The kernel's pages: home and organisation choice, people, staff and teams, organisations."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from phb.constants import Role
from phb.models import AuditEvent, Membership, Organisation, Person, RecordAccess, Team
from tests.factories import MembershipFactory, PersonFactory, member

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_of_one_organisation_lands_on_its_home_page(org, coordinator):
    response = client_for(coordinator).get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/o/07T/"
    assert "Care coordinator" in response.content.decode()


def test_a_member_of_two_organisations_chooses_one(org, other_org, coordinator):
    MembershipFactory(organisation=other_org, user=coordinator, roles=[Role.BROKER])
    response = client_for(coordinator).get("/")
    assert response.status_code == 200
    assert "Choose an organisation" in response.content.decode()


def test_the_last_organisation_used_is_remembered(org, other_org, coordinator):
    MembershipFactory(organisation=other_org, user=coordinator, roles=[Role.BROKER])
    client = client_for(coordinator)
    client.get("/o/15E/")
    assert client.get("/").url == "/o/15E/"


def test_anonymous_users_are_sent_to_sign_in(org):
    response = Client().get("/o/07T/people/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_adding_a_person_keeps_what_was_typed_when_the_nhs_number_is_wrong(org, coordinator):
    data = {
        "nhs_number": "943 476 5918",
        "given_name": "Amara",
        "family_name": "Okafor",
        "date_of_birth": "1985-04-12",
        "gender": "2",
        "ethnicity": "N",
        "cohorts": ["s117"],
    }
    response = client_for(coordinator).post("/o/07T/people/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "check digit" in page
    assert 'value="Okafor"' in page
    assert not Person.objects.exists()


def test_adding_a_person_with_spaces_in_the_nhs_number(org, coordinator):
    data = {
        "nhs_number": "943 476 5919",
        "given_name": "Amara",
        "family_name": "Okafor",
        "date_of_birth": "1985-04-12",
        "gender": "2",
        "ethnicity": "N",
        "cohorts": ["s117", "mental_health"],
    }
    response = client_for(coordinator).post("/o/07T/people/new/", data)
    person = Person.objects.get()
    assert response.url == f"/o/07T/people/{person.pk}/"
    assert person.nhs_number == "9434765919" and person.cohort_codes == ["mental_health", "s117"]


def test_opening_a_record_in_the_browser_is_logged(org, coordinator):
    person = PersonFactory(organisation=org)
    response = client_for(coordinator).get(f"/o/07T/people/{person.pk}/")
    assert response.status_code == 200
    assert RecordAccess.objects.filter(person=person, what="person", user=coordinator, channel="web").exists()


def test_search_page_finds_people_by_name(org, coordinator):
    PersonFactory(organisation=org, given_name="Priya", family_name="Shah")
    PersonFactory(organisation=org, given_name="George", family_name="Whitfield")
    page = client_for(coordinator).get("/o/07T/people/?q=shah").content.decode()
    assert "Shah, Priya" in page and "Whitfield" not in page


def test_org_admin_adds_staff_with_roles_in_the_browser(org, org_admin):
    team = Team.objects.create(organisation=org, name="Recovery")
    data = {
        "username": "newcoord",
        "first_name": "Nia",
        "last_name": "Jones",
        "email": "nia@example.nhs.uk",
        "password": "a-long-Passphrase-42",
        "roles": ["care_coordinator"],
        "team": team.pk,
    }
    response = client_for(org_admin).post("/o/07T/staff/new/", data)
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newcoord")
    assert membership.role_codes == {"care_coordinator"} and membership.team == team


def test_org_admin_changes_roles_and_deactivates(org, org_admin, coordinator):
    membership = Membership.objects.get(user=coordinator)
    response = client_for(org_admin).post(
        f"/o/07T/staff/{membership.pk}/", {"roles": ["team_lead", "care_coordinator"], "team": ""}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role_codes == {"team_lead", "care_coordinator"} and not membership.is_active
    event = AuditEvent.objects.get(action="member_updated")
    assert event.before["roles"] == ["care_coordinator"]


def test_a_deactivated_member_can_no_longer_reach_the_organisation(org, org_admin, coordinator):
    membership = Membership.objects.get(user=coordinator)
    client_for(org_admin).post(f"/o/07T/staff/{membership.pk}/", {"roles": ["care_coordinator"]})
    assert client_for(coordinator).get("/o/07T/people/").status_code == 404


def test_staff_pages_are_for_org_admins_only(org, coordinator):
    assert client_for(coordinator).get("/o/07T/staff/").status_code == 403


def test_org_admin_adds_a_team_and_a_duplicate_is_refused(org, org_admin):
    client = client_for(org_admin)
    client.post("/o/07T/teams/", {"name": "Recovery"})
    response = client.post("/o/07T/teams/", {"name": "recovery"})
    assert "already a team" in response.content.decode()
    assert Team.objects.filter(organisation=org).count() == 1


def test_a_superuser_sets_up_an_organisation_in_the_browser(db):
    root = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", "x")
    data = {
        "code": "QWE",
        "name": "NHS South West London",
        "region": "London",
        "population": 1500000,
        "ambition_target": 3000,
        "ambition_date": "2027-03-31",
    }
    response = client_for(root).post("/organisations/new/", data)
    assert response.url == "/o/QWE/staff/new/"
    assert Organisation.objects.get(code="QWE").name == "NHS South West London"


def test_only_a_superuser_sets_up_organisations(org, org_admin):
    assert client_for(org_admin).get("/organisations/new/").status_code == 403


def test_a_commissioner_changes_the_unfunded_threshold(org):
    commissioner = member(org, Role.COMMISSIONER)
    data = {
        "name": org.name,
        "region": org.region,
        "population": 290000,
        "ambition_target": 600,
        "ambition_date": "2027-03-31",
        "stale_approval_days": 3,
        "unfunded_after_days": 10,
    }
    response = client_for(commissioner).post("/o/07T/settings/", data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.stale_approval_days, org.unfunded_after_days) == (3, 10)
