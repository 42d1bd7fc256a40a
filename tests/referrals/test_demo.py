"""The referrals demo: every stage in both organisations, and a transfer 07T accepted by 15E."""

import pytest

from phb.demo import seed_kernel
from referrals import demo
from referrals.models import Conversation, Referral

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_stage_in_both_organisations_and_a_transfer():
    context = seed_kernel()

    demo.seed(context)
    demo.seed(context)  # a second run adds nothing

    for organisation in context.organisations:
        referrals = Referral.objects.for_org(organisation)
        statuses = set(referrals.values_list("status", flat=True))
        assert {"received", "accepted", "declined", "withdrawn"} <= statuses
        with_conversations = referrals.filter(status="accepted", conversations__isnull=False).distinct()
        assert with_conversations.count() >= 5
        assert Conversation.objects.for_org(organisation).exists()
        assert referrals.filter(status="received", care_coordinator__isnull=True).count() >= 2
    sent = Referral.objects.get(organisation__code="07T", status="transferred")
    assert sent.transferred_to.code == "15E"
    assert sent.transferred_as.status == "accepted"
    assert sent.transferred_as.organisation.code == "15E"
