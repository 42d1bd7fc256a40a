"""Naming a budget's broker under real concurrency (the account's row lock; PostgreSQL with
DATABASE_URL, else SQLite's one writer at a time): one broker holds the grant, told once."""

import pytest
from guardian.models import UserObjectPermission

from payments.broker_services import account_broker_assign
from phb.constants import Role
from phb.models import Notification
from tests.factories import OrganisationFactory, funded_account, member
from tests.payments.test_concurrency import _run_together

pytestmark = pytest.mark.django_db(transaction=True)


def _grants(account) -> list[int]:
    return list(
        UserObjectPermission.objects.filter(
            object_pk=str(account.pk), permission__codename="manage_budget"
        ).values_list("user_id", flat=True)
    )


def test_two_people_naming_different_brokers_at_once_leave_exactly_one_holding_the_grant():
    organisation = OrganisationFactory(code="07T")
    finance = member(organisation, Role.FINANCE, username="finance")
    commissioner = member(organisation, Role.COMMISSIONER, username="commissioner")
    brokers = [member(organisation, Role.BROKER, username=f"broker{n}") for n in range(2)]
    plan, account = funded_account(organisation, finance=finance)
    actors = [finance, commissioner]

    results = _run_together(2, lambda n: account_broker_assign(actor=actors[n], plan=plan, broker=brokers[n]))

    assert [r for r in results if isinstance(r, Exception)] == []
    account.refresh_from_db()
    assert _grants(account) == [account.broker_id]
    assert account.broker_id in {b.pk for b in brokers}


def test_naming_the_same_broker_twice_at_once_grants_and_tells_once():
    organisation = OrganisationFactory(code="07T")
    finance = member(organisation, Role.FINANCE, username="finance")
    commissioner = member(organisation, Role.COMMISSIONER, username="commissioner")
    broker = member(organisation, Role.BROKER, username="broker")
    plan, account = funded_account(organisation, finance=finance)
    actors = [finance, commissioner]

    results = _run_together(2, lambda n: account_broker_assign(actor=actors[n], plan=plan, broker=broker))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert _grants(account) == [broker.pk]
    assert Notification.objects.filter(user=broker, subject__startswith="Budget assigned").count() == 1
