"""A supplier's login, in chromium at desktop and phone width: payments received from two organisations,
filtered to one, then the instalments due; and the org admin's page that gave the login (axe 0)."""

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from tests.factories import (
    OrganisationFactory,
    SupplierFactory,
    member,
    pay_supplier,
    provider_login,
    supplier_budget,
)
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_provider_sees_what_two_organisations_paid_and_owe(page, width):
    page.set_viewport_size(WIDTHS[width])
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    birmingham = OrganisationFactory(code="15E", name="NHS Birmingham and Solihull", region="Midlands")
    here = SupplierFactory(organisation=hackney, name="Better Leisure Centre")
    there = SupplierFactory(organisation=birmingham, name="Better Leisure Centre")
    pay_supplier(supplier_budget(hackney, here), here, reference="BLC-0001", days_ago=3)
    pay_supplier(
        supplier_budget(birmingham, there, amount="55.00"), there, amount="55.00", reference="BLC-0002"
    )
    provider = provider_login(here, there)
    admin = member(hackney, Role.ORG_ADMIN, username="admin")

    sign_in(page, provider.username, PASSWORD)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments received")
    payments = page.locator("#payments")
    expect(payments.get_by_role("caption")).to_have_text("2 payments")
    expect(payments).to_contain_text("BLC-0002")
    check_accessible(page, f"providers-01-payments-{width}")

    page.get_by_label("Organisation").select_option("15E")
    page.get_by_role("button", name="Show").click()
    expect(payments.get_by_role("caption")).to_have_text("1 payment")
    expect(payments).to_contain_text("£55.00")
    expect(payments).not_to_contain_text("BLC-0001")
    check_accessible(page, f"providers-02-payments-one-organisation-{width}")

    page.goto("/provider/instalments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Instalments due")
    expect(page.locator("#instalments")).to_contain_text("NHS City and Hackney")
    check_accessible(page, f"providers-03-instalments-{width}")

    if width == "desktop":
        # The org admin who gave the login sees it on the supplier's page.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        sign_in(page, admin.username, PASSWORD)
        page.goto(f"/o/07T/suppliers/{here.pk}/edit/")
        page.get_by_role("link", name="Logins for Better Leisure Centre").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Logins for Better Leisure Centre – Gym membership"
        )
        expect(page.locator("#logins")).to_contain_text(provider.username)
        check_accessible(page, "providers-04-supplier-logins")
