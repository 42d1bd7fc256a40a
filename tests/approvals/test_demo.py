"""The demo leaves both organisations with a policy and plans at every stage of sign-off."""

import pytest

from approvals.models import ApprovalPolicy, ApprovalRequest
from phb.demo import seed_all
from support_plans.models import SupportPlan

pytestmark = pytest.mark.django_db


def test_demo_publishes_both_policies_and_puts_plans_at_every_stage():
    context = seed_all()
    for organisation in context.organisations:
        assert ApprovalPolicy.objects.filter(organisation=organisation).exists()
        statuses = set(
            ApprovalRequest.objects.filter(organisation=organisation).values_list("status", flat=True)
        )
        assert {"approved", "declined", "returned", "pending"} <= statuses, organisation.code
        assert SupportPlan.objects.filter(organisation=organisation, status="draft").count() >= 2
