"""Budget holders for the tests: a person of the organisation with a direct payment in place, and the
account their invitation made (through the real invitation and acceptance)."""

import pytest

from phb.constants import Role
from tests.factories import (
    HOLDER_PASSWORD,
    PersonFactory,
    budget_holder_for,
    budget_in_place,
    member,
)

PASSWORD = HOLDER_PASSWORD
invite_and_accept = budget_holder_for


@pytest.fixture(autouse=True)
def _receipts_elsewhere(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
