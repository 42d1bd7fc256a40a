"""Invitations: how someone joins by their own consent: staff with an account they have, or a budget
holder (the person, their representative or nominee) with an account they make on accepting."""

import hashlib

from django.conf import settings
from django.db import models

from phb.constants import Role

from .base import TenantModel


class InvitationKind(models.TextChoices):
    # Staff join the organisation with roles. Budget holders (a person, their representative or
    # nominee) will be invited the same way, naming the person instead of roles.
    STAFF = "staff", "Member of staff"
    BUDGET_HOLDER = "budget_holder", "Budget holder"


class HolderRelation(models.TextChoices):
    """Who a budget holder's account is for: the person, or someone acting for them."""

    PERSON = "person", "The person"
    REPRESENTATIVE = "representative", "Their representative"
    NOMINEE = "nominee", "Their nominee"


def token_digest(token: str) -> str:
    """Only a digest of the token is kept, so a copy of the database lets nobody accept an invitation."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(TenantModel):
    """A single-use, expiring invitation, sent by e-mail and accepted by its owner while signed in."""

    kind = models.CharField(max_length=20, choices=InvitationKind.choices, default=InvitationKind.STAFF)
    email = models.EmailField()
    roles = models.JSONField(default=list, blank=True, help_text="Role codes granted on acceptance (staff)")
    team = models.ForeignKey(
        "phb.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    # A budget holder's invitation names the person whose budget the account will see, and as whom.
    person = models.ForeignKey(
        "phb.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    acting_as = models.CharField(max_length=20, choices=HolderRelation.choices, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "accepted_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} invitation to {self.email}"

    @property
    def role_labels(self) -> list[str]:
        return [label for code, label in Role.choices if code in self.roles]
