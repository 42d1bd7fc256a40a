"""Least privilege as people see it: a lay panel member's case summary, and the org admin's access
log, at desktop and phone width (375 px), each passing axe-core."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from phb.access_log import access_record
from phb.constants import Role
from tests.factories import (
    HACKNEY_TIERS,
    OrganisationFactory,
    PersonFactory,
    approval_request_for,
    member,
    submitted_plan,
)
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 375, "height": 812})]


def _page(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize("width,viewport", WIDTHS)
def test_a_lay_panel_member_signs_from_a_case_summary_without_identifiers(
    browser, live_server, settings, width, viewport
):
    from approvals import services

    settings.AXES_ENABLED = False
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    services.policy_publish(actor=None, organisation=hackney, tiers=HACKNEY_TIERS)
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="coordinator")
    member(hackney, Role.LIVED_EXPERIENCE_REVIEWER, username="reviewer")
    person = PersonFactory(
        organisation=hackney,
        given_name="Amara",
        family_name="Okafor",
        date_of_birth=date(1990, 2, 3),
        cohorts=["mental_health"],
    )
    approval_request_for(submitted_plan(hackney, person=person, total="1200.00"), coordinator)

    context, page = _page(browser, live_server, viewport)
    sign_in(page, "reviewer", PASSWORD)
    menu = page.get_by_role("navigation", name="Menu")
    if width == "phone" and not menu.get_by_role("link", name="Approvals").is_visible():
        page.get_by_role("button", name=re.compile("Menu|More")).first.click()
    assert menu.get_by_role("link", name="People").count() == 0
    menu.get_by_role("link", name="Approvals").click()
    check_accessible(page, f"privilege-01-reviewer-queue-{width}")
    assert "Okafor" not in page.content()
    page.get_by_role("link", name=re.compile("Amara O.")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Support plan for Amara O.", use_inner_text=True
    )
    expect(page.get_by_text("You see this request as a case summary")).to_be_visible()
    expect(page.get_by_text("Get back to swimming every week")).to_be_visible()
    html = page.content()
    for identifier in (
        "Okafor",
        person.nhs_number_display,
        person.nhs_number,
        "3 Feb 1990",
        "Missing sessions",
    ):
        assert identifier not in html
    check_accessible(page, f"privilege-02-reviewer-case-summary-{width}")
    context.close()


@pytest.mark.parametrize("width,viewport", WIDTHS)
def test_the_org_admin_finds_who_opened_a_persons_record(browser, live_server, settings, width, viewport):
    settings.AXES_ENABLED = False
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(hackney, Role.ORG_ADMIN, username="iglead")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="coordinator")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    access_record(actor=coordinator, organisation=hackney, what="person", obj=person, person=person)

    context, page = _page(browser, live_server, viewport)
    sign_in(page, "iglead", PASSWORD)
    page.goto("/o/07T/access-log/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log", use_inner_text=True)
    check_accessible(page, f"privilege-03-access-log-{width}")
    page.get_by_label("NHS number").fill("123")
    page.get_by_role("button", name="Show the log").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_accessible(page, f"privilege-04-access-log-error-{width}")
    page.get_by_label("NHS number").fill(person.nhs_number_display)
    page.get_by_role("button", name="Show the log").click()
    expect(page.get_by_text("Opened 1 time by 1 member of staff")).to_be_visible()
    expect(page.get_by_text(f"{coordinator.get_full_name()} ({coordinator.username})")).to_be_visible()
    assert "Okafor" not in page.content()
    check_accessible(page, f"privilege-05-access-log-entries-{width}")
    context.close()
