"""A care coordinator takes a referral in, accepts it, records the conversation and sees their caseload."""

import re

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from referrals.models import Conversation, Referral
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, member
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_care_coordinator_refers_accepts_and_records_a_conversation(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    OrganisationFactory(code="15E", name="NHS Birmingham and Solihull")
    team = TeamFactory(organisation=hackney, name="Community mental health")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="ruth", team=team)
    coordinator.first_name, coordinator.last_name = "Ruth", "Adeyemi"
    coordinator.save()
    PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")

    sign_in(page, "ruth", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Okafor, Amara").click()
    check_accessible(page, "referrals-01-person")

    page.get_by_role("link", name="New referral for Amara Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral", use_inner_text=True)
    assert page.get_by_role("radio", name=re.compile("Okafor, Amara")).is_checked()
    page.get_by_label("Where the referral came from").select_option("gp")
    page.get_by_label("Cohort").select_option("mental_health")
    page.get_by_label("Notes (optional)").fill("Low mood since losing her job; GP suggests a budget.")
    check_accessible(page, "referrals-02-new-referral")
    page.get_by_role("button", name="Save referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Referral for Amara Okafor", use_inner_text=True
    )
    check_accessible(page, "referrals-03-received")
    assert (
        page.get_by_label("Care coordinator who will hold this referral")
        .locator("option:checked")
        .inner_text()
        == "Ruth Adeyemi"
    )
    page.get_by_role("button", name="Accept referral").click()
    expect(page.locator("main")).to_contain_text("Referral accepted.")
    check_accessible(page, "referrals-04-accepted")

    page.get_by_role("link", name="Record a conversation").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a conversation", use_inner_text=True)
    page.get_by_label("Home visit").check()
    page.get_by_label("The person", exact=True).check()
    page.get_by_label("Family or carer").check()
    page.get_by_label("Notes (optional)").fill("Met at home with her sister.")
    page.get_by_label("The person's goals, in their own words (optional)").fill(
        "I want to get back to swimming twice a week\nI'd like to feel less alone at weekends"
    )
    check_accessible(page, "referrals-05-conversation")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("main")).to_contain_text("Conversation recorded.")
    expect(page.get_by_text("I'd like to feel less alone at weekends")).to_be_visible()
    check_accessible(page, "referrals-06-with-conversation")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload", use_inner_text=True)
    expect(page.get_by_role("link", name="Okafor, Amara")).to_be_visible()
    expect(page.get_by_role("link", name="Write a support plan for Amara Okafor")).to_be_visible()
    check_accessible(page, "referrals-07-caseload")

    referral = Referral.objects.get()
    assert referral.status == "accepted"
    assert referral.care_coordinator == coordinator
    assert Conversation.objects.get().goals == [
        "I want to get back to swimming twice a week",
        "I'd like to feel less alone at weekends",
    ]
