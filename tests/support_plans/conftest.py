"""Fixtures of the support plan tests: staff by role, a City and Hackney style approval policy."""

import pytest

from phb.constants import Role
from tests.factories import member


@pytest.fixture
def team_lead(org):
    return member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="teamlead")


@pytest.fixture
def commissioner(org):
    return member(org, Role.COMMISSIONER, username="commissioner")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


HACKNEY_TIERS = [
    {
        "up_to": "250.00",
        "basis": "total",
        "signoffs": [{"role": "care_coordinator", "count": 1}],
        "submitter_may_sign": True,
    },
    {
        "up_to": "750.00",
        "basis": "total",
        "signoffs": [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}],
        "submitter_may_sign": True,
    },
    {
        "up_to": None,
        "basis": "total",
        "signoffs": [
            {"role": "lived_experience_reviewer", "count": 1},
            {"role": "phb_lead", "count": 1},
            {"role": "commissioner", "count": 1},
        ],
        "submitter_may_sign": False,
    },
]


@pytest.fixture
def policy(org):
    """The organisation's approval policy, written straight to the table (approvals owns the service)."""
    from django.utils import timezone

    from approvals.models import ApprovalPolicy

    return ApprovalPolicy.objects.create(
        organisation=org,
        version=1,
        effective_from=timezone.now() - timezone.timedelta(days=1),
        tiers=HACKNEY_TIERS,
    )
