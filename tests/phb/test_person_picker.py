"""The person picker: search as you type by name or NHS number, scoped to the organisation, and
a form that works without JavaScript (Search posts the form, keeps what was typed, lists people)."""

import pytest
from django.test import Client

from referrals.models import Referral
from tests.factories import PersonFactory, valid_nhs_number

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_picker_finds_people_by_the_start_of_a_name(org, coordinator):
    PersonFactory(organisation=org, given_name="Amara", family_name="Okafor")
    PersonFactory(organisation=org, given_name="Daniel", family_name="Hughes")
    text = client_for(coordinator).get("/o/07T/people/pick/", {"person_q": "oka"}).content.decode()
    assert "Okafor, Amara" in text
    assert "Hughes" not in text
    assert 'name="person" type="radio"' in text


def test_picker_finds_people_by_nhs_number_typed_with_spaces(org, coordinator):
    person = PersonFactory(organisation=org, nhs_number=valid_nhs_number(77), family_name="Shah")
    typed = f"{person.nhs_number[:3]} {person.nhs_number[3:6]}"
    text = client_for(coordinator).get("/o/07T/people/pick/", {"person_q": typed}).content.decode()
    assert "Shah" in text


def test_picker_never_shows_another_organisations_people(org, other_org, coordinator):
    PersonFactory(organisation=other_org, given_name="Amara", family_name="Okafor")
    text = client_for(coordinator).get("/o/07T/people/pick/", {"person_q": "okafor"}).content.decode()
    assert "Okafor" not in text
    assert "Nobody here matches" in text


def test_picker_shows_at_most_ten_people_in_a_constant_number_of_queries(
    org, coordinator, django_assert_max_num_queries
):
    for index in range(30):
        PersonFactory(organisation=org, given_name=f"Sam{index}", family_name="Smith", cohorts=[])
    client = client_for(coordinator)
    with django_assert_max_num_queries(12):
        text = client.get("/o/07T/people/pick/", {"person_q": "smith"}).content.decode()
    assert text.count('type="radio"') == 10


def test_referral_form_lists_no_dropdown_of_everyone(org, coordinator):
    for index in range(5):
        PersonFactory(organisation=org, family_name=f"Listed{index}")
    text = client_for(coordinator).get("/o/07T/referrals/new/").content.decode()
    assert "Listed" not in text
    assert 'type="search"' in text


def test_without_javascript_search_keeps_what_was_typed_and_lists_the_people(org, coordinator):
    PersonFactory(organisation=org, given_name="Amara", family_name="Okafor")
    response = client_for(coordinator).post(
        "/o/07T/referrals/new/",
        {
            "person_q": "Okafor",
            "person_search": "1",
            "source": "gp",
            "cohort": "mental_health",
            "received_on-day": "1",
            "received_on-month": "11",
            "received_on-year": "2026",
            "notes": "Low mood since losing her job",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Okafor, Amara" in text
    assert "Select the person from the search results" in text
    assert "Low mood since losing her job" in text
    assert not Referral.objects.exists()
