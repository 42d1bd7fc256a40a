"""An uploaded sheet awaiting confirmation, and the plans imported from sheets (the re-run key)."""

from django.db import models

from phb.models import TenantModel

from .constants import ImportStatus


class ImportBatch(TenantModel):
    """One uploaded sheet: its rows as read, the problems found, and (once confirmed) what it created.

    Nothing else is written until the batch is confirmed; the rows are checked again then.
    """

    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices)
    rows = models.JSONField(default=list, help_text="The sheet's rows as text, keyed by column")
    errors = models.JSONField(default=list, blank=True, help_text="[{row, field, message}]")
    summary = models.JSONField(default=dict, blank=True, help_text="{people, plans, items}")
    created = models.JSONField(default=dict, blank=True, help_text="{people, plans, items} on confirm")
    unchanged = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Handed to a worker to import")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"


class ImportedPlan(TenantModel):
    """A budget brought in from a sheet, keyed by NHS number and the sheet's plan reference.

    Importing the same rows again finds this row and creates nothing.
    """

    nhs_number = models.CharField(max_length=10)
    plan_reference = models.CharField(max_length=100)
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("support_plans.SupportPlan", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="imported_plans")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "nhs_number", "plan_reference"], name="imported_plan_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.plan_reference
