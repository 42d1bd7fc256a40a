"""Organisations (ICBs and places), their teams, and who works there in which roles."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from phb.constants import Role

from .base import LeanHistoricalRecords, TenantModel, TimeStampedModel

ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,6}$", "Enter an ODS code of 3 to 6 capital letters and digits, like 07T or QWE."
)


class Organisation(TimeStampedModel):
    code = models.CharField("ODS code", max_length=6, unique=True, validators=[ods_code_validator])
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=100, db_index=True)
    population = models.PositiveIntegerField(default=0, help_text="Registered population served")
    ambition_target = models.PositiveIntegerField(
        default=0,
        help_text="Number of PHBs the organisation aims to have in place by the ambition date",
    )
    ambition_date = models.DateField(null=True, blank=True)
    stale_approval_days = models.PositiveIntegerField(
        default=5, help_text="Nudge approvers when a request has waited longer than this"
    )
    unfunded_after_days = models.PositiveIntegerField(
        default=14, help_text="Flag approved plans with no funds released after this many days"
    )
    indicative_margin_percent = models.DecimalField(
        "Indicative budget margin (%)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
        help_text="A plan costing more than its indicative budget by more than this percent is flagged",
    )

    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def ambition_per_1000(self) -> Decimal | None:
        if not self.population:
            return None
        return (Decimal(self.ambition_target) * 1000 / self.population).quantize(Decimal("0.01"))


class Team(TenantModel):
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user's place in one organisation; roles are per organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    is_active = models.BooleanField(default=True)

    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation_id}"

    @property
    def role_codes(self) -> set[str]:
        return {grant.role for grant in self.roles.all()}


class MembershipRole(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    history = LeanHistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="membership_role_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return self.get_role_display()


MinZero = MinValueValidator(0)
