"""Fund pages: the list, setting a fund up, its figures and chart, top-ups and reductions, closing it."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from payments.models import Fund, FundEntry
from phb.constants import Role
from tests.factories import SupplierFactory, approve, fund_for, member, plan_at_last_signoff, this_year

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


def test_the_list_shows_each_fund_with_its_holder_and_what_remains(org, finance):
    partner = SupplierFactory(organisation=org, name="The Advocacy Project")
    fund_for(org, amount="5000.00", name="Recovery budgets", held_by=partner)
    approve(plan_at_last_signoff(org, total="1000.00"))
    page = client_for(finance).get("/o/07T/funds/").content.decode()
    assert "Recovery budgets" in page and "The Advocacy Project" in page
    assert "£4,000.00" in page  # remaining
    assert "Set up a fund" in page


def test_setting_up_a_fund_from_the_page_shows_its_figures(org, finance):
    partner = SupplierFactory(organisation=org, name="The Advocacy Project")
    response = client_for(finance).post(
        "/o/07T/funds/new/",
        {
            "name": "Recovery budgets",
            "financial_year": this_year(),
            "amount": "25000.00",
            "held_by": partner.pk,
            "cohorts": ["mental_health"],
        },
        follow=True,
    )
    fund = Fund.objects.get()
    assert response.redirect_chain[-1][0] == f"/o/07T/funds/{fund.pk}/"
    page = response.content.decode()
    assert "set up" in page and "£25,000.00" in page and "mental health" in page
    assert fund.held_by == partner


def test_a_bad_fund_form_says_what_to_fix_and_stores_nothing(org, finance):
    page = client_for(finance).post(
        "/o/07T/funds/new/", {"name": "", "financial_year": "2026", "amount": "x"}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "like 2026-27" in text and "must be an amount in pounds and pence" in text
    assert not Fund.objects.exists()


def test_the_fund_page_shows_the_five_figures_the_outlook_and_a_chart_with_its_table(org, finance):
    fund = fund_for(org, amount="1000.00")
    approve(plan_at_last_signoff(org, total="250.00"))
    page = client_for(finance).get(f"/o/07T/funds/{fund.pk}/").content.decode()
    for label, value in [
        ("allocated", "£1,000.00"),
        ("committed", "£250.00"),
        ("released", "£250.00"),
        ("paid", "£0.00"),
        ("remaining", "£750.00"),
    ]:
        assert re.search(rf'data-figure="{label}">{re.escape(value)}<', page), label
    assert "Weekly commitment to 31 March" in page and "Runs out" in page
    assert '<svg class="phb-chart"' in page and 'role="img"' in page
    assert "Committed to date at each month end" in page and "Apr " in page
    assert "Plan approved and funded" in page  # the commitment entry
    main = page[page.index("<main") : page.index("</main>")]
    assert "style=" not in main and "<script" not in main


def test_top_up_from_the_page_adds_a_versioned_entry(org, finance):
    fund = fund_for(org, amount="1000.00")
    response = client_for(finance).post(
        f"/o/07T/funds/{fund.pk}/adjust/",
        {"kind": "top_up", "amount": "500.00", "reason": "Winter"},
        follow=True,
    )
    assert "Top-up of £500.00 recorded (version 2)" in response.content.decode()
    fund.refresh_from_db()
    assert fund.amount == Decimal("1500.00")


def test_a_reduction_below_committed_is_refused_on_the_form(org, finance):
    fund = fund_for(org, amount="500.00")
    approve(plan_at_last_signoff(org, total="400.00"))
    page = client_for(finance).post(
        f"/o/07T/funds/{fund.pk}/adjust/", {"kind": "reduction", "amount": "200.00", "reason": "Cut"}
    )
    assert page.status_code == 200 and "£100.00 can be taken out" in page.content.decode()
    assert FundEntry.objects.filter(kind="reduction").count() == 0


def test_closing_a_fund_needs_confirming(org, finance):
    fund = fund_for(org)
    client = client_for(finance)
    assert client.post(f"/o/07T/funds/{fund.pk}/close/", {}).status_code == 200
    fund.refresh_from_db()
    assert fund.status == "open"
    client.post(f"/o/07T/funds/{fund.pk}/close/", {"confirm": "on"})
    fund.refresh_from_db()
    assert fund.status == "closed"


def test_brokers_read_funds_but_do_not_change_them(org):
    fund = fund_for(org)
    broker = client_for(member(org, Role.BROKER, username="broker"))
    page = broker.get(f"/o/07T/funds/{fund.pk}/").content.decode()
    assert "Top up or reduce" not in page
    assert broker.get(f"/o/07T/funds/{fund.pk}/adjust/").status_code == 403
    assert broker.get("/o/07T/funds/new/").status_code == 403


def test_care_coordinators_do_not_see_the_fund_pages(org):
    coordinator = client_for(member(org, Role.CARE_COORDINATOR, username="cc"))
    assert coordinator.get("/o/07T/funds/").status_code == 403


def test_another_organisations_fund_page_is_404(org, other_org, finance):
    foreign = fund_for(other_org)
    assert client_for(finance).get(f"/o/07T/funds/{foreign.pk}/").status_code == 404


def test_the_account_page_says_the_release_came_from_the_fund_or_why_none_did(org, finance):
    fund_for(org, amount="300.00", name="Recovery budgets")
    funded = approve(plan_at_last_signoff(org, total="250.00"))
    waiting = approve(plan_at_last_signoff(org, total="250.00"))
    client = client_for(finance)
    page = client.get(f"/o/07T/plans/{funded.pk}/account/").content.decode()
    assert 'Approval to release of funds</dt><dd class="nhsuk-summary-list__value">0 days' in page
    assert "released from the fund agreed in advance Recovery budgets" in page
    page = client.get(f"/o/07T/plans/{waiting.pk}/account/").content.decode()
    assert "no fund with room: £250.00 needed" in page
    worklist = client.get("/o/07T/payments/").content.decode()
    assert "No fund with room: £250.00 needed" in worklist


def test_finance_releases_a_waiting_plan_from_a_topped_up_fund_from_the_account_page(org, finance):
    from payments import fund_services

    fund = fund_for(org, amount="100.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    client = client_for(finance)
    account_page = client.get(f"/o/07T/plans/{plan.pk}/account/").content.decode()
    assert "Release from a fund" in account_page
    refused = client.post(f"/o/07T/plans/{plan.pk}/account/release-from-fund/", {"confirm": "on"})
    assert "no fund with room" in refused.content.decode()
    fund_services.fund_adjust(
        actor=finance, fund=fund, kind="top_up", amount=Decimal("200.00"), reason="More"
    )
    response = client.post(
        f"/o/07T/plans/{plan.pk}/account/release-from-fund/", {"confirm": "on"}, follow=True
    )
    assert "Release of funds of £300.00 from the fund PHB fund" in response.content.decode()
