"""The kernel's API: token auth, organisations, members, people; 401/403/404/400 and happy paths."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from phb.constants import Role
from phb.models import AuditEvent, Membership, Organisation, Person, RecordAccess
from tests.factories import PersonFactory, member
from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "nhs_number": "9434765919",
    "given_name": "Amara",
    "family_name": "Okafor",
    "date_of_birth": "1985-04-12",
    "gender": "2",
    "ethnicity": "N",
    "cohorts": ["mental_health", "s117"],
}


def test_token_is_issued_for_a_correct_password_and_works_as_a_header(org, coordinator):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "coordinator", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/orgs/").json()["results"][0]["code"] == "07T"


def test_token_is_refused_for_a_wrong_password(org, coordinator):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "coordinator", "password": "nope"}, format="json"
    )
    assert response.status_code == 400


def test_no_credentials_is_401(org):
    assert APIClient().get("/api/v1/orgs/07T/people/").status_code == 401


def test_superuser_creates_an_organisation(api, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    body = {
        "code": "QWE",
        "name": "NHS South West London",
        "region": "London",
        "population": 1500000,
        "ambition_target": 3000,
        "ambition_date": "2027-03-31",
    }
    response = api(admin).post("/api/v1/orgs/", body, format="json")
    assert response.status_code == 201
    assert response.json()["code"] == "QWE"
    organisation = Organisation.objects.get(code="QWE")
    assert AuditEvent.objects.filter(organisation=organisation, action="organisation_created").exists()


def test_only_a_superuser_creates_organisations(api, org, org_admin):
    response = api(org_admin).post(
        "/api/v1/orgs/", {"code": "QWE", "name": "X", "region": "London"}, format="json"
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="QWE").exists()


def test_an_organisation_with_a_bad_code_is_refused_naming_the_field(api, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    response = api(admin).post(
        "/api/v1/orgs/", {"code": "bad code!", "name": "X", "region": "London"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_member_sees_their_organisation_and_outsider_gets_404(api, org, coordinator, outsider):
    assert api(coordinator).get("/api/v1/orgs/07T/").json()["name"] == "NHS City and Hackney"
    assert api(outsider).get("/api/v1/orgs/07T/").status_code == 404


def test_org_admin_adds_a_member_with_roles_and_team(api, org, org_admin):
    from tests.factories import TeamFactory

    TeamFactory(organisation=org, name="Recovery")
    body = {
        "username": "newlead",
        "email": "newlead@example.nhs.uk",
        "password": "a-long-Passphrase-42",
        "roles": ["team_lead", "care_coordinator"],
        "team": "Recovery",
    }
    response = api(org_admin).post("/api/v1/orgs/07T/members/", body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["roles"]) == ["care_coordinator", "team_lead"]
    membership = Membership.objects.get(user__username="newlead", organisation=org)
    assert membership.team.name == "Recovery"
    assert get_user_model().objects.get(username="newlead").check_password("a-long-Passphrase-42")


def test_a_care_coordinator_cannot_add_members(api, org, coordinator):
    body = {"username": "x", "password": "a-long-Passphrase-42", "roles": ["finance"]}
    assert api(coordinator).post("/api/v1/orgs/07T/members/", body, format="json").status_code == 403


def test_an_unknown_role_is_a_400_naming_roles(api, org, org_admin):
    body = {"username": "x", "password": "a-long-Passphrase-42", "roles": ["wizard"]}
    response = api(org_admin).post("/api/v1/orgs/07T/members/", body, format="json")
    assert response.status_code == 400
    assert "roles" in response.json()
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_weak_password_is_a_400_naming_password(api, org, org_admin):
    body = {"username": "weak", "password": "123", "roles": ["finance"]}
    response = api(org_admin).post("/api/v1/orgs/07T/members/", body, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_creating_a_person_records_cohorts_and_an_audit_event(api, org, coordinator):
    response = api(coordinator).post("/api/v1/orgs/07T/people/", NEW_PERSON, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["cohorts"] == ["mental_health", "s117"]
    person = Person.objects.get(nhs_number="9434765919")
    event = AuditEvent.objects.get(person=person, action="person_created")
    assert event.actor == coordinator and event.after["family_name"] == "Okafor"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nhs_number", "9434765918"),
        ("nhs_number", "12345"),
        ("gender", "M"),
        ("ethnicity", "Q"),
        ("cohorts", ["unicorns"]),
        ("date_of_birth", "12/04/1985"),
        ("given_name", "x" * 101),
    ],
)
def test_bad_person_details_are_a_400_naming_the_field_and_nothing_is_saved(
    api, org, coordinator, field, value
):
    response = api(coordinator).post("/api/v1/orgs/07T/people/", {**NEW_PERSON, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Person.objects.exists()


def test_malformed_json_is_a_400(org, coordinator):
    client = APIClient()
    client.force_authenticate(coordinator)
    response = client.post("/api/v1/orgs/07T/people/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_same_nhs_number_twice_in_one_organisation_is_refused(api, org, coordinator):
    api(coordinator).post("/api/v1/orgs/07T/people/", NEW_PERSON, format="json")
    response = api(coordinator).post("/api/v1/orgs/07T/people/", NEW_PERSON, format="json")
    assert response.status_code == 400
    assert "nhs_number" in response.json()


def test_search_finds_by_name_and_by_nhs_number_with_spaces(api, org, coordinator):
    amara = PersonFactory(organisation=org, given_name="Amara", family_name="Okafor")
    PersonFactory(organisation=org, given_name="George", family_name="Whitfield")
    by_name = api(coordinator).get("/api/v1/orgs/07T/people/?search=okaf").json()
    assert [p["id"] for p in by_name["results"]] == [amara.pk]
    spaced = f"{amara.nhs_number[:3]} {amara.nhs_number[3:6]} {amara.nhs_number[6:]}"
    by_number = api(coordinator).get("/api/v1/orgs/07T/people/", {"search": spaced}).json()
    assert by_number["count"] == 1 and by_number["results"][0]["id"] == amara.pk


def test_opening_a_person_is_logged_and_shows_the_timeline(api, org, coordinator, person):
    from phb.services import person_update

    person_update(actor=coordinator, person=person, given_name="Amaka")
    response = api(coordinator).get(f"/api/v1/orgs/07T/people/{person.pk}/")
    assert response.status_code == 200
    logged = RecordAccess.objects.get(person=person, user=coordinator)
    assert (logged.what, logged.channel) == ("person", "api")
    # The timeline is the person's care; reads are in the access log, not in it.
    assert [e["action"] for e in response.json()["timeline"]] == ["person_updated"]


def test_updating_a_person_records_before_and_after(api, org, coordinator, person):
    response = api(coordinator).patch(
        f"/api/v1/orgs/07T/people/{person.pk}/", {"family_name": "Adeyemi"}, format="json"
    )
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(person=person, action="person_updated")
    assert (event.before["family_name"], event.after["family_name"]) == ("Okafor", "Adeyemi")


def test_a_region_viewer_cannot_see_person_level_data(api, org, person):
    viewer = member(org, Role.REGION_VIEWER, username="regional")
    assert api(viewer).get("/api/v1/orgs/07T/people/").status_code == 403
    assert api(viewer).get(f"/api/v1/orgs/07T/people/{person.pk}/").status_code == 403


def test_another_organisations_person_is_404(api, org, other_org, outsider, person):
    assert api(outsider).get(f"/api/v1/orgs/15E/people/{person.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/orgs/07T/people/{person.pk}/").status_code == 404


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/orgs/",
        "/api/v1/orgs/{org}/members/",
        "/api/v1/orgs/{org}/people/",
    ):
        assert path in text
    assert client.get("/api/docs/").status_code == 200


API_MD_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/orgs/",
    "/api/v1/orgs/{org}/",
    "/api/v1/orgs/{org}/members/",
    "/api/v1/orgs/{org}/members/{id}/",
    "/api/v1/orgs/{org}/invitations/",
    "/api/v1/invitations/{token}/accept/",
    "/api/v1/orgs/{org}/approval-policy/",
    "/api/v1/orgs/{org}/review-policy/",
    "/api/v1/orgs/{org}/people/",
    "/api/v1/orgs/{org}/people/{id}/",
    "/api/v1/orgs/{org}/referrals/",
    "/api/v1/orgs/{org}/referrals/{id}/accept/",
    "/api/v1/orgs/{org}/referrals/{id}/decline/",
    "/api/v1/orgs/{org}/referrals/{id}/transfer/",
    "/api/v1/orgs/{org}/referrals/{id}/conversations/",
    "/api/v1/orgs/{org}/plans/",
    "/api/v1/orgs/{org}/plans/{id}/",
    "/api/v1/orgs/{org}/plans/{id}/submit/",
    "/api/v1/orgs/{org}/plans/{id}/revise/",
    "/api/v1/orgs/{org}/plans/{id}/close/",
    "/api/v1/orgs/{org}/plans/{id}/pdf/",
    "/api/v1/orgs/{org}/approvals/",
    "/api/v1/orgs/{org}/approvals/{id}/",
    "/api/v1/orgs/{org}/approvals/{id}/decisions/",
    "/api/v1/orgs/{org}/plans/{id}/account/",
    "/api/v1/orgs/{org}/plans/{id}/account/release/",
    "/api/v1/orgs/{org}/plans/{id}/payments/",
    "/api/v1/orgs/{org}/payments/",
    "/api/v1/orgs/{org}/reviews/",
    "/api/v1/orgs/{org}/plans/{id}/reviews/",
    "/api/v1/orgs/{org}/reviews/{id}/complete/",
    "/api/v1/orgs/{org}/funds/",
    "/api/v1/orgs/{org}/funds/{id}/",
    "/api/v1/orgs/{org}/dashboard/",
    "/api/v1/orgs/{org}/returns/phb/",
    "/api/v1/regions/{region}/dashboard/",
]


def test_the_openapi_schema_is_valid_and_describes_every_path_of_the_contract(tmp_path):
    import yaml
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = set(yaml.safe_load(target.read_text())["paths"])
    missing = [p for p in API_MD_PATHS if p not in paths]
    assert missing == []
