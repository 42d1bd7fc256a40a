"""Factories for the support_plans app: budgets, plan versions in each state, items, suppliers, offers."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from support_plans.constants import Frequency, Management, PlanStatus
from support_plans.costs import plan_costs
from support_plans.models import (
    Budget,
    FastTrackOffer,
    PlanGoal,
    PlanItem,
    PlanRisk,
    Supplier,
    SupportPlan,
)

from .kernel import OrganisationFactory, PersonFactory

__all__ = [
    "ActivePlanFactory",
    "ApprovedPlanFactory",
    "BudgetFactory",
    "FastTrackOfferFactory",
    "PlanFactory",
    "PlanGoalFactory",
    "PlanItemFactory",
    "PlanRiskFactory",
    "SubmittedPlanFactory",
    "SupplierFactory",
]


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft version 1 with one goal and one one-off item of £200 (costs stored from costs.py)."""

    class Meta:
        model = SupportPlan
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    budget = factory.SubFactory(
        BudgetFactory,
        organisation=factory.SelfAttribute("..organisation"),
        person=factory.SelfAttribute("..person"),
    )
    version = 1
    status = PlanStatus.DRAFT
    start_date = date(2026, 1, 5)
    end_date = date(2026, 12, 31)
    management = Management.DIRECT_PAYMENT

    @factory.post_generation
    def goals(obj, create, extracted, **kwargs):
        for description in (
            ["I want to get back to swimming twice a week"] if extracted is None else extracted
        ):
            PlanGoal.objects.create(organisation=obj.organisation, plan=obj, description=description)

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        default = [
            {"description": "Swimming pass", "amount": Decimal("200.00"), "frequency": Frequency.ONE_OFF}
        ]
        for values in default if extracted is None else extracted:
            PlanItem.objects.create(
                organisation=obj.organisation,
                plan=obj,
                category=values.get("category", "fitness_exercise"),
                **{k: v for k, v in values.items() if k != "category"},
            )

    @factory.post_generation
    def stored_costs(obj, create, extracted, **kwargs):
        result = plan_costs(obj.start_date, obj.end_date, list(obj.items.all()))
        SupportPlan.objects.filter(pk=obj.pk).update(
            cost_total=result.total, cost_weekly=result.weekly, cost_annual=result.annual
        )
        obj.cost_total, obj.cost_weekly, obj.cost_annual = result.total, result.weekly, result.annual


class SubmittedPlanFactory(PlanFactory):
    status = PlanStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ApprovedPlanFactory(SubmittedPlanFactory):
    status = PlanStatus.APPROVED
    approved_at = factory.SelfAttribute("submitted_at")
    decided_at = factory.SelfAttribute("submitted_at")


class ActivePlanFactory(ApprovedPlanFactory):
    status = PlanStatus.ACTIVE
    activated_at = factory.SelfAttribute("submitted_at")


class PlanGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanGoal

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SelfAttribute("plan.organisation")
    description = "I want to feel less alone"


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SelfAttribute("plan.organisation")
    description = "Art materials"
    category = "arts_crafts"
    amount = Decimal("50.00")
    frequency = Frequency.ONE_OFF


class PlanRiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanRisk

    plan = factory.SubFactory(PlanFactory)
    organisation = factory.SelfAttribute("plan.organisation")
    risk = "Gym closes"
    mitigation = "Use the leisure centre instead"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Supplier {n}")
    service = "Gym membership"
    category = "fitness_exercise"
    typical_amount = Decimal("30.00")
    typical_frequency = Frequency.MONTHLY


class FastTrackOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FastTrackOffer

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Smartphone and SIM for 12 months"
    description = "Smartphone with a 12-month SIM contract"
    category = "connectivity"
    amount = Decimal("250.00")
    frequency = Frequency.ONE_OFF
