"""The object permission that makes a login a supplier's, and the instalment filters of its pages."""

from django.db import models

# On support_plans.Supplier (its Meta); granted per supplier object with django-guardian.
PERMISSION = "support_plans.act_as_provider"
CODENAME = "act_as_provider"


class InstalmentFilter(models.TextChoices):
    DUE = "due", "Due (including overdue)"
    OVERDUE = "overdue", "Overdue"
    PAID = "paid", "Paid"
    ALL = "all", "All"
