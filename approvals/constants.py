"""Approval request statuses, decisions and cost bases."""

from django.db import models


class Basis(models.TextChoices):
    TOTAL = "total", "Total cost"
    WEEKLY = "weekly", "Weekly cost"
    ANNUAL = "annual", "Annual cost"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for sign-off"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    RETURNED = "returned", "Returned to draft"


class DecisionKind(models.TextChoices):
    APPROVE = "approve", "Approve"
    DECLINE = "decline", "Decline"
    RETURN = "return", "Return for changes"
