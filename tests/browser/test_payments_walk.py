"""A broker records a payment from the work list; finance releases funds from the waiting list."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import BudgetAccount, LedgerEntry
from phb.constants import Role
from tests.factories import OrganisationFactory, PersonFactory, approved_plan, funded_account, member
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_broker_records_a_payment_and_finance_releases_funds(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    broker = member(hackney, Role.BROKER, username="broker")
    finance = member(hackney, Role.FINANCE, username="finance")
    amara = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    daniel = PersonFactory(organisation=hackney, given_name="Daniel", family_name="Hughes")
    funded, account = funded_account(hackney, person=amara, total="180.00", finance=finance)
    waiting = approved_plan(hackney, person=daniel, total="420.00", approved_days_ago=30)
    from payments.services import account_open_or_resize

    account_open_or_resize(actor=finance, plan=waiting)

    # The broker opens the work list and pays the overdue instalment in a few clicks.
    sign_in(page, broker.username, PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments", use_inner_text=True)
    check_accessible(page, "payments-01-broker-worklist")
    page.get_by_role("link", name=re.compile(r"Record payment of £180\.00 for Amara Okafor")).click()
    assert page.get_by_label("Paid to").input_value() == "Swim England"
    assert page.get_by_label("Amount (£)").input_value() == "180.00"
    check_accessible(page, "payments-02-record-payment")
    page.get_by_label("Reference").fill("SE-2026-114")
    page.get_by_role("button", name="Record payment").click()
    assert "Payment of £180.00 to Swim England recorded." in page.get_by_role("status").inner_text()
    expect(page.locator('[data-figure="balance"]')).to_have_text("£0.00", use_inner_text=True)
    expect(page.locator('[data-figure="paid"]')).to_have_text("£180.00", use_inner_text=True)
    check_accessible(page, "payments-03-account-after-payment")
    assert LedgerEntry.objects.filter(kind="payment", account=account).count() == 1

    # Finance sees Daniel waiting 30 days for funds and releases them.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, finance.username, PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Payments").click()
    row = page.get_by_role("row", name=re.compile("Daniel Hughes"))
    assert "30 days" in row.inner_text()
    check_accessible(page, "payments-04-finance-waiting-for-funds")
    row.get_by_role("link", name=re.compile("Release funds")).click()
    assert page.get_by_label("Amount (£)").input_value() == "420.00"
    check_accessible(page, "payments-05-release-funds")
    page.get_by_role("button", name="Release funds").click()
    expect(page.locator('[data-figure="released"]')).to_have_text("£420.00", use_inner_text=True)
    check_accessible(page, "payments-06-account-after-release")
    assert BudgetAccount.objects.get(budget=waiting.budget).released == Decimal("420.00")
    waiting.refresh_from_db()
    assert waiting.status == "active"
    assert funded.pk != waiting.pk
