"""What was sent to whom: e-mails recorded once, and the in-app list of what needs a person's attention."""

from django.conf import settings
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


class Notification(models.Model):
    """One item in a member of staff's in-app list: what happened and where to act on it."""

    organisation = models.ForeignKey("phb.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    key = models.CharField(max_length=200, help_text="What this is about; one per user, e.g. transfer:12:in")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="The page where the user acts on it")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key", "user"], name="in_app_notification_once")
        ]
        indexes = [models.Index(fields=["user", "organisation", "read_at"])]

    def __str__(self) -> str:
        return f"{self.key} for user {self.user_id}"
