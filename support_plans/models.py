"""Personal health budgets and the versions of their support plans (goals, items, risks)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from phb.models import LeanHistoricalRecords, TenantModel

from . import allocation
from .constants import AgreedBy, CloseReason, Frequency, Management, PaymentMethod, PlanStatus, SpendCategory


def category_label(code: str) -> str:
    """A national category's name; an organisation's own code reads as words."""
    return dict(SpendCategory.choices).get(code, code.replace("_", " ").capitalize())


MONEY = {"max_digits": 12, "decimal_places": 2}


class Budget(TenantModel):
    """One personal health budget of one person, across the versions of its support plan.

    A person may hold more than one budget. The budget account (payments) hangs off this row;
    closing the account closes the budget.
    """

    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="budgets")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        indexes = [models.Index(fields=["organisation", "closed_on"])]

    def __str__(self) -> str:
        return f"Budget {self.pk}"


class AllocationQuestionnaire(TenantModel):
    """One version of an organisation's resource allocation questionnaire, in force from `effective_from`.

    `questions` is the ordered list validated by support_plans/allocation.py:
    [{"code", "text", "answers": [{"code", "text", "points"}]}]. A plan keeps the version it was
    answered under, as an approval request keeps its policy version.
    """

    version = models.PositiveIntegerField()
    effective_from = models.DateTimeField()
    questions = models.JSONField()
    pounds_per_point = models.DecimalField(max_digits=10, decimal_places=2)
    basis = models.CharField(max_length=10, choices=allocation.BASIS_CHOICES)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="allocation_unique_version_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"Allocation questionnaire v{self.version}"


class SupportPlan(TenantModel):
    """One version of a support plan. `revise` adds a new version to the same budget."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="versions")
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="plans")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    version = models.PositiveIntegerField(default=1)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    care_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    management = models.CharField(max_length=20, choices=Management.choices)
    # Funding streams of an integrated budget: who contributes, and (optionally) how much.
    funded_nhs = models.BooleanField(default=True)
    funded_social_care = models.BooleanField(default=False)
    funded_education = models.BooleanField(default=False)
    funding_nhs = models.DecimalField(**MONEY, null=True, blank=True)
    funding_social_care = models.DecimalField(**MONEY, null=True, blank=True)
    funding_education = models.DecimalField(**MONEY, null=True, blank=True)
    contingency = models.TextField(blank=True, max_length=5000)
    contacts = models.TextField(blank=True, max_length=2000, help_text="Who to contact about the plan")
    # Agreement by the person, their representative or nominee.
    agreed_on = models.DateField(null=True, blank=True)
    agreed_by = models.CharField(max_length=20, choices=AgreedBy.choices, blank=True)
    agreed_by_name = models.CharField(max_length=200, blank=True)
    # Costs, from support_plans/costs.py, stored whenever the items change (reports read them).
    cost_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    cost_weekly = models.DecimalField(**MONEY, default=Decimal("0.00"))
    cost_annual = models.DecimalField(**MONEY, default=Decimal("0.00"))
    # The indicative budget (support_plans/allocation.py): the answers given to the questionnaire
    # version named, their points and the budget over the plan period; all empty when skipped.
    allocation_questionnaire = models.ForeignKey(
        AllocationQuestionnaire, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    allocation_answers = models.JSONField(null=True, blank=True)
    allocation_points = models.PositiveIntegerField(null=True, blank=True)
    indicative_budget = models.DecimalField(**MONEY, null=True, blank=True)
    # Timings of the pathway (the dashboards' medians and the approved-but-unfunded list).
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True, max_length=2000)

    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "version"], name="plan_unique_version_per_budget"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="plan_end_not_before_start"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "approved_at"]),
            models.Index(fields=["organisation", "care_coordinator", "status"]),
            # The plans a user wrote that came back from sign-off (selectors.plans_back_with).
            models.Index(fields=["organisation", "created_by", "status"]),
            # The dashboard's plans against their indicative budgets (selectors.indicative_comparison):
            # the few with one, not every plan of the organisation.
            models.Index(
                fields=["organisation", "status"],
                condition=models.Q(indicative_budget__isnull=False),
                name="plan_with_indicative_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"Support plan {self.pk} v{self.version} ({self.get_status_display()})"


class PlanGoal(TenantModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(max_length=2000, help_text="The outcome, in the person's words")
    how_budget_helps = models.TextField(blank=True, max_length=2000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Supplier(TenantModel):
    """The organisation's directory of suppliers and services it has used."""

    name = models.CharField(max_length=200)
    service = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=40, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    typical_amount = models.DecimalField(**MONEY, null=True, blank=True)
    typical_frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    # A supplier that closed is retired, not deleted: it stays on the plans that used it.
    is_active = models.BooleanField(default=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "service"], name="supplier_unique_per_org"
            )
        ]
        # Granted per supplier with django-guardian to a provider's login (providers/): what this
        # supplier was paid and is owed, by this organisation. Never a staff permission.
        permissions = [("act_as_provider", "Sign in as this supplier: see what it is paid and owed")]

    def __str__(self) -> str:
        return f"{self.name} – {self.service}" if self.service else self.name

    @property
    def category_label(self) -> str:
        return category_label(self.category) if self.category else ""


class OrganisationSpendCategory(TenantModel):
    """A spend category an organisation adds to the national list."""

    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="spend_category_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.label


class PlanItem(TenantModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=40)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplier_name = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    start_date = models.DateField(null=True, blank=True, help_text="Narrows the plan period for this item")
    end_date = models.DateField(null=True, blank=True)
    payment_method = models.CharField(max_length=30, choices=PaymentMethod.choices, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organisation", "category"])]

    def __str__(self) -> str:
        return self.description

    @property
    def category_label(self) -> str:
        return category_label(self.category)


class PlanRisk(TenantModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="risks")
    risk = models.TextField(max_length=2000)
    mitigation = models.TextField(max_length=2000, help_text="How the risk is managed")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.risk[:60]


class FastTrackOffer(TenantModel):
    """A preset offer a care coordinator adds to a plan in one step (a phone and SIM, say)."""

    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=40)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.ONE_OFF)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payment_method = models.CharField(max_length=30, choices=PaymentMethod.choices, blank=True)
    # An offer that ended (a COVID-time phone offer, say) is retired: gone from the plan editor, kept
    # on the plans that used it.
    is_active = models.BooleanField(default=True)
    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
