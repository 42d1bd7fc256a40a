"""A JSON body is held to the schema's types (phb/serializers.py): a number for text, 1 for true, "12"
for a whole number or 250 for money is a 400 naming the field; multipart and form bodies, whose
values are text by nature, are read as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payments.models import LedgerEntry
from phb.constants import Role
from phb.models import Person
from support_plans.models import Supplier
from tests.factories import PersonFactory, funded_account, member
from tests.phb.test_api import NEW_PERSON
from tests.support_plans.test_api import BASE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_name", 12, "Given name must be text"),
        ("family_name", ["Okafor"], "Family name must be text"),
        ("gender", 2, "Gender must be one of the codes, as text"),
        ("cohorts", ["chc", 1], "Cohorts must be one of the codes, as text"),
        ("date_of_birth", "19850412", "Date of birth must be a real date, written YYYY-MM-DD"),
    ],
)
def test_a_person_with_a_value_of_the_wrong_type_is_400_naming_it(api, coordinator, field, value, message):
    response = api(coordinator).post(f"{BASE}/people/", {**NEW_PERSON, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert message in str(response.json()[field])
    assert not Person.objects.exists()


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_a_boolean_is_only_true_or_false(api, coordinator, value):
    body = {"name": "Calm Minds", "category": "therapies", "active": value}
    response = api(coordinator).post(f"{BASE}/suppliers/", body, format="json")
    assert response.status_code == 400
    assert "active" in response.json()
    assert not Supplier.objects.exists()
    good = api(coordinator).post(f"{BASE}/suppliers/", {**body, "active": True}, format="json")
    assert good.status_code == 201, good.content


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (45, 'Typical amount must be written as a string, like "25.50"'),
        (45.5, 'Typical amount must be written as a string, like "25.50"'),
        ("45.5.0", "Typical amount must be a number, like 25.50"),
        (" 45.00", "Typical amount must be a number, like 25.50"),
        ("", "Typical amount must be a number, like 25.50"),
        ("1e2", "Typical amount must be a number, like 25.50"),
    ],
)
def test_money_is_a_string_of_digits(api, coordinator, value, message):
    body = {"name": "Calm Minds", "category": "therapies", "typical_amount": value}
    response = api(coordinator).post(f"{BASE}/suppliers/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["typical_amount"] == [message]
    good = api(coordinator).post(f"{BASE}/suppliers/", {**body, "typical_amount": "45.5"}, format="json")
    assert good.status_code == 201, good.content


@pytest.mark.parametrize("value", ["1", 1.5, True])
def test_an_id_is_a_whole_number(api, coordinator, org, value):
    person = PersonFactory(organisation=org)
    body = {"person": value, "source": "gp", "cohort": "chc", "received_on": "2026-11-01"}
    response = api(coordinator).post(f"{BASE}/referrals/", body, format="json")
    assert response.status_code == 400
    assert "whole number" in str(response.json()["person"])
    ok = api(coordinator).post(f"{BASE}/referrals/", {**body, "person": float(person.pk)}, format="json")
    assert ok.status_code == 201, ok.content  # 12.0 is the whole number 12, in JSON as in the schema


@pytest.mark.parametrize("value", ["1", "0", "True", "yes"])
def test_a_boolean_query_parameter_is_true_or_false(api, coordinator, value):
    response = api(coordinator).get(f"{BASE}/referrals/?mine={value}")
    assert response.status_code == 400
    assert "mine" in response.json()
    assert api(coordinator).get(f"{BASE}/referrals/?mine=true").status_code == 200


def test_a_multipart_body_is_still_read_as_text(api, org):
    broker = member(org, Role.BROKER, username="broker")
    finance = member(org, Role.FINANCE, username="finance")
    plan, _ = funded_account(org, total="200.00", finance=finance)
    pdf = SimpleUploadedFile("receipt.pdf", b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf")
    body = {
        "amount": "50.00",
        "paid_on": timezone.localdate().isoformat(),
        "method": "paid_to_provider",
        "payee": "Swim England",
        "receipt": pdf,
    }
    response = api(broker).post(
        f"{BASE}/plans/{plan.pk}/payments/", body, format="multipart", HTTP_IDEMPOTENCY_KEY="strict-1"
    )
    assert response.status_code == 201, response.content
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
