"""Pathway integrity as each role meets it: a transfer declined and the sender told, a sign-off nobody
can give, and the broker's account naming instalments no payment settled (desktop and phone)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals import services as approval_services
from phb.constants import Role
from referrals import services as referral_services
from tests.factories import (
    HACKNEY_TIERS,
    AcceptedReferralFactory,
    OrganisationFactory,
    PersonFactory,
    SupplierFactory,
    approval_request_for,
    approved_plan,
    member,
    open_account,
    submitted_plan,
)
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_declined_transfer_comes_back_to_the_sender_who_is_told(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    solihull = OrganisationFactory(code="15E", name="NHS Birmingham and Solihull")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="ruth")
    lead = member(solihull, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="bs_lead")
    nowak = PersonFactory(organisation=hackney, given_name="Tomasz", family_name="Nowak")
    referral = AcceptedReferralFactory(
        organisation=hackney,
        person=nowak,
        care_coordinator=coordinator,
        received_on=timezone.localdate() - timedelta(days=40),
    )
    referral_services.referral_transfer(
        actor=coordinator, referral=referral, to_organisation=solihull, reason="Moved to Solihull"
    )

    # The receiver's lead is told, finds it in the received list with where it came from, declines it.
    sign_in(page, lead.username, PASSWORD)
    page.goto("/o/15E/notifications/")
    assert "Referral transferred in from NHS City and Hackney" in page.content()
    check_accessible(page, "integrity-01-receiver-notifications")
    page.get_by_role("link", name="Referral transferred in from NHS City and Hackney").click()
    expect(page.locator("main")).to_contain_text("Transferred from NHS City and Hackney (07T)")
    check_accessible(page, "integrity-02-received-transfer")
    page.get_by_text("Decline the referral").click()
    decline = page.locator("form[action$='/decline/']")
    decline.get_by_label("Reason").fill("He still lives in Hackney")
    decline.get_by_role("button").click()
    _sign_out(page)

    # The sender sees the count in the header, the outcome on the trace, and may refer him again.
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.username, PASSWORD)
    page.goto("/o/07T/")
    assert re.search(r"Notifications\s*[1-9]", page.locator("#notifications-link").inner_text())
    page.goto(f"/o/07T/referrals/{referral.pk}/")
    assert "Declined by NHS Birmingham and Solihull" in page.content()
    assert "He still lives in Hackney" in page.content()
    check_accessible(page, "integrity-03-sender-trace-phone")
    page.goto(f"/o/07T/people/{nowak.pk}/")
    expect(page.get_by_role("link", name="New referral for Tomasz Nowak")).to_be_visible()


def test_a_request_nobody_can_finish_says_so(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    approval_services.policy_publish(actor=None, organisation=hackney, tiers=HACKNEY_TIERS)
    lead = member(hackney, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="only_lead")
    admin = member(hackney, Role.ORG_ADMIN, username="admin")
    plan = submitted_plan(hackney, total="600.00")
    request = approval_request_for(plan, lead)
    approval_services.decision_record(
        actor=lead, request=request, decision="approve", role=Role.CARE_COORDINATOR
    )

    sign_in(page, lead.username, PASSWORD)
    page.goto(f"/o/07T/approvals/{request.pk}/")
    callout = page.locator("#stuck")
    assert "Nobody can give a sign-off this request needs" in callout.inner_text()
    assert "Team lead: 1 still needed, 0 people could give it" in callout.inner_text()
    check_accessible(page, "integrity-04-stuck-request")
    page.set_viewport_size(PHONE)
    check_accessible(page, "integrity-05-stuck-request-phone")
    _sign_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, admin.username, PASSWORD)
    page.goto("/o/07T/notifications/")
    assert "A sign-off nobody can give" in page.content()
    check_accessible(page, "integrity-06-admin-told")


def test_the_broker_sees_instalments_no_payment_settled_and_a_matching_payment_clears_one(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    broker = member(hackney, Role.BROKER, username="broker")
    finance = member(hackney, Role.FINANCE, username="finance")
    pool = SupplierFactory(organisation=hackney, name="Hackney Pool")
    start = timezone.localdate() - timedelta(days=8)
    plan = approved_plan(
        hackney,
        total="900.00",
        start=start,
        end=start + timedelta(days=60),
        items=[{"description": "Swim session", "amount": "85.50", "frequency": "weekly"}],
    )
    plan.items.update(supplier=pool)
    open_account(plan)
    from decimal import Decimal

    from payments.services import release_record

    release_record(actor=finance, plan=plan, amount=Decimal("900.00"), released_on=timezone.localdate())

    sign_in(page, broker.username, PASSWORD)
    page.goto(f"/o/07T/plans/{plan.pk}/account/")
    assert "2 instalments due with no payment matched" in page.content()
    check_accessible(page, "integrity-07-unmatched-instalments")
    page.get_by_role("link", name="Record a payment").click()
    page.get_by_label("Amount (£)").fill("85.50")
    page.get_by_label("How it was paid").select_option("paid_to_provider")
    page.get_by_label("Paid to").fill("Hackney Pool")
    page.get_by_label("Supplier (optional)").select_option(label="Hackney Pool")
    check_accessible(page, "integrity-08-payment-with-supplier")
    page.get_by_role("button", name="Record payment").click()
    page.get_by_text("1 instalment due with no payment matched").wait_for()
    page.set_viewport_size(PHONE)
    check_accessible(page, "integrity-09-account-phone")
