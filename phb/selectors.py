"""Reads of the shared kernel: people search, staff lists, a person's timeline."""

from django.db.models import Q, QuerySet

from .constants import Role
from .models import AuditEvent, Invitation, Membership, Organisation, Person
from .nhs_number import normalise_nhs_number


def person_search(*, organisation: Organisation, query: str = "") -> QuerySet[Person]:
    """People of the organisation matching a name or NHS number (spaces in the number ignored)."""
    people = Person.objects.for_org(organisation).prefetch_related("cohorts")
    query = (query or "").strip()
    if not query:
        return people
    digits = normalise_nhs_number(query)
    if digits.isdigit():
        return people.filter(nhs_number__startswith=digits)
    condition = Q()
    for word in query.split():
        condition &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return people.filter(condition)


def person_timeline(*, person: Person, limit: int = 100) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(organisation_id=person.organisation_id, person=person)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.for_org(organisation).select_related("user", "team").prefetch_related("roles")


def users_with_role(*, organisation: Organisation, role: str):
    """Active members of the organisation who hold the role."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__roles__role=role,
            is_active=True,
        )
        .distinct()
    )


ROLE_LABELS = dict(Role.choices)


def invitation_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    """The organisation's invitations, newest first."""
    return Invitation.objects.for_org(organisation).select_related("team")
