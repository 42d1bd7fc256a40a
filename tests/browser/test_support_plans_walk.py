"""A care coordinator takes an accepted referral to a submitted support plan, axe-clean on every page."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phb.constants import Role
from referrals.models import Referral
from support_plans.models import SupportPlan
from tests.factories import OrganisationFactory, PersonFactory, SupplierFactory, member
from tests.factories.kernel import PASSWORD
from tests.support_plans.conftest import HACKNEY_TIERS

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_care_coordinator_writes_and_submits_a_support_plan(page):
    from approvals.models import ApprovalPolicy

    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="chris")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    Referral.objects.create(
        organisation=hackney,
        person=person,
        source="gp",
        cohort="mental_health",
        received_on=date.today() - timedelta(days=30),
        status="accepted",
        care_coordinator=coordinator,
        accepted_at=timezone.now(),
    )
    SupplierFactory(
        organisation=hackney, name="Hackney Swim Club", service="Swimming lessons", typical_amount="30.00"
    )
    ApprovalPolicy.objects.create(
        organisation=hackney,
        version=1,
        effective_from=timezone.now() - timedelta(days=1),
        tiers=HACKNEY_TIERS,
    )

    sign_in(page, "chris", PASSWORD)
    page.goto(f"/o/07T/people/{person.pk}/")
    check_accessible(page, "support-plans-01-person")
    page.get_by_role("link", name="Write a support plan for Amara Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a support plan", use_inner_text=True)
    expect(page.get_by_role("radio", name=re.compile("Okafor, Amara"))).to_be_checked()
    check_accessible(page, "support-plans-02-editor")

    page.get_by_label("Plan starts").fill("2026-01-01")
    page.get_by_label("Plan ends").fill("2026-12-31")
    page.get_by_label("Direct payment").check()
    page.locator("#id_goals-0-description").fill("I want to get back to swimming twice a week")

    # Pick the supplier from the directory: it fills the item row.
    page.get_by_label("Supplier or service").fill("swim")
    page.get_by_role("button", name="Use Hackney Swim Club, Swimming lessons").click()
    expect(page.locator("#id_items-0-supplier_name")).to_have_value("Hackney Swim Club")
    expect(page.locator("#cost-total")).to_have_text("£360.00")  # £30 monthly, 12 payments

    # Change the amount: the costs panel works it out again.
    page.locator("#id_items-0-amount").fill("45.00")
    expect(page.locator("#cost-total")).to_have_text("£540.00")
    expect(page.locator("#required-tier")).to_contain_text("Tier 2")
    check_accessible(page, "support-plans-03-editor-filled")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support plan, version 1", use_inner_text=True)
    expect(page.locator("#plan-total")).to_have_text("£540.00")
    check_accessible(page, "support-plans-04-draft")

    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.locator("main")).to_contain_text("Submitted")
    check_accessible(page, "support-plans-05-submitted")
    plan = SupportPlan.objects.get(person=person)
    assert plan.status == "submitted"
    assert plan.referral is not None
