"""An instalment's item, plan and organisation are one key on PostgreSQL (payments/models.py
`Instalment`): they must be a plan item's own, which the three keys it replaced did not require."""

import pytest
from django.db import IntegrityError, connection, transaction

from payments.models import Instalment
from support_plans.models import PlanItem
from tests.factories import OrganisationFactory
from tests.factories.payments import approved_plan, open_account, revised_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The composite key is PostgreSQL's (on SQLite the three fields are unconstrained)")


def _refused(**wrong) -> bool:
    """Whether the database refuses an instalment copied from a scheduled one with `wrong` fields."""
    instalment = Instalment.objects.first()
    fields = {
        "organisation_id": instalment.organisation_id,
        "account_id": instalment.account_id,
        "plan_id": instalment.plan_id,
        "item_id": instalment.item_id,
        "due_on": instalment.due_on,
        "amount": instalment.amount,
        **wrong,
    }
    try:
        with transaction.atomic():
            Instalment.objects.create(**fields)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the key is checked at commit
    except IntegrityError:
        return True
    return False


@pytest.fixture
def scheduled(org):
    plan = approved_plan(org, items=[{"description": "Carer", "amount": "50.00", "frequency": "weekly"}])
    open_account(plan)
    assert Instalment.objects.filter(plan=plan).exists()
    return plan


def test_an_instalment_of_its_own_items_plan_and_organisation_is_kept(scheduled):
    assert not _refused()


def test_an_instalment_under_another_version_than_its_items_is_refused(scheduled):
    revision = revised_plan(scheduled, total="2600.00")
    assert not _refused(plan_id=revision.pk, item_id=revision.items.get().pk)
    assert _refused(plan_id=revision.pk)


def test_an_instalment_in_another_organisation_than_its_item_is_refused(scheduled):
    assert _refused(organisation_id=OrganisationFactory().pk)


def test_an_instalment_of_an_item_that_is_not_there_is_refused(scheduled):
    missing = (PlanItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert _refused(item_id=missing)
