"""An org admin creates an account, invites someone who has one, changes a colleague's roles and
cannot change their own; the invited person accepts while signed in. At desktop and phone width."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from phb.constants import Role
from phb.models import AuditEvent, Membership
from tests.factories import OrganisationFactory, member
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff_menu(page):
    menu = page.get_by_role("navigation", name="Menu")
    if not menu.get_by_role("link", name="Staff").is_visible():
        menu.get_by_role("button", name=re.compile("More")).click()
    menu.get_by_role("link", name="Staff").click()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_staff_accounts_invitations_and_roles(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    birmingham = OrganisationFactory(code="15E", name="NHS Birmingham and Solihull")
    admin = member(hackney, Role.ORG_ADMIN, username="admin")
    second_admin = member(hackney, Role.ORG_ADMIN, username="secondadmin")
    colleague = member(hackney, Role.CARE_COORDINATOR, username="nia")
    sam = member(birmingham, Role.BROKER, username="sam")
    shot = f"staff-{width}"

    sign_in(page, "admin", PASSWORD)
    _staff_menu(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff", use_inner_text=True)
    check_accessible(page, f"{shot}-01-list")

    # A username that is taken gets one plain answer, pointing to invitations.
    page.get_by_role("link", name="Create a staff account").click()
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("a-long-Passphrase-42")
    page.get_by_label("Broker").check()
    page.get_by_role("button", name="Create account").click()
    assert "That username is taken" in page.locator(".nhsuk-error-summary").inner_text()
    check_accessible(page, f"{shot}-02-username-taken")

    # Someone who already has an account is invited instead.
    page.get_by_role("link", name="invite them", exact=True).click()
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Broker").check()
    check_accessible(page, f"{shot}-03-invite")
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to sam@example.org" in page.get_by_role("status").inner_text()
    assert "sam@example.org" in page.get_by_role("table").last.inner_text()
    check_accessible(page, f"{shot}-04-invitation-waiting")
    [invitation] = [m for m in mail.outbox if m.to == ["sam@example.org"]]
    accept_path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", invitation.body).group(1)

    # Another admin changes a colleague's roles: giving a sign-off role is told to the other admins.
    mail.outbox.clear()
    page.get_by_role("link", name=colleague.get_full_name()).click()
    page.get_by_label("Team lead").check()
    check_accessible(page, f"{shot}-05-edit-colleague")
    page.get_by_role("button", name="Save").click()
    assert Membership.objects.get(user=colleague).role_codes == {"care_coordinator", "team_lead"}
    assert [m.to for m in mail.outbox] == [[second_admin.email]]

    # Nobody changes their own roles.
    page.get_by_role("link", name=admin.get_full_name()).click()
    assert "You cannot change your own roles" in page.get_by_role("main").inner_text()
    assert page.get_by_label("Finance").count() == 0
    check_accessible(page, f"{shot}-06-own-entry")

    # The invited person signs in to their own account and accepts.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "sam", PASSWORD)
    page.goto(accept_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invitation to NHS City and Hackney", use_inner_text=True
    )
    check_accessible(page, f"{shot}-07-accept")
    page.get_by_role("button", name="Accept and join NHS City and Hackney").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NHS City and Hackney", use_inner_text=True)
    assert Membership.objects.get(user=sam, organisation=hackney).role_codes == {"broker"}
    assert AuditEvent.objects.filter(action="invitation_accepted", actor=sam).exists()
