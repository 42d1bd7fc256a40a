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
