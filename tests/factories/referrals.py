"""Factories for the referrals app: a referral in each state, and conversations."""

from datetime import timedelta

import factory
from django.utils import timezone

from referrals.constants import ReferralStatus
from referrals.models import Conversation, Referral

from .kernel import OrganisationFactory, PersonFactory

__all__ = ["AcceptedReferralFactory", "ConversationFactory", "ReferralFactory"]


class ReferralFactory(factory.django.DjangoModelFactory):
    """A received referral, not yet accepted."""

    class Meta:
        model = Referral

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    source = "gp"
    cohort = "mental_health"
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    notes = "Referred by the GP."
    status = ReferralStatus.RECEIVED


class AcceptedReferralFactory(ReferralFactory):
    """An accepted referral; pass `care_coordinator=` (a user who holds the role)."""

    status = ReferralStatus.ACCEPTED
    accepted_at = factory.LazyFunction(timezone.now)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    referral = factory.SubFactory(AcceptedReferralFactory)
    organisation = factory.SelfAttribute("referral.organisation")
    person = factory.SelfAttribute("referral.person")
    held_on = factory.LazyFunction(timezone.localdate)
    mode = "home_visit"
    participants = factory.LazyFunction(lambda: ["person"])
    notes = ""
    goals = factory.LazyFunction(lambda: ["Get back to swimming"])
