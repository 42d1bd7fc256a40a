"""Fixtures of the approvals tests: a 07T-shaped organisation with Hackney's policy and its panel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals import services
from phb.constants import Role
from tests.factories import HACKNEY_TIERS, member


@pytest.fixture
def hackney_policy(org):
    return services.policy_publish(
        actor=None, organisation=org, tiers=HACKNEY_TIERS, effective_from=timezone.now() - timedelta(days=30)
    )


@pytest.fixture
def staff(org):
    """The people of a City and Hackney-shaped panel, by what they do."""
    return {
        "submitter": member(org, Role.CARE_COORDINATOR, username="submitter"),
        "coordinator2": member(org, Role.CARE_COORDINATOR, username="coordinator2"),
        "team_lead": member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="teamlead"),
        "phb_lead": member(org, Role.PHB_LEAD, username="phblead"),
        "reviewer": member(org, Role.LIVED_EXPERIENCE_REVIEWER, username="reviewer"),
        "commissioner": member(org, Role.COMMISSIONER, username="commissioner"),
        "commissioner2": member(org, Role.COMMISSIONER, username="commissioner2"),
        "broker": member(org, Role.BROKER, username="broker"),
    }
