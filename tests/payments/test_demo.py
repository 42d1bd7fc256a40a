"""The demo: City & Hackney runs on a fund agreed in advance, Birmingham & Solihull releases by hand,
and their dashboards' approval -> funds released timings show the difference."""

import pytest
from django.utils import timezone

from payments.models import BudgetAccount, Fund, LedgerEntry
from phb.demo import seed_all
from phb.models import Organisation
from reporting.dashboard import organisation_dashboard
from tests.factories import this_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_all()
    return {code: Organisation.objects.get(code=code) for code in ("07T", "15E")}


def test_hackney_runs_on_a_fund_held_by_its_brokerage_partner_and_releases_at_approval(demo):
    fund = Fund.objects.get(organisation=demo["07T"], financial_year=this_year())
    assert fund.held_by.name == "The Advocacy Project"
    releases = LedgerEntry.objects.filter(organisation=demo["07T"], kind="release")
    assert releases.exists() and all(entry.fund_id == fund.pk for entry in releases)
    assert fund.committed == sum(entry.amount for entry in releases)


def test_birmingham_has_no_fund_this_year_and_releases_by_hand(demo):
    assert not Fund.objects.filter(organisation=demo["15E"], financial_year=this_year()).exists()
    releases = LedgerEntry.objects.filter(organisation=demo["15E"], kind="release")
    assert releases.exists() and not releases.filter(fund__isnull=False).exists()
    waiting = BudgetAccount.objects.filter(organisation=demo["15E"], first_released_at__isnull=True)
    assert waiting.count() == 1


def test_the_two_dashboards_timings_differ(demo):
    today = timezone.localdate()
    hackney = organisation_dashboard(demo["07T"], today)["timings"]
    birmingham = organisation_dashboard(demo["15E"], today)["timings"]
    assert hackney["approval_to_funds_released"]["median"] == 0.0
    assert hackney["approval_to_release_from_fund"]["count"] >= 1
    assert hackney["approval_to_release_by_hand"]["count"] == 0
    assert birmingham["approval_to_release_from_fund"]["count"] == 0
    assert birmingham["approval_to_release_by_hand"]["median"] > 2
