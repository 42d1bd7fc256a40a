"""The shared kernel's tables: tenancy, people, audit."""

from .access import AccessKind, RecordAccess
from .audit import AuditEvent
from .base import LeanHistoricalRecords, TenantModel, TenantQuerySet, TimeStampedModel
from .invitations import HolderRelation, Invitation, InvitationKind
from .notifications import Notification, SentNotification
from .people import Person, PersonCohort
from .tenancy import Membership, MembershipRole, Organisation, Team

__all__ = [
    "AccessKind",
    "AuditEvent",
    "HolderRelation",
    "Invitation",
    "InvitationKind",
    "LeanHistoricalRecords",
    "Membership",
    "MembershipRole",
    "Notification",
    "Organisation",
    "Person",
    "PersonCohort",
    "RecordAccess",
    "SentNotification",
    "Team",
    "TenantModel",
    "TenantQuerySet",
    "TimeStampedModel",
]
