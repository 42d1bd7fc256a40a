"""The dashboard splits approval -> funds released by whether a fund agreed in advance released it,
and says why an approved plan still waits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from payments import services
from payments.models import BudgetAccount
from phb.constants import Role
from reporting.dashboard import organisation_dashboard
from support_plans.models import SupportPlan
from tests.conftest import api_client_for
from tests.factories import approve, fund_for, member, plan_at_last_signoff

pytestmark = pytest.mark.django_db


def _approved_days_ago(plan, days: int) -> None:
    when = timezone.now() - timedelta(days=days)
    SupportPlan.objects.filter(pk=plan.pk).update(approved_at=when)
    BudgetAccount.objects.filter(budget_id=plan.budget_id).update(opened_at=when)


@pytest.fixture
def world(org):
    finance = member(org, Role.FINANCE, username="finance")
    fund_for(org, amount="500.00", name="Recovery budgets")
    from_fund = approve(plan_at_last_signoff(org, total="400.00"))
    by_hand = approve(plan_at_last_signoff(org, total="300.00"))  # no room left: waits
    _approved_days_ago(by_hand, 10)
    services.release_record(
        actor=finance, plan=by_hand, amount=Decimal("300.00"), released_on=timezone.localdate()
    )
    waiting = approve(plan_at_last_signoff(org, total="200.00"))
    _approved_days_ago(waiting, 20)
    return {"finance": finance, "from_fund": from_fund, "by_hand": by_hand, "waiting": waiting}


def test_timings_split_releases_from_a_fund_and_by_hand(org, world):
    timings = organisation_dashboard(org, timezone.localdate())["timings"]
    assert timings["approval_to_release_from_fund"] == {"median": 0.0, "p90": 0.0, "count": 1}
    assert timings["approval_to_release_by_hand"]["count"] == 1
    assert 9.9 <= timings["approval_to_release_by_hand"]["median"] <= 10.1
    assert timings["approval_to_funds_released"]["count"] == 2


def test_the_unfunded_list_says_why_a_plan_waits(org, world):
    rows = organisation_dashboard(org, timezone.localdate())["unfunded_approved"]
    assert [row["plan"] for row in rows] == [world["waiting"].pk]
    assert rows[0]["reason"].startswith("no fund with room: £200.00 needed")


def test_the_dashboard_api_and_page_show_the_split(org, world):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    body = api_client_for(commissioner).get(f"/api/v1/orgs/{org.code}/dashboard/").json()
    assert body["timings"]["approval_to_release_from_fund"]["median"] == 0.0
    client = Client()
    client.force_login(commissioner)
    page = client.get(f"/o/{org.code}/dashboard/").content.decode()
    assert "from a fund agreed in advance" in page and "released by hand" in page
    assert "No fund with room" in page
