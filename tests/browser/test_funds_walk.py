"""A commissioner sets up a fund agreed in advance, sees an approval draw on it at once, tops it up,
and reads the split timings on the dashboard; at desktop and at phone width (375 px)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Fund
from phb.constants import Role
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SupplierFactory,
    approve,
    member,
    plan_at_last_signoff,
    this_year,
)
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_commissioner_sets_up_a_fund_and_an_approval_draws_on_it_at_once(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    commissioner = member(hackney, Role.COMMISSIONER, username="commissioner")
    SupplierFactory(organisation=hackney, name="The Advocacy Project", service="Brokerage")

    sign_in(page, commissioner.username, PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Funds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funds agreed in advance", use_inner_text=True)
    check_accessible(page, "funds-01-none-yet")
    page.get_by_role("link", name="Set up a fund").click()
    assert page.get_by_label("Financial year").input_value() == this_year()
    page.get_by_label("Name of the fund").fill("Recovery budgets")
    page.get_by_label("Amount set aside (£)").fill("twelve thousand")
    page.get_by_role("button", name="Set up the fund").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    check_accessible(page, "funds-02-form-with-an-error")
    page.get_by_label("Amount set aside (£)").fill("12000.00")
    page.get_by_label("Held by").select_option(label="The Advocacy Project – Brokerage")
    page.get_by_role("button", name="Set up the fund").click()
    assert "Recovery budgets" in page.get_by_role("heading", level=1).inner_text()
    expect(page.locator('[data-figure="remaining"]')).to_have_text("£12,000.00", use_inner_text=True)
    fund = Fund.objects.get()
    assert fund.held_by.name == "The Advocacy Project"

    # A plan is signed off: its money is released from the fund in the same moment.
    plan = approve(
        plan_at_last_signoff(
            hackney, person=PersonFactory(organisation=hackney, given_name="Amara"), total="980.00"
        )
    )
    assert plan.status == "active"
    page.reload()
    expect(page.locator('[data-figure="committed"]')).to_have_text("£980.00", use_inner_text=True)
    expect(page.locator('[data-figure="released"]')).to_have_text("£980.00", use_inner_text=True)
    expect(page.locator('[data-figure="remaining"]')).to_have_text("£11,020.00", use_inner_text=True)
    expect(page.get_by_role("img", name=re.compile("Committed to date at each month end"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Plan approved and funded"))).to_be_visible()
    check_accessible(page, "funds-03-fund-after-an-approval")

    # Top it up for the winter, with a reason.
    page.get_by_text("Top up or reduce the fund").click()
    page.get_by_label("Top up the fund").check()
    page.get_by_label("Amount (£)").fill("3000.00")
    page.get_by_label("Reason").fill("Winter pressures money agreed by the ICB board")
    page.get_by_role("button", name="Save the change").click()
    assert "Top-up of £3,000.00 recorded (version 3)" in page.get_by_role("status").inner_text()
    expect(page.locator('[data-figure="allocated"]')).to_have_text("£15,000.00", use_inner_text=True)
    fund.refresh_from_db()
    assert fund.amount == Decimal("15000.00")

    # At phone width the fund page and the list still read, without sideways scrolling.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator('[data-figure="remaining"]')).to_be_visible()
    check_accessible(page, "funds-04-fund-phone")
    assert _fits_the_width(page)
    page.goto("/o/07T/funds/")
    expect(page.get_by_role("link", name="Recovery budgets")).to_be_visible()
    check_accessible(page, "funds-05-list-phone")
    assert _fits_the_width(page)

    # The dashboard splits the approval -> funds released timings.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/o/07T/dashboard/")
    row = page.get_by_role("row", name=re.compile("from a fund agreed in advance"))
    assert re.search(r"0\.0\s+0\.0\s+1", row.inner_text())
    check_accessible(page, "funds-06-dashboard-timings")
