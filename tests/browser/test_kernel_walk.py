"""A member of staff signs in, switches organisation and opens a person's record."""

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from phb.models import RecordAccess
from tests.factories import OrganisationFactory, PersonFactory, member
from tests.factories.kernel import PASSWORD, MembershipFactory

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_signs_in_switches_organisation_and_opens_a_record(page):
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    birmingham = OrganisationFactory(code="15E", name="NHS Birmingham and Solihull")
    broker = member(hackney, Role.BROKER, Role.CARE_COORDINATOR, username="sam")
    MembershipFactory(organisation=birmingham, user=broker, roles=[Role.CARE_COORDINATOR])
    PersonFactory(organisation=birmingham, given_name="Daniel", family_name="Hughes")

    sign_in(page, "sam", PASSWORD)
    check_accessible(page, "kernel-01-choose-organisation")
    page.get_by_role("link", name="NHS City and Hackney").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NHS City and Hackney", use_inner_text=True)
    check_accessible(page, "kernel-02-home")

    page.get_by_role("link", name="NHS Birmingham and Solihull (15E)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "NHS Birmingham and Solihull", use_inner_text=True
    )
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    page.get_by_label("Search by name or NHS number").fill("Hughes")
    page.get_by_role("button", name="Search").click()
    check_accessible(page, "kernel-03-people")
    page.get_by_role("link", name="Hughes, Daniel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daniel Hughes", use_inner_text=True)
    check_accessible(page, "kernel-04-person")
    assert RecordAccess.objects.filter(what="person", user=broker, organisation=birmingham).count() == 1
