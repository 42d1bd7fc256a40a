"""The reviews demo: policies in both organisations, reviews for the plans in place, a history of measures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phb.demo import seed_kernel
from reviews import demo, services
from reviews.models import OutcomeMeasure, Review
from tests.factories.reviews import reviewed_plan

pytestmark = pytest.mark.django_db


def test_demo_sets_policies_and_schedules_reviews_in_both_organisations():
    context = seed_kernel()
    for organisation in context.organisations:
        for person in context.people[organisation.code][:2]:
            reviewed_plan(
                organisation,
                care_coordinator=context.staff[organisation.code]["care_coordinator"],
                budget__person=person,
            )
    demo.seed(context)
    demo.seed(context)  # a second run adds nothing

    today = timezone.localdate()
    hackney, birmingham = context.organisations
    assert services.review_policy_get(hackney).midpoint_and_end is True
    assert services.review_policy_get(birmingham).interval_weeks == 52
    for organisation in context.organisations:
        reviews = Review.objects.for_org(organisation)
        assert reviews.filter(status="completed").count() == 3
        assert reviews.filter(status="scheduled", due_on__lt=today).exists()
        assert reviews.filter(
            status="scheduled", due_on__gte=today, due_on__lte=today + timedelta(days=7)
        ).exists()
        scores = list(
            OutcomeMeasure.objects.for_org(organisation)
            .filter(instrument="ReQoL-10")
            .order_by("recorded_on")
            .values_list("score", flat=True)
        )
        assert scores == sorted(scores) and len(scores) == 3


def test_demo_without_plans_in_place_sets_policies_only():
    context = seed_kernel()
    demo.seed(context)
    assert not Review.objects.exists()
    assert all(services.review_policy_get(o).pk for o in context.organisations)
