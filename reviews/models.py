"""Review policies, reviews, outcome measures and goal attainment."""

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from phb.models import TenantModel

from .constants import ReviewDecision, ReviewKind, ReviewStatus


class ReviewPolicy(TenantModel):
    """How often an organisation reviews budgets: first within N weeks (direct payments: three months)."""

    first_review_weeks = models.PositiveIntegerField(default=12)
    interval_weeks = models.PositiveIntegerField(default=13)
    reminder_days_before = models.PositiveIntegerField(default=7)
    escalate_days_after = models.PositiveIntegerField(default=14)
    midpoint_and_end = models.BooleanField(
        default=False, help_text="Time-limited recovery budgets: review at the start, midpoint and end"
    )
    # Versioned like the approval policy: a change agreed in advance takes effect from its date; a
    # scheduled version may be withdrawn before it starts.
    version = models.PositiveIntegerField(default=1, db_default=1)
    effective_from = models.DateTimeField(default=timezone.now, db_default=Now())
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "review policies"
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="review_policy_unique_version_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"Review policy v{self.version} of {self.organisation_id}"


class Review(TenantModel):
    """A review of a budget under its plan version. On PostgreSQL its plan, budget, person and
    organisation are one foreign key, `(plan, budget, person, organisation)` to the plan's own
    (migration reviews 0007): a review is held to its plan's budget, person and organisation, and the
    database checks one key a row instead of four. So the four fields carry no constraint of their
    own (`db_constraint=False`); the plan's row is held to them by its keys. On SQLite, the embedded
    default, they are unconstrained."""

    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    budget = models.ForeignKey(
        "support_plans.Budget", on_delete=models.PROTECT, related_name="reviews", db_constraint=False
    )
    plan = models.ForeignKey(
        "support_plans.SupportPlan", on_delete=models.PROTECT, related_name="reviews", db_constraint=False
    )
    person = models.ForeignKey(
        "phb.Person", on_delete=models.PROTECT, related_name="reviews", db_constraint=False
    )
    kind = models.CharField(max_length=12, choices=ReviewKind.choices)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED)
    requested_by = models.CharField(max_length=200, blank=True, help_text="For a requested review: who asked")
    reason = models.TextField(
        blank=True, max_length=2000, help_text="For a requested review: why, in their words"
    )
    held_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    working = models.TextField(blank=True, max_length=5000)
    not_working = models.TextField(blank=True, max_length=5000)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    notes = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"


class OutcomeMeasure(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="measures")
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="outcome_measures")
    instrument = models.CharField(max_length=20)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    recorded_on = models.DateField()

    class Meta:
        ordering = ["recorded_on", "id"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score}"


class GoalAttainment(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="goal_attainments")
    goal = models.ForeignKey("support_plans.PlanGoal", on_delete=models.PROTECT, related_name="attainments")
    attainment = models.CharField(max_length=2)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="attainment_one_per_goal")]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.attainment}"
