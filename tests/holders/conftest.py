"""Budget holders for the tests: a person of the organisation with a direct payment in place, and the
account their invitation made (through the real invitation and acceptance)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from payments import services as payment_services
from phb.constants import Role
from tests.factories import (
    HOLDER_PASSWORD,
    PersonFactory,
    approved_plan,
    budget_holder_for,
    member,
    open_account,
)

PASSWORD = HOLDER_PASSWORD
invite_and_accept = budget_holder_for


def budget_in_place(organisation, person, *, coordinator, finance, management="direct_payment", paid="35.00"):
    """An active plan of `person` with one goal, its account open, funds released and one payment."""
    plan = approved_plan(
        organisation,
        person=person,
        total="300.00",
        items=[
            {"description": "Swimming pass", "amount": "300.00", "supplier_name": "Better Leisure"},
        ],
    )
    plan.management = management
    plan.care_coordinator = coordinator
    plan.save(update_fields=["management", "care_coordinator"])
    plan.goals.create(organisation=organisation, description="I want to swim twice a week", position=0)
    open_account(plan)
    payment_services.release_record(
        actor=finance, plan=plan, amount=Decimal("300.00"), released_on=timezone.localdate()
    )
    if paid:
        payment_services.payment_record(
            actor=finance,
            plan=plan,
            amount=Decimal(paid),
            paid_on=timezone.localdate(),
            method="bank_transfer",
            payee="Better Leisure",
            reference="SWIM-1",
            idempotency_key=None,
        )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def plan(org, person, coordinator, finance):
    return budget_in_place(org, person, coordinator=coordinator, finance=finance)


@pytest.fixture
def holder(plan, coordinator):
    return invite_and_accept(plan.person, username="amara", actor=coordinator)


@pytest.fixture
def other_plan(org, coordinator, finance):
    """Another person's budget in the same organisation, with their own holder."""
    other = PersonFactory(organisation=org, given_name="Zqxother", family_name="Person")
    return budget_in_place(org, other, coordinator=coordinator, finance=finance)


@pytest.fixture
def other_holder(other_plan, coordinator):
    return invite_and_accept(other_plan.person, username="otherholder", actor=coordinator)
