"""Money that matches: payments within released money (unless paid from a fund), payments that settle
the due instalment they pay, and the account's list of instalments nobody has paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from payments import ledger, services
from payments.constants import InstalmentStatus
from payments.models import Instalment, LedgerEntry
from phb.constants import Role
from phb.exceptions import Overspend
from tests.factories import SupplierFactory, approved_plan, member, open_account

D = Decimal
TODAY = timezone.localdate


# --- The rule


def test_a_payment_beyond_released_money_names_released_and_paid():
    with pytest.raises(ledger.WouldOutrunRelease) as refused:
        ledger.check_payment(D("8750.00"), D("4000.00"), D("1000.00"), D("4900.00"))
    assert "£4,900.00 released" in refused.value.message
    assert "£4,000.00 already paid" in refused.value.message


def test_a_budget_paid_from_a_fund_is_held_to_the_approved_amount_only():
    ledger.check_payment(D("8750.00"), D("4000.00"), D("1000.00"), D("4900.00"), paid_from_fund=True)
    with pytest.raises(ledger.WouldOverspend):
        ledger.check_payment(D("8750.00"), D("8000.00"), D("1000.00"), D("4900.00"), paid_from_fund=True)


pennies = st.integers(min_value=1, max_value=10**7).map(lambda p: D(p) / 100)


@given(approved=pennies, released=pennies, paid=pennies, amount=pennies)
def test_after_any_accepted_payment_paid_is_within_released_and_approved(approved, released, paid, amount):
    position = ledger.Position(
        approved=approved, released=min(released, approved), paid=min(paid, released, approved)
    )
    try:
        after = ledger.apply(position, ledger.Entry(ledger.PAYMENT, amount))
    except ledger.WouldOverspend:
        return
    assert after.paid <= after.released <= after.approved


# --- Services


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


def pay(plan, actor, amount, key, **overrides):
    values = {
        "actor": actor,
        "plan": plan,
        "amount": D(amount),
        "paid_on": TODAY(),
        "method": "paid_to_provider",
        "payee": "Hackney Pool",
        "reference": "INV-1",
        "idempotency_key": key,
    }
    values.update(overrides)
    return services.payment_record(**values)


def release(plan, actor, amount):
    return services.release_record(actor=actor, plan=plan, amount=D(amount), released_on=TODAY())


@pytest.mark.django_db
def test_payments_beyond_released_money_are_refused_and_write_nothing(org, broker, finance):
    plan = approved_plan(org, total="8750.00")
    open_account(plan)
    release(plan, finance, "4900.00")
    pay(plan, broker, "4900.00", "first")
    with pytest.raises(Overspend, match=r"£4,900\.00 released, £4,900\.00 already paid"):
        pay(plan, broker, "3850.00", "second")
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


@pytest.mark.django_db
def test_a_budget_paid_from_a_fund_may_pay_beyond_what_is_released(org, broker, finance, monkeypatch):
    monkeypatch.setattr(services, "paid_from_fund", lambda account: True)
    plan = approved_plan(org, total="8750.00")
    open_account(plan)
    release(plan, finance, "4900.00")
    pay(plan, broker, "8750.00", "all")
    plan.budget.account.refresh_from_db()
    assert plan.budget.account.paid == D("8750.00")


@pytest.fixture
def weekly_pool(org, finance):
    """A plan with a weekly £85.50 swim session from Hackney Pool, started three weeks ago, £500 of £1,000 released."""
    pool = SupplierFactory(organisation=org, name="Hackney Pool")
    start = TODAY() - timedelta(days=20)
    plan = approved_plan(
        org,
        total="1000.00",
        start=start,
        end=start + timedelta(days=83),
        items=[
            {"description": "Swim session", "amount": "85.50", "frequency": "weekly"},
        ],
    )
    plan.items.update(supplier=pool)
    account = open_account(plan)
    release(plan, finance, "500.00")
    return plan, account, pool


@pytest.mark.django_db
def test_a_payment_of_a_due_instalments_amount_to_its_supplier_marks_it_paid(weekly_pool, broker):
    plan, account, pool = weekly_pool
    first = account.instalments.order_by("due_on").first()

    entry = pay(plan, broker, "85.50", "swim-1", supplier=pool)

    first.refresh_from_db()
    assert first.status == InstalmentStatus.PAID
    assert entry.instalment == first
    assert entry.supplier == pool
    # The next payment settles the next instalment, not the same one twice.
    second = pay(plan, broker, "85.50", "swim-2", supplier=pool)
    assert second.instalment != first
    assert Instalment.objects.filter(account=account, status=InstalmentStatus.PAID).count() == 2


@pytest.mark.django_db
def test_a_payment_of_another_amount_or_supplier_settles_nothing(weekly_pool, broker, org):
    plan, account, pool = weekly_pool
    pay(plan, broker, "85.00", "short", supplier=pool)
    pay(plan, broker, "85.50", "elsewhere", supplier=SupplierFactory(organisation=org, name="Gym"))
    assert not account.instalments.filter(status=InstalmentStatus.PAID).exists()


@pytest.mark.django_db
def test_the_account_lists_instalments_due_that_no_payment_settled(api, weekly_pool, broker):
    plan, account, pool = weekly_pool
    due_by_today = account.instalments.filter(due_on__lte=TODAY()).count()
    assert due_by_today == 3
    pay(plan, broker, "85.50", "swim-1", supplier=pool)

    data = api(broker).get(f"/api/v1/orgs/07T/plans/{plan.pk}/account/").json()

    assert len(data["unmatched_instalments"]) == 2
    assert all(row["amount"] == "85.50" for row in data["unmatched_instalments"])
    html = _page(broker, f"/o/07T/plans/{plan.pk}/account/")
    assert "2 instalments due with no payment matched" in html


# --- API


@pytest.mark.django_db
def test_the_api_takes_a_supplier_and_answers_409_beyond_released(api, weekly_pool, broker, other_org):
    plan, _account, pool = weekly_pool
    url = f"/api/v1/orgs/07T/plans/{plan.pk}/payments/"
    body = {"amount": "85.50", "paid_on": str(TODAY()), "method": "paid_to_provider", "payee": "Hackney Pool"}

    made = api(broker).post(url, {**body, "supplier": pool.pk}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert made.status_code == 201, made.content
    assert made.json()["supplier"] == pool.pk
    assert made.json()["instalment"] is not None

    foreign = SupplierFactory(organisation=other_org)
    wrong = api(broker).post(url, {**body, "supplier": foreign.pk}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert wrong.status_code == 400
    assert "supplier" in wrong.json()

    over = api(broker).post(url, {**body, "amount": "500.00"}, format="json", HTTP_IDEMPOTENCY_KEY="c")
    assert over.status_code == 409
    assert "£500.00 released" in over.json()["detail"]
    assert "£85.50 already paid" in over.json()["detail"]


def _page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path).content.decode()


@pytest.mark.django_db
def test_recording_a_payment_on_the_page_with_its_supplier_settles_the_instalment(weekly_pool, broker):
    plan, account, pool = weekly_pool
    first = account.instalments.order_by("due_on").first()
    client = Client()
    client.force_login(broker)
    form = client.get(f"/o/07T/plans/{plan.pk}/payments/new/?instalment={first.pk}").content.decode()
    assert "Supplier (optional)" in form

    response = client.post(
        f"/o/07T/plans/{plan.pk}/payments/new/",
        {
            "payment-amount": "85.50",
            "payment-paid_on": str(TODAY()),
            "payment-method": "paid_to_provider",
            "payment-payee": "Hackney Pool",
            "payment-supplier": pool.pk,
            "payment-idempotency_key": "page-1",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == InstalmentStatus.PAID
