"""Error messages in plain English, on every form page and API field, found by walking the URL conf.

Every page with a form is posted empty (and with nonsense) as a member with every role; no page may
answer with one of Django's default messages ("This field is required."), which name neither the
field nor what to do. The API's 400 answers say which field and what to do the same way.
"""

import pytest
from django.test import Client

from phb.constants import Role
from phb.demo import seed_all
from phb.models import Organisation
from tests.conftest import api_client_for
from tests.factories import member
from tests.test_forms_round_trip import ACTION_PAGES, EDIT_PAGES, _named_routes
from tests.test_isolation import _fill, _kwargs_in

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = [
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Ensure that there are no more than",
    "Select a valid choice",
    "is not one of the available choices",
    "This field cannot be",
    "Enter a whole number",
    "Enter a number",
]


@pytest.fixture
def insider(db):
    seed_all()
    home = Organisation.objects.get(code="07T")
    user = member(home, *Role.values, username="insider")
    client = Client()
    client.force_login(user)
    return {"client": client, "organisation": home, "user": user}


def test_no_form_page_answers_with_a_django_default_message(insider):
    home = insider["organisation"]
    failures = []
    for name in sorted(EDIT_PAGES | ACTION_PAGES):
        route, view = _named_routes()[name]
        if set(_kwargs_in(route)) - {"org", "pk"}:
            continue  # a version number, not an object with a form
        values = {"org": home.code}
        if "pk" in _kwargs_in(route):
            obj = view.model.objects.filter(organisation=home).order_by("pk").first()
            values["pk"] = obj.pk
        url = _fill(route, **values)
        for body in ({}, {"amount": "lots", "date_of_birth-year": "79", "q": "x" * 500}):
            response = insider["client"].post(url, body, follow=True)
            text = response.content.decode(errors="ignore")
            found = [phrase for phrase in DJANGO_DEFAULTS if phrase in text]
            if response.status_code >= 500 or found:
                failures.append(f"POST {url} {sorted(body)} -> {response.status_code} {found}")
    assert failures == [], "\n".join(failures)


def test_api_says_which_field_is_missing_and_what_to_enter(org, coordinator):
    response = api_client_for(coordinator).post("/api/v1/orgs/07T/people/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["date_of_birth"] == ["Enter the date of birth"]
    assert body["nhs_number"] == ["Enter the NHS number"]
    assert "This field is required." not in str(body)


def test_api_explains_a_date_in_the_wrong_format(org, coordinator):
    response = api_client_for(coordinator).post(
        "/api/v1/orgs/07T/people/", {"date_of_birth": "14/05/1979"}, format="json"
    )
    assert response.json()["date_of_birth"] == [
        "Date of birth must be a real date, written YYYY-MM-DD (like 2026-12-01)"
    ]


def test_api_names_the_item_field_and_its_limit(org, coordinator, person):
    response = api_client_for(coordinator).post(
        "/api/v1/orgs/07T/plans/",
        {
            "person": person.pk,
            "start_date": "2026-01-05",
            "end_date": "2026-12-31",
            "management": "direct_payment",
            "items": [{"description": "Swim", "category": "other", "amount": "0.00", "frequency": "one_off"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["items"]["0"]["amount"] == ["Amount must be 0.01 or more"]


def test_staff_form_shows_every_problem_at_once_and_refuses_an_account_with_no_roles(org, org_admin):
    client = Client()
    client.force_login(org_admin)
    response = client.post("/o/07T/staff/new/", {"username": "newstarter", "password": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Select at least one role" in text
    assert "Enter a password for the new account" in text
    assert 'class="nhsuk-error-summary"' in text


def test_a_refusal_names_the_role_in_words(org):
    from approvals.policy import refusal

    message = refusal(
        decision="approve",
        role="care_coordinator",
        user_id=2,
        user_roles={"care_coordinator"},
        submitter_id=1,
        submitter_may_sign=True,
        required=[{"role": "care_coordinator", "count": 1}],
        decisions=[type("Fact", (), {"user_id": 3, "role": "care_coordinator", "decision": "approve"})()],
    )
    assert message == "The care coordinator sign-off is already given."
