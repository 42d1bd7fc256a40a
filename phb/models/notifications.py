"""A record of every notification sent, so that a job run twice sends nothing twice."""

from django.db import models


class SentNotification(models.Model):
    organisation = models.ForeignKey("phb.Organisation", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200, help_text="What this notification is about, e.g. review:12:on_due")
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key", "recipient"], name="notification_once")
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key} to {self.recipient}"
