"""Impossible dates are refused, with a plain message against the field, by the API and the pages alike.

One rule set (phb/dates.py): every date from 1900 to 2100; a date of birth, a conversation or a
review held, a payment made: not in the future; a conversation not before its referral; a plan of
at most five years. Nothing is stored when a date is refused.
"""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from payments.models import LedgerEntry
from phb import dates
from phb.constants import Role
from phb.fields import DateField
from phb.models import Person
from referrals.models import Conversation
from reviews.constants import ReviewStatus
from support_plans.models import SupportPlan
from tests.conftest import api_client_for
from tests.factories import AcceptedReferralFactory, PersonFactory, ReviewFactory, member, valid_nhs_number
from tests.factories.payments import funded_account

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def writer(org):
    return member(org, Role.CARE_COORDINATOR, Role.TEAM_LEAD, username="writer")


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def person_body(**changes):
    return {
        "nhs_number": valid_nhs_number(4242),
        "given_name": "Amara",
        "family_name": "Okafor",
        "date_of_birth": "1985-04-12",
        "gender": "2",
        "ethnicity": "N",
        "cohorts": ["mental_health"],
        **changes,
    }


def plan_body(person, **changes):
    return {
        "person": person.pk,
        "start_date": "2026-01-05",
        "end_date": "2026-12-31",
        "management": "direct_payment",
        "goals": [{"description": "Swim again"}],
        "items": [
            {
                "description": "Swimming",
                "category": "fitness_exercise",
                "amount": "20.00",
                "frequency": "one_off",
            }
        ],
        **changes,
    }


# --- The rules themselves


def test_a_date_of_birth_tomorrow_is_refused_in_plain_words():
    tomorrow = TODAY() + timedelta(days=1)
    assert dates.problems(tomorrow, label="Date of birth", kind=dates.BIRTH) == [
        "Date of birth must be today or in the past"
    ]
    assert dates.problems(TODAY(), label="Date of birth", kind=dates.BIRTH) == []


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(2101, 1, 1), date(1, 1, 1), date(9999, 12, 31)])
def test_every_date_outside_1900_to_2100_is_refused(day):
    assert dates.problems(day, label="The date") == ["The date must be between 1900 and 2100"]


def test_a_plan_period_is_at_most_five_years_and_ends_after_it_starts():
    start = date(2026, 1, 5)
    assert dates.period_problems(start, date(2031, 1, 5)) == []
    assert dates.period_problems(start, date(2031, 1, 6)) == [
        "A plan can last at most 5 years: end it on or before 5 January 2031"
    ]
    assert dates.period_problems(start, date(2026, 1, 4)) == [
        "The plan must end on or after the day it starts"
    ]


def test_a_period_from_29_february_runs_to_28_february():
    assert dates.add_years(date(2028, 2, 29), 5) == date(2033, 2, 28)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["14", "", "1979"], "Date of birth must include a month"),
        (["", "", "1979"], "Date of birth must include a day and month"),
        (["31", "2", "1979"], "Date of birth must be a real date"),
        (["14", "5", "79"], "Date of birth: the year must include 4 numbers"),
        (["14", "May", "1979"], "Date of birth must be a real date"),
    ],
)
def test_the_date_field_says_what_is_missing_or_wrong(parts, message):
    field = DateField(label="Date of birth", kind=dates.BIRTH)
    with pytest.raises(Exception) as error:
        field.clean(parts)
    assert error.value.messages == [message]


def test_the_date_field_reads_day_month_year_boxes_and_iso_text():
    field = DateField(label="Date of birth", kind=dates.BIRTH)
    assert field.clean(["14", "5", "1979"]) == date(1979, 5, 14)
    assert field.clean("1979-05-14") == date(1979, 5, 14)


# --- API


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2999-01-01", "Date of birth must be between 1900 and 2100"),
        (
            (timezone.localdate() + timedelta(days=1)).isoformat(),
            "Date of birth must be today or in the past",
        ),
        ("1899-12-31", "Date of birth must be between 1900 and 2100"),
    ],
)
def test_api_refuses_an_impossible_date_of_birth_and_stores_nothing(org, writer, date_of_birth, message):
    response = api_client_for(writer).post(
        "/api/v1/orgs/07T/people/", person_body(date_of_birth=date_of_birth), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"date_of_birth": [message]}
    assert not Person.objects.filter(organisation=org).exists()


def test_api_refuses_a_conversation_in_the_future(org, writer):
    referral = AcceptedReferralFactory(organisation=org, care_coordinator=writer)
    response = api_client_for(writer).post(
        f"/api/v1/orgs/07T/referrals/{referral.pk}/conversations/",
        {"held_on": (TODAY() + timedelta(days=2)).isoformat(), "mode": "phone"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["held_on"] == ["Date of the conversation must be today or in the past"]
    assert not Conversation.objects.exists()


def test_api_refuses_a_conversation_before_its_referral_was_received(org, writer):
    referral = AcceptedReferralFactory(
        organisation=org, care_coordinator=writer, received_on=date(2026, 11, 10)
    )
    response = api_client_for(writer).post(
        f"/api/v1/orgs/07T/referrals/{referral.pk}/conversations/",
        {"held_on": "2026-11-09", "mode": "phone"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["held_on"] == [
        "Date of the conversation must be on or after the referral was received (10 November 2026)"
    ]
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_date": "2026-01-05", "end_date": "2032-01-05"},
            "end_date",
            "A plan can last at most 5 years: end it on or before 5 January 2031",
        ),
        ({"start_date": "0001-01-01", "end_date": "9999-12-31"}, "start_date", "between 1900 and 2100"),
        ({"start_date": "2026-01-05", "end_date": "2101-01-01"}, "end_date", "between 1900 and 2100"),
        (
            {"agreement": {"agreed_on": (timezone.localdate() + timedelta(days=3)).isoformat()}},
            "agreement",
            "Date agreed must be today or in the past",
        ),
    ],
)
def test_api_refuses_an_impossible_plan_period_and_stores_nothing(
    org, writer, person, changes, field, message
):
    response = api_client_for(writer).post(
        "/api/v1/orgs/07T/plans/", plan_body(person, **changes), format="json"
    )
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not SupportPlan.objects.exists()


def test_api_refuses_an_item_date_outside_1900_to_2100(org, writer, person):
    body = plan_body(person)
    body["items"][0]["end_date"] = "2200-01-01"
    response = api_client_for(writer).post("/api/v1/orgs/07T/plans/", body, format="json")
    assert response.status_code == 400
    assert "The item's end date must be between 1900 and 2100" in str(response.json()["items"])
    assert not SupportPlan.objects.exists()


def test_api_refuses_a_review_held_in_the_future(org, writer):
    review = ReviewFactory(plan__organisation=org)
    response = api_client_for(writer).post(
        f"/api/v1/orgs/07T/reviews/{review.pk}/complete/",
        {"held_on": (TODAY() + timedelta(days=1)).isoformat(), "decision": "continue"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["held_on"] == ["Date the review was held must be today or in the past"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCHEDULED


# --- Pages


def test_person_page_refuses_a_date_of_birth_in_2999(org, writer):
    body = person_body()
    del body["date_of_birth"]
    body.update({"date_of_birth-day": "1", "date_of_birth-month": "1", "date_of_birth-year": "2999"})
    response = page_client(writer).post("/o/07T/people/new/", body)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Date of birth must be between 1900 and 2100" in text
    assert 'value="2999"' in text  # what was typed stays in the boxes
    assert not Person.objects.filter(organisation=org).exists()


def test_person_page_refuses_a_date_of_birth_tomorrow(org, writer):
    tomorrow = TODAY() + timedelta(days=1)
    body = person_body()
    del body["date_of_birth"]
    body.update(
        {
            "date_of_birth-day": str(tomorrow.day),
            "date_of_birth-month": str(tomorrow.month),
            "date_of_birth-year": str(tomorrow.year),
        }
    )
    response = page_client(writer).post("/o/07T/people/new/", body)
    assert "Date of birth must be today or in the past" in response.content.decode()
    assert not Person.objects.filter(organisation=org).exists()


def test_person_edit_page_shows_the_saved_date_of_birth_in_its_boxes(org, writer):
    person = PersonFactory(organisation=org, date_of_birth=date(1979, 5, 14))
    text = page_client(writer).get(f"/o/07T/people/{person.pk}/edit/").content.decode()
    assert 'name="date_of_birth-day" type="text" inputmode="numeric" value="14"' in text
    assert 'name="date_of_birth-month" type="text" inputmode="numeric" value="5"' in text
    assert 'name="date_of_birth-year" type="text" inputmode="numeric" value="1979"' in text


def test_conversation_page_refuses_a_date_before_the_referral(org, writer):
    referral = AcceptedReferralFactory(
        organisation=org, care_coordinator=writer, received_on=date(2026, 11, 10)
    )
    response = page_client(writer).post(
        f"/o/07T/referrals/{referral.pk}/conversations/new/",
        {"held_on-day": "9", "held_on-month": "11", "held_on-year": "2026", "mode": "phone"},
    )
    assert response.status_code == 200
    assert "must be on or after the referral was received (10 November 2026)" in response.content.decode()
    assert not Conversation.objects.exists()


def test_plan_editor_refuses_a_plan_of_more_than_five_years(org, writer, person):
    response = page_client(writer).post(
        "/o/07T/plans/new/",
        {
            "person": person.pk,
            "start_date": "2026-01-05",
            "end_date": "2040-01-05",
            "management": "direct_payment",
            "funded_nhs": "on",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "risks-TOTAL_FORMS": "0",
            "risks-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "A plan can last at most 5 years" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_review_page_refuses_a_review_held_tomorrow(org, writer):
    review = ReviewFactory(plan__organisation=org)
    tomorrow = TODAY() + timedelta(days=1)
    response = page_client(writer).post(
        f"/o/07T/reviews/{review.pk}/complete/",
        {
            "held_on-day": str(tomorrow.day),
            "held_on-month": str(tomorrow.month),
            "held_on-year": str(tomorrow.year),
            "decision": "continue",
        },
    )
    assert response.status_code == 200
    assert "Date the review was held must be today or in the past" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCHEDULED


def test_api_refuses_a_payment_made_tomorrow_and_records_nothing(org):
    broker = member(org, Role.BROKER, username="broker")
    plan, account = funded_account(org)
    response = api_client_for(broker).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/payments/",
        {
            "amount": "10.00",
            "paid_on": (TODAY() + timedelta(days=1)).isoformat(),
            "method": "bank_transfer",
            "payee": "Leisure centre",
            "reference": "INV-1",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="tomorrow-1",
    )
    assert response.status_code == 400
    assert response.json()["paid_on"] == ["The date must be today or in the past"]
    assert not LedgerEntry.objects.filter(account=account, kind="payment").exists()


def test_payment_page_refuses_a_payment_made_in_1899(org):
    broker = member(org, Role.BROKER, username="broker")
    plan, account = funded_account(org)
    page = page_client(broker).get(f"/o/07T/plans/{plan.pk}/payments/new/").content.decode()
    key = page.split('name="payment-idempotency_key" value="')[1].split('"')[0]
    response = page_client(broker).post(
        f"/o/07T/plans/{plan.pk}/payments/new/",
        {
            "payment-idempotency_key": key,
            "payment-amount": "10.00",
            "payment-paid_on-day": "1",
            "payment-paid_on-month": "1",
            "payment-paid_on-year": "1899",
            "payment-method": "bank_transfer",
            "payment-payee": "Leisure centre",
        },
    )
    assert response.status_code == 200
    assert "Date paid must be between 1900 and 2100" in response.content.decode()
    assert not LedgerEntry.objects.filter(account=account, kind="payment").exists()
