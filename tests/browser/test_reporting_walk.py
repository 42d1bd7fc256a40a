"""A commissioner reads the dashboard, looks back at an earlier date and opens the quarterly return."""

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from tests.factories import member
from tests.factories.kernel import PASSWORD
from tests.reporting.conftest import world  # noqa: F401  (the hand-built data set)

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commissioner_reads_the_dashboard_and_the_quarterly_return(page, world):  # noqa: F811
    member(world["org"], Role.REGION_VIEWER, username="rv")
    sign_in(page, "commissioner", PASSWORD)
    page.goto("/o/07T/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHB dashboard", use_inner_text=True)
    check_accessible(page, "reporting-01-dashboard-today")

    page.get_by_label("Show the figures as they stood on").fill("2024-06-30")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("[data-figure=in_place]")).to_have_text("5", use_inner_text=True)
    expect(page.get_by_role("img", name="Bar chart, PHBs in place by management option")).to_be_visible()
    unfunded = page.get_by_role("table", name="Approved more than 14 days ago")
    assert world["people"]["cara"].full_name in unfunded.inner_text()
    check_accessible(page, "reporting-02-dashboard-2024-06-30")

    page.get_by_label("Show the figures as they stood on").fill("2024-03-31")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("[data-figure=in_place]")).to_have_text("3", use_inner_text=True)

    page.get_by_role("link", name="PHB quarterly return to NHS England").click()
    page.get_by_label("Quarter").select_option(index=1)
    page.get_by_role("button", name="Show the return").click()
    expect(page.get_by_role("table", name="Markers of progress")).to_be_visible()
    check_accessible(page, "reporting-03-return")
    with page.expect_download() as download:
        page.get_by_role("link", name="as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.reload()
    assert page.get_by_role("table", name="History of returns built").get_by_role("cell").count() >= 5
    check_accessible(page, "reporting-04-return-history")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "rv", PASSWORD)
    page.goto("/o/07T/region/?as_of=2024-06-30")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "PHBs in the London region", use_inner_text=True
    )
    check_accessible(page, "reporting-05-region")
