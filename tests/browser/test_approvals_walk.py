"""An e-approval panel of three signs a £1,200 plan off in turn, each from their own queue."""

import re

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from tests.factories import OrganisationFactory, PersonFactory, approval_request_for, member, submitted_plan
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_panel_of_three_approves_in_turn(browser, live_server, settings):
    from approvals import services
    from tests.factories import HACKNEY_TIERS

    settings.AXES_ENABLED = False
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    services.policy_publish(actor=None, organisation=hackney, tiers=HACKNEY_TIERS)
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="coordinator")
    panel = [
        ("reviewer", Role.LIVED_EXPERIENCE_REVIEWER),
        ("phblead", Role.PHB_LEAD),
        ("commissioner", Role.COMMISSIONER),
    ]
    for username, role in panel:
        member(hackney, role, username=username)
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    request = approval_request_for(submitted_plan(hackney, person=person, total="1200.00"), coordinator)

    for number, (username, _role) in enumerate(panel, start=1):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, PASSWORD)
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Approvals").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Approvals", use_inner_text=True)
        check_accessible(page, f"approvals-0{number}-queue-{username}")
        # The lay panel member sees the case summary: first name and family initial only.
        shown = "Amara O." if username == "reviewer" else "Amara Okafor"
        page.get_by_role("link", name=re.compile(shown)).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Support plan for {shown}", use_inner_text=True
        )
        expect(page.get_by_text(f"{number - 1} of 3 given")).to_be_visible()
        check_accessible(page, f"approvals-0{number}-decision-{username}")
        page.get_by_label("Approve", exact=True).check()
        page.get_by_label("Comment").fill("Agreed: the plan meets the person's recovery goals.")
        page.get_by_role("button", name="Record decision").click()
        page.wait_for_load_state()
        expect(page.get_by_text(f"{number} of 3 given")).to_be_visible()
        if number < 3:
            expect(page.get_by_text("Waiting for sign-off", exact=True)).to_be_visible()
        else:
            expect(page.locator(".nhsuk-tag", has_text="Approved")).to_be_visible()
            check_accessible(page, "approvals-04-approved")
        context.close()

    assert page.url.endswith(f"/o/07T/approvals/{request.pk}/")
    request.refresh_from_db()
    assert request.status == "approved"


def test_the_last_signoff_shows_approved(browser, live_server, settings):
    """After the panel's third sign-off the decision page says Approved, and passes axe."""
    from approvals import services
    from tests.factories import HACKNEY_TIERS

    settings.AXES_ENABLED = False
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    services.policy_publish(actor=None, organisation=hackney, tiers=HACKNEY_TIERS)
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="coordinator")
    reviewer = member(hackney, Role.LIVED_EXPERIENCE_REVIEWER, username="reviewer")
    phb_lead = member(hackney, Role.PHB_LEAD, username="phblead")
    member(hackney, Role.COMMISSIONER, username="commissioner")
    request = approval_request_for(submitted_plan(hackney, total="1200.00"), coordinator)
    services.decision_record(
        actor=reviewer, request=request, decision="approve", role=Role.LIVED_EXPERIENCE_REVIEWER
    )
    services.decision_record(actor=phb_lead, request=request, decision="approve", role=Role.PHB_LEAD)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "commissioner", PASSWORD)
    page.goto(f"/o/07T/approvals/{request.pk}/")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-tag", has_text="Approved")).to_be_visible()
    expect(page.get_by_text("the plan is approved")).to_be_visible()
    check_accessible(page, "approvals-06-approved-by-commissioner")
    page.goto("/o/07T/approval-policy/")
    check_accessible(page, "approvals-05-policy-commissioner")
    context.close()
