"""Real concurrency on PostgreSQL: the fund row lock means racing approvals never over-commit a fund."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from payments.models import BudgetAccount, Fund, FundEntry, LedgerEntry
from support_plans.services import plan_mark_approved
from tests.factories import OrganisationFactory, fund_for, plan_at_last_signoff
from tests.payments.test_concurrency import _run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock concurrency needs PostgreSQL (set DATABASE_URL)")


def _approve_all_at_once(plans):
    return _run_together(
        len(plans), lambda n: plan_mark_approved(actor=None, plan=plans[n], at=timezone.now())
    )


def test_two_approvals_racing_for_the_last_room_in_a_fund_never_both_draw_from_it():
    organisation = OrganisationFactory(code="07T")
    fund = fund_for(organisation, amount="500.00")
    plans = [plan_at_last_signoff(organisation, total="300.00") for _ in range(2)]

    results = _approve_all_at_once(plans)

    assert not [r for r in results if isinstance(r, Exception)], results
    fund.refresh_from_db()
    assert fund.committed == Decimal("300.00")
    assert FundEntry.objects.filter(kind="commitment").count() == 1
    assert LedgerEntry.objects.filter(kind="release", fund=fund).count() == 1
    accounts = BudgetAccount.objects.order_by("released")
    assert [a.released for a in accounts] == [Decimal("0.00"), Decimal("300.00")]
    assert accounts[0].no_fund_reason.startswith("no fund with room")


def test_twenty_approvals_at_once_against_room_for_eight_fund_exactly_eight():
    organisation = OrganisationFactory(code="07T")
    fund_for(organisation, amount="800.00")
    plans = [plan_at_last_signoff(organisation, total="100.00") for _ in range(20)]

    results = _approve_all_at_once(plans)

    assert not [r for r in results if isinstance(r, Exception)], results
    fund = Fund.objects.get()
    assert fund.committed == fund.amount == Decimal("800.00")
    assert BudgetAccount.objects.filter(released=Decimal("100.00")).count() == 8
    assert BudgetAccount.objects.filter(released=0).count() == 12
    assert list(fund.entries.values_list("version", flat=True)) == list(range(1, 10))
