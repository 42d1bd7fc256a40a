"""The access log: who opened which person's data, when, and what (DESIGN.md "Least privilege")."""

from django.conf import settings
from django.db import models

from .base import TenantQuerySet


class AccessKind(models.TextChoices):
    PERSON = "person", "Person's record"
    PLAN = "plan", "Support plan"
    PLAN_PDF = "plan_pdf", "Support plan PDF"
    ACCOUNT = "account", "Budget account"
    PAYMENTS_EXPORT = "payments_export", "Payments export (CSV)"


class RecordAccess(models.Model):
    """One opening of a person's data; written as it happens, never updated or deleted.

    The NHS expects the reading of patient data to be recorded (DSPT; Caldicott's duty to protect),
    so that the information governance lead can answer "who has looked at my record?". The domain
    audit trail (AuditEvent) records changes; this records reads, so the person's timeline stays
    about their care. An export names every person in it, one row each.
    """

    organisation = models.ForeignKey("phb.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user_name = models.CharField(max_length=300)
    what = models.CharField(max_length=20, choices=AccessKind.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    person = models.ForeignKey("phb.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, help_text="web: a page; api: the REST API")
    detail = models.CharField(max_length=300, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "person", "-at"]),
            models.Index(fields=["organisation", "-at"]),
        ]
        verbose_name_plural = "record accesses"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} opened {self.get_what_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The access log is append-only.")
