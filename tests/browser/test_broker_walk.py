"""The broker's day: home page -> the budgets they manage -> record a payment, at desktop and phone
width; finance names the broker on the account page. Budgets naming another broker stay out of it."""

import re

import pytest
from playwright.sync_api import expect

from payments.broker_services import account_broker_assign
from payments.models import LedgerEntry
from payments.services import account_open_or_resize
from phb.constants import Role
from tests.factories import OrganisationFactory, PersonFactory, approved_plan, funded_account, member
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_brokers_day_home_budgets_and_a_payment(page, width):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    broker = member(hackney, Role.BROKER, username="broker")
    other_broker = member(hackney, Role.BROKER, username="other_broker")
    finance = member(hackney, Role.FINANCE, username="finance")
    amara = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    daniel = PersonFactory(organisation=hackney, given_name="Daniel", family_name="Hughes")
    priya = PersonFactory(organisation=hackney, given_name="Priya", family_name="Shah")
    funded, account = funded_account(hackney, person=amara, total="180.00", finance=finance)
    waiting = approved_plan(hackney, person=daniel, total="420.00", approved_days_ago=12)
    account_open_or_resize(actor=finance, plan=waiting)
    theirs, _ = funded_account(hackney, person=priya, total="90.00", finance=finance)
    for plan, holder in ((funded, broker), (waiting, broker), (theirs, other_broker)):
        account_broker_assign(actor=finance, plan=plan, broker=holder)

    page.set_viewport_size(WIDTHS[width])
    sign_in(page, broker.username, PASSWORD)
    page.goto(f"/o/{hackney.code}/")
    managed = page.get_by_role("link", name=re.compile(r"^2 budgets you manage"))
    expect(managed).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^1 of them approved but unfunded"))).to_be_visible()
    check_accessible(page, f"broker-01-home-{width}")

    managed.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budgets you manage", use_inner_text=True)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    # Overdue first: Amara's instalment fell due a week ago; Daniel waits for funds, 12 days on.
    expect(rows.nth(0)).to_contain_text("Amara Okafor")
    expect(rows.nth(0)).to_contain_text("1 overdue")
    expect(rows.nth(1)).to_contain_text("Daniel Hughes")
    expect(rows.nth(1)).to_contain_text("12 days")
    expect(rows.nth(1)).to_contain_text("Unfunded")
    assert "Priya Shah" not in page.locator("main").inner_text()
    assert _fits_the_width(page)
    check_accessible(page, f"broker-02-budgets-{width}")

    page.get_by_role("link", name="Record a payment for Amara Okafor").click()
    expect(page.get_by_label("Amount (£)")).to_have_value("180.00")
    expect(page.get_by_label("Paid to")).to_have_value("Swim England")
    check_accessible(page, f"broker-03-record-payment-{width}")
    page.get_by_label("Reference").fill("SE-2026-114")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("status")).to_contain_text("Payment of £180.00 to Swim England recorded.")
    expect(page.locator('[data-figure="paid"]')).to_have_text("£180.00", use_inner_text=True)
    expect(page.locator('[data-figure="broker"]')).to_have_text(broker.get_full_name(), use_inner_text=True)
    check_accessible(page, f"broker-04-account-after-payment-{width}")
    assert LedgerEntry.objects.filter(kind="payment", account=account).count() == 1

    # Priya's budget names another broker: its account is not this broker's to open.
    response = page.goto(f"/o/{hackney.code}/plans/{theirs.pk}/account/")
    assert response is not None and response.status == 403


def test_finance_names_the_broker_on_the_account_page(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    broker = member(hackney, Role.BROKER, username="broker")
    broker.first_name, broker.last_name = "Bea", "Broker"
    broker.save()
    finance = member(hackney, Role.FINANCE, username="finance")
    plan, account = funded_account(hackney, total="180.00", finance=finance)

    sign_in(page, finance.username, PASSWORD)
    page.goto(f"/o/{hackney.code}/plans/{plan.pk}/account/")
    expect(page.locator('[data-figure="broker"]')).to_have_text("No broker yet", use_inner_text=True)
    page.get_by_role("link", name="Name the broker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Broker of the budget", use_inner_text=True)
    check_accessible(page, "broker-05-name-the-broker")
    page.get_by_label("Broker").select_option(label="Bea Broker")
    page.get_by_role("button", name="Save broker").click()
    expect(page.get_by_role("status")).to_contain_text("Bea Broker is the broker of this budget.")
    expect(page.locator('[data-figure="broker"]')).to_have_text("Bea Broker", use_inner_text=True)
    check_accessible(page, "broker-06-account-names-the-broker")
    account.refresh_from_db()
    assert account.broker == broker
