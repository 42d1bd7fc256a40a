"""Review kinds, statuses, decisions, outcome instruments and their valid score ranges."""

from decimal import Decimal

from django.db import models


class ReviewKind(models.TextChoices):
    FIRST = "first", "First review"
    SCHEDULED = "scheduled", "Scheduled review"
    MIDPOINT = "midpoint", "Midpoint review"
    END = "end", "End review"
    ON_REQUEST = "on_request", "Requested review"


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    REVISE = "revise", "Revise the plan"
    CLOSE = "close", "Close the account"


class Instrument(models.TextChoices):
    REQOL_10 = "ReQoL-10", "ReQoL-10 (Recovering Quality of Life)"
    WEMWBS = "WEMWBS", "Warwick-Edinburgh Mental Wellbeing Scale"
    SWEMWBS = "SWEMWBS", "Short Warwick-Edinburgh Mental Wellbeing Scale"


# Valid total scores: ReQoL-10 is 10 items scored 0-4; WEMWBS 14 items 1-5; SWEMWBS 7 items 1-5
# (raw total 7-35; the metric conversion runs 7.00-35.00, so two decimals are allowed).
INSTRUMENT_RANGES = {
    Instrument.REQOL_10: (Decimal("0"), Decimal("40")),
    Instrument.WEMWBS: (Decimal("14"), Decimal("70")),
    Instrument.SWEMWBS: (Decimal("7"), Decimal("35")),
}


class Attainment(models.TextChoices):
    """Goal attainment on the GAS-style five-point scale."""

    MUCH_LESS = "-2", "Much less than expected"
    LESS = "-1", "Somewhat less than expected"
    EXPECTED = "0", "As expected"
    MORE = "1", "Somewhat more than expected"
    MUCH_MORE = "2", "Much more than expected"


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", "Before due"
    ON_DUE = "on_due", "On the due date"
    ESCALATION = "escalation", "Overdue: escalated to the team lead"
