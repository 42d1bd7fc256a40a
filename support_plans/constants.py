"""Plan statuses and their transitions, spend categories, frequencies, management and payment methods."""

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    SUPERSEDED = "superseded", "Replaced by a later version"


# Allowed changes of status: from -> the statuses it may move to (one table; services check it).
PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.SUBMITTED},
    PlanStatus.SUBMITTED: {PlanStatus.APPROVED, PlanStatus.DECLINED, PlanStatus.DRAFT},
    PlanStatus.APPROVED: {PlanStatus.ACTIVE, PlanStatus.CLOSED, PlanStatus.SUPERSEDED},
    PlanStatus.ACTIVE: {PlanStatus.CLOSED, PlanStatus.SUPERSEDED},
    PlanStatus.DECLINED: set(),
    PlanStatus.CLOSED: set(),
    PlanStatus.SUPERSEDED: set(),
}

# A plan version "in place" (counted in reports, its account payable) is in one of these.
IN_PLACE_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


class Management(models.TextChoices):
    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    NOTIONAL = "notional", "Notional budget"
    THIRD_PARTY = "third_party", "Third party (broker-managed)"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    PREPAID_CARD = "prepaid_card", "Prepaid or cash card"
    PAID_TO_PROVIDER = "paid_to_provider", "Paid to provider"
    PURCHASED_BY_ORGANISATION = "purchased_by_organisation", "Purchased by the organisation"


class Frequency(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    MONTHLY = "monthly", "Monthly"
    ANNUALLY = "annually", "Annually"


class SpendCategory(models.TextChoices):
    """The national default list; an organisation may add its own (OrganisationSpendCategory)."""

    HOME_SUPPORT = "home_support", "Home support"
    PERSONAL_ASSISTANT = "personal_assistant", "Personal assistant or care agency"
    ARTS_CRAFTS = "arts_crafts", "Arts and crafts"
    FITNESS_EXERCISE = "fitness_exercise", "Fitness and exercise"
    TECHNICAL_EQUIPMENT = "technical_equipment", "Technical and computer equipment"
    CONNECTIVITY = "connectivity", "Communication and connectivity"
    EDUCATION_TRAINING = "education_training", "Education and training"
    SELF_CARE_WELLBEING = "self_care_wellbeing", "Self-care and well-being"
    THERAPIES = "therapies", "Therapies"
    EQUIPMENT_FURNITURE = "equipment_furniture", "Equipment and furniture"
    TRANSPORT = "transport", "Transport and travel"
    SOCIAL_LEISURE = "social_leisure", "Social and leisure"
    SHORT_BREAKS = "short_breaks", "Short breaks and respite"
    OTHER = "other", "Other"


class AgreedBy(models.TextChoices):
    PERSON = "person", "The person"
    REPRESENTATIVE = "representative", "Their representative"
    NOMINEE = "nominee", "Their nominee"


class CloseReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", "Goals achieved"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer eligible"
    MOVED = "moved", "Moved away"
    DECLINED_TO_CONTINUE = "declined_to_continue", "Declined to continue"
    DIED = "died", "Died"
    OTHER = "other", "Other"
