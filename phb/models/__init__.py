"""The shared kernel's tables: tenancy, people, audit."""

from .audit import AuditEvent
from .base import TenantModel, TenantQuerySet, TimeStampedModel
from .notifications import Notification, SentNotification
from .people import Person, PersonCohort
from .tenancy import Membership, MembershipRole, Organisation, Team

__all__ = [
    "AuditEvent",
    "Membership",
    "MembershipRole",
    "Notification",
    "Organisation",
    "Person",
    "PersonCohort",
    "SentNotification",
    "Team",
    "TenantModel",
    "TenantQuerySet",
    "TimeStampedModel",
]
