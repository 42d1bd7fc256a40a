"""The person record: the budget holder, with cohorts and a representative or nominee."""

from django.db import models

from phb.constants import Cohort, Ethnicity, Gender, RepresentativeKind
from phb.nhs_number import validate_nhs_number

from .base import LeanHistoricalRecords, TenantModel


class Person(TenantModel):
    nhs_number = models.CharField("NHS number", max_length=10, validators=[validate_nhs_number])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(max_length=1, choices=Ethnicity.choices, default=Ethnicity.Z)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    representative_kind = models.CharField(
        max_length=20, choices=RepresentativeKind.choices, blank=True, default=""
    )
    representative_name = models.CharField(max_length=200, blank=True)
    representative_relationship = models.CharField(max_length=100, blank=True)
    representative_contact = models.CharField(max_length=200, blank=True)

    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "nhs_number"], name="person_unique_nhs_number_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "family_name", "given_name"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n

    @property
    def cohort_codes(self) -> list[str]:
        return sorted(c.cohort for c in self.cohorts.all())


class PersonCohort(TenantModel):
    """A person may be in several cohorts (CHC and s117, say); one row each, so reports can count."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cohorts")
    cohort = models.CharField(max_length=20, choices=Cohort.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "cohort"], name="person_cohort_unique")]
        indexes = [models.Index(fields=["organisation", "cohort"])]

    def __str__(self) -> str:
        return self.get_cohort_display()
