"""Ledger entry kinds and instalment statuses."""

from django.db import models


class EntryKind(models.TextChoices):
    RELEASE = "release", "Release of funds"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    CLAWBACK = "clawback", "Clawback"
    CORRECTION = "correction", "Correction"


class InstalmentStatus(models.TextChoices):
    DUE = "due", "Due"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled (plan revised or closed)"


class FundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class FundEntryKind(models.TextChoices):
    """The entries of a fund's own ledger: what was allocated, changed, and drawn by approvals."""

    ALLOCATION = "allocation", "Allocation"
    TOP_UP = "top_up", "Top-up"
    REDUCTION = "reduction", "Reduction"
    COMMITMENT = "commitment", "Plan approved and funded"
