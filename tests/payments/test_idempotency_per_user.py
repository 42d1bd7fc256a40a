"""Idempotency keys are each user's own (issue 13, finding 7): another user's key never replays."""

import pytest

from payments.models import IdempotencyRecord, LedgerEntry
from phb.constants import Role
from tests.factories import funded_account, member
from tests.payments.test_api import payment_body, post_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def funded(org, finance):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    return plan


def test_finance_reusing_a_brokers_key_does_not_get_the_brokers_payment_back(api, funded, broker, finance):
    brokers = post_payment(api(broker), funded, key="shared-key").json()
    response = post_payment(api(finance), funded, key="shared-key")
    assert response.status_code == 201
    assert response.json()["id"] != brokers["id"]
    authors = sorted(
        LedgerEntry.objects.filter(kind="payment").values_list("created_by__username", flat=True)
    )
    assert authors == ["broker", "finance"]


def test_another_users_key_with_another_body_is_a_new_payment_not_a_conflict(api, funded, broker, finance):
    post_payment(api(broker), funded, key="shared-key")
    response = post_payment(api(finance), funded, payment_body(amount="20.00"), key="shared-key")
    assert response.status_code == 201
    assert response.json()["amount"] == "20.00"


def test_each_users_repeat_still_replays_their_own_first_answer(api, funded, broker, finance):
    first = {user.username: post_payment(api(user), funded, key="k").json() for user in (broker, finance)}
    again = {user.username: post_payment(api(user), funded, key="k").json() for user in (broker, finance)}
    assert again == first
    assert LedgerEntry.objects.filter(kind="payment").count() == 2
    assert IdempotencyRecord.objects.filter(key="k").count() == 2
