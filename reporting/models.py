"""The history of PHB quarterly returns built, on demand or by the quarterly job."""

from django.db import models

from phb.models import TenantModel


class QuarterlyReturn(TenantModel):
    quarter = models.CharField(max_length=6, help_text="Calendar quarter, like 2014Q3")
    period_start = models.DateField()
    period_end = models.DateField()
    provisional = models.BooleanField(default=False)
    figures = models.JSONField()
    built_by_job = models.BooleanField(default=False)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        indexes = [models.Index(fields=["organisation", "quarter"])]

    def __str__(self) -> str:
        return f"PHB return {self.quarter}"
