"""Rows held to their plan by one composite key on PostgreSQL: an instalment's item, plan and
organisation must be a plan item's own (payments/models.py `Instalment`); a review's and a budget
account's plan, budget, person and organisation must be the plan's own (reviews/models.py `Review`,
payments/models.py `BudgetAccount`). The single keys they replaced did not require that."""

import pytest
from django.db import IntegrityError, connection, models, transaction

from payments.models import BudgetAccount, Instalment
from reviews.models import Review
from reviews.services import reviews_schedule_for_plan
from support_plans.models import PlanItem
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories.payments import approved_plan, open_account, revised_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The composite keys are PostgreSQL's (on SQLite these fields are unconstrained)")


def refused(row: models.Model, **wrong) -> bool:
    """Whether the database refuses a copy of `row` with the `wrong` fields (the keys are checked at
    commit: here at once, inside a savepoint)."""
    fields = {
        f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if not f.primary_key
    }
    try:
        with transaction.atomic():
            type(row).objects.create(**{**fields, **wrong})
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except IntegrityError:
        return True
    return False


@pytest.fixture
def plan(org):
    plan = approved_plan(org, items=[{"description": "Carer", "amount": "50.00", "frequency": "weekly"}])
    open_account(plan)
    reviews_schedule_for_plan(actor=None, plan=plan)
    assert Instalment.objects.filter(plan=plan).exists() and Review.objects.filter(plan=plan).exists()
    return plan


def test_an_instalment_of_its_own_items_plan_and_organisation_is_kept(plan):
    assert not refused(Instalment.objects.first())


def test_an_instalment_under_another_version_than_its_items_is_refused(plan):
    revision = revised_plan(plan, total="2600.00")
    instalment = Instalment.objects.first()
    assert not refused(instalment, plan_id=revision.pk, item_id=revision.items.get().pk)
    assert refused(instalment, plan_id=revision.pk)


def test_an_instalment_in_another_organisation_than_its_item_is_refused(plan):
    assert refused(Instalment.objects.first(), organisation_id=OrganisationFactory().pk)


def test_an_instalment_of_an_item_that_is_not_there_is_refused(plan):
    missing = PlanItem.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    assert refused(Instalment.objects.first(), item_id=missing)


def _row(model, plan, other):
    """A review of `plan` to copy, or the account of `plan` to copy onto `other`'s budget (one
    account a budget): either way a row whose plan, budget, person and organisation agree."""
    if model is Review:
        return Review.objects.filter(plan=plan).first()
    account = BudgetAccount.objects.get(plan=plan)
    account.plan_id, account.budget_id, account.person_id = other.pk, other.budget_id, other.person_id
    return account


@pytest.mark.parametrize("model", [Review, BudgetAccount], ids=["review", "account"])
def test_a_row_of_its_own_plans_budget_person_and_organisation_is_kept(org, plan, model):
    other = approved_plan(org)
    assert not refused(_row(model, plan, other))


@pytest.mark.parametrize("model", [Review, BudgetAccount], ids=["review", "account"])
def test_a_row_of_another_person_budget_or_organisation_than_its_plans_is_refused(org, plan, model):
    other = approved_plan(org)
    row = _row(model, plan, other)
    assert refused(row, person_id=PersonFactory(organisation=org).pk)
    assert refused(row, budget_id=approved_plan(org).budget_id)
    assert refused(row, organisation_id=OrganisationFactory().pk)
    assert refused(row, plan_id=approved_plan(org).pk)  # another budget's plan
