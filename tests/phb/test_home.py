"""The home page tells each member of staff what needs doing, from every app, by role."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from payments.models import BudgetAccount
from phb.demo import seed_all
from referrals.models import Referral
from reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    seed_all()


def home_for(username, org="07T") -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.get(f"/o/{org}/").content.decode()


def figure(page, label) -> int:
    match = re.search(r'<span class="phb-figure">(\d+)</span> ' + re.escape(label), page)
    assert match, f"no figure for {label!r}"
    return int(match.group(1))


def test_a_care_coordinator_sees_caseload_waiting_referrals_and_reviews(demo):
    page = home_for("ch_care_coordinator")
    user = get_user_model().objects.get(username="ch_care_coordinator")
    referrals = Referral.objects.filter(organisation__code="07T")
    assert (
        figure(page, "in my caseload") == referrals.filter(status="accepted", care_coordinator=user).count()
    )
    assert (
        figure(page, "waiting to be accepted")
        == referrals.filter(status="received", care_coordinator__isnull=True).count()
    )
    overdue = Review.objects.filter(
        organisation__code="07T",
        plan__care_coordinator=user,
        status="scheduled",
        due_on__lt=timezone.localdate(),
        budget__closed_on__isnull=True,
    ).count()
    assert figure(page, "of my reviews overdue") == overdue
    assert "Money" not in page


def test_finance_sees_approved_plans_waiting_for_funds(demo):
    # Birmingham releases by hand (City & Hackney's fund releases at approval, so nothing waits there).
    page = home_for("bs_finance", org="15E")
    waiting = BudgetAccount.objects.filter(
        organisation__code="15E",
        first_released_at__isnull=True,
        closed_on__isnull=True,
        plan__status__in=["approved", "active"],
    ).count()
    assert waiting > 0
    assert figure(page, "approved plans waiting for funds") == waiting
    assert "Approvals" not in page.split("What needs doing")[1].split("Go to")[0]


def test_an_approver_sees_requests_waiting_for_their_sign_off(demo):
    from approvals.selectors import requests_waiting_for
    from phb.models import Organisation

    lead = get_user_model().objects.get(username="ch_team_lead")
    waiting = requests_waiting_for(
        organisation=Organisation.objects.get(code="07T"), user=lead, roles={"team_lead", "care_coordinator"}
    )
    assert len(waiting) >= 1
    assert figure(home_for("ch_team_lead"), "waiting for my sign-off") == len(waiting)
