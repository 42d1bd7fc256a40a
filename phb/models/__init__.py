"""The shared kernel's tables: tenancy, people, audit."""

from .audit import AuditEvent
from .base import TenantModel, TenantQuerySet, TimeStampedModel
from .invitations import Invitation, InvitationKind
from .notifications import SentNotification
from .people import Person, PersonCohort
from .tenancy import Membership, MembershipRole, Organisation, Team

__all__ = [
    "AuditEvent",
    "Invitation",
    "InvitationKind",
    "Membership",
    "MembershipRole",
    "Organisation",
    "Person",
    "PersonCohort",
    "SentNotification",
    "Team",
    "TenantModel",
    "TenantQuerySet",
    "TimeStampedModel",
]
