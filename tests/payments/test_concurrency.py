"""Real concurrency: payments stay within the approved amount, on PostgreSQL (the account's row
lock) and on the embedded SQLite default (IMMEDIATE transactions: one writer at a time, the others
wait), with no error for anyone who had to wait."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from payments import services
from payments.models import BudgetAccount, LedgerEntry
from phb.constants import Role
from phb.exceptions import Overspend
from tests.conftest import api_client_for
from tests.factories import OrganisationFactory, funded_account, member

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(count, work):
    """Start `count` threads that wait at a barrier, then all call `work(n)` at once."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_thirty_concurrent_payments_at_an_account_with_room_for_twenty_pay_exactly_twenty():
    organisation = OrganisationFactory(code="07T")
    broker = member(organisation, Role.BROKER, username="broker")
    # All of it released, so only the approved amount limits the payments.
    plan, _account = funded_account(organisation, total="200.00")

    def pay(n):
        return services.payment_record(
            actor=broker,
            plan=plan,
            amount=Decimal("10.00"),
            paid_on=timezone.localdate(),
            method="bank_transfer",
            payee="Personal assistant",
            reference=f"PA-{n}",
            idempotency_key=f"concurrent-{n}",
        )

    results = _run_together(30, pay)

    succeeded = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, Overspend)]
    assert len(succeeded) == 20, results
    assert len(refused) == 10, results
    account = BudgetAccount.objects.get()
    assert account.paid == Decimal("200.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 20


def test_thirty_concurrent_api_payments_never_exceed_the_approved_amount():
    organisation = OrganisationFactory(code="07T")
    broker = member(organisation, Role.BROKER, username="broker")
    # All of it released, so only the approved amount limits the payments.
    plan, _account = funded_account(organisation, total="200.00")
    url = f"/api/v1/orgs/07T/plans/{plan.pk}/payments/"
    body = {
        "amount": "10.00",
        "paid_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "payee": "PA",
    }

    def post(n):
        return (
            api_client_for(broker).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"api-{n}").status_code
        )

    statuses = _run_together(30, post)

    assert sorted(statuses) == [201] * 20 + [409] * 10
    assert BudgetAccount.objects.get().paid == Decimal("200.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 20


def test_two_identical_first_requests_racing_record_one_payment():
    organisation = OrganisationFactory(code="07T")
    broker = member(organisation, Role.BROKER, username="broker")
    # All of it released, so only the approved amount limits the payments.
    plan, _account = funded_account(organisation, total="200.00")
    url = f"/api/v1/orgs/07T/plans/{plan.pk}/payments/"
    body = {
        "amount": "15.00",
        "paid_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "payee": "PA",
    }

    def post(n):
        response = api_client_for(broker).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()

    results = _run_together(8, post)

    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert BudgetAccount.objects.get().paid == Decimal("15.00")


def test_thirty_api_payments_from_sixteen_threads_are_twenty_201s_and_ten_409s():
    organisation = OrganisationFactory(code="07T")
    broker = member(organisation, Role.BROKER, username="broker")
    plan, _account = funded_account(organisation, total="200.00", released="200.00")
    url = f"/api/v1/orgs/07T/plans/{plan.pk}/payments/"
    body = {
        "amount": "10.00",
        "paid_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "payee": "PA",
    }

    def post(n):
        try:
            response = api_client_for(broker).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"pool-{n}")
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, range(30)))

    assert sorted(statuses) == [201] * 20 + [409] * 10
    assert BudgetAccount.objects.get().paid == Decimal("200.00")


def test_thirty_concurrent_payments_with_a_hundred_released_pay_exactly_ten():
    organisation = OrganisationFactory(code="07T")
    broker = member(organisation, Role.BROKER, username="broker")
    plan, _account = funded_account(organisation, total="200.00", released="100.00")

    def pay(n):
        return services.payment_record(
            actor=broker,
            plan=plan,
            amount=Decimal("10.00"),
            paid_on=timezone.localdate(),
            method="bank_transfer",
            payee="Personal assistant",
            reference=f"PA-{n}",
            idempotency_key=f"released-{n}",
        )

    results = _run_together(30, pay)

    assert len([r for r in results if isinstance(r, LedgerEntry)]) == 10, results
    refused = [r for r in results if isinstance(r, Overspend)]
    assert len(refused) == 20
    assert "£100.00 released" in refused[0].message
    assert BudgetAccount.objects.get().paid == Decimal("100.00")
