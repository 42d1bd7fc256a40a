"""Referrals into the PHB offer and the conversations that follow them."""

from django.conf import settings
from django.db import models

from phb.constants import Cohort
from phb.models import LeanHistoricalRecords, TenantModel

from .constants import ConversationMode, Participant, ReferralSource, ReferralStatus


class Referral(TenantModel):
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=30, choices=ReferralSource.choices)
    cohort = models.CharField(max_length=20, choices=Cohort.choices)
    received_on = models.DateField()
    notes = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    care_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("phb.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Declined, withdrawn or transferred")
    status_reason = models.TextField(blank=True, max_length=2000)
    # Transfer to the responsible commissioner: the sending side keeps this row, read-only.
    transferred_to = models.ForeignKey(
        "phb.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_as"
    )

    history = LeanHistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "received_on"]),
            models.Index(fields=["organisation", "care_coordinator", "status"]),
            # The caseload page's "waiting to be accepted": received, unassigned, oldest first.
            models.Index(
                fields=["organisation", "received_on", "id"],
                condition=models.Q(status=ReferralStatus.RECEIVED, care_coordinator__isnull=True),
                name="referral_waiting_oldest_first",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.get_status_display()})"


class Conversation(TenantModel):
    """'What would help you to get and stay well?'"""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="conversations")
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="conversations")
    held_on = models.DateField()
    mode = models.CharField(max_length=20, choices=ConversationMode.choices)
    participants = models.JSONField(default=list, blank=True, help_text="Participant codes")
    notes = models.TextField(blank=True, max_length=10000)
    goals = models.JSONField(default=list, blank=True, help_text="The person's goals, in their own words")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Conversation on {self.held_on}"

    @property
    def participant_labels(self) -> list[str]:
        labels = dict(Participant.choices)
        return [labels.get(code, code) for code in self.participants]
