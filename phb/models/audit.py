"""The append-only audit trail of domain events: who did what to which object, before and after."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Written by services in the same transaction as the change; never updated or deleted.

    django-simple-history keeps row-level snapshots of every table as well; this table is the
    domain timeline (state changes, money entries, record views) a person's page shows.
    """

    organisation = models.ForeignKey("phb.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # Who acted, kept with the row: a user account is deactivated, never deleted (PROTECT), and the
    # name as it was then stays readable whatever happens to the account later.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True, help_text="Blank: the system acted")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    person = models.ForeignKey(
        "phb.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "person", "-at"]),
            models.Index(fields=["organisation", "object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")
