"""Reads of the shared kernel: people search, staff lists, a person's timeline."""

from django.db.models import Q, QuerySet

from .constants import Role
from .models import AuditEvent, Invitation, InvitationKind, Membership, Organisation, Person
from .nhs_number import normalise_nhs_number


def person_search(*, organisation: Organisation, query: str = "") -> QuerySet[Person]:
    """People of the organisation matching a name or NHS number (spaces in the number ignored)."""
    people = Person.objects.for_org(organisation).prefetch_related("cohorts")
    query = (query or "").strip()
    if not query:
        return people
    digits = normalise_nhs_number(query)
    if digits.isdecimal():
        return people.filter(nhs_number__startswith=digits)
    condition = Q()
    for word in query.split():
        condition &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return people.filter(condition)


PICKER_LIMIT = 10
PICKER_CANDIDATES = 200


def person_picker(*, organisation: Organisation, query: str, limit: int = PICKER_LIMIT) -> list[Person]:
    """People of the organisation whose NHS number, or a name, starts with what is typed.

    Prefix matches served by the prefix indexes (phb/migrations/0004), so a search stays fast
    however many people the organisation holds: up to CANDIDATES matches are read unordered
    (an ORDER BY would walk the name index past every earlier name) and the first `limit` by
    name are shown; typing more narrows the search.
    """
    query = (query or "").strip()[:100]
    if not query:
        return []
    people = Person.objects.for_org(organisation).order_by()
    digits = normalise_nhs_number(query)
    if digits.isdecimal():
        people = people.filter(nhs_number__startswith=digits)
    else:
        condition = Q()
        for word in query.replace(",", " ").split()[:4]:
            condition &= Q(family_name__istartswith=word) | Q(given_name__istartswith=word)
        people = people.filter(condition)
    found = list(people[:PICKER_CANDIDATES])
    found.sort(key=lambda p: (p.family_name.lower(), p.given_name.lower(), p.pk))
    return found[:limit]


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
    """The organisation's staff invitations, newest first. A budget holder's invitation names a
    person, so it is no org admin's to see (DESIGN.md "Least privilege")."""
    return Invitation.objects.for_org(organisation).filter(kind=InvitationKind.STAFF).select_related("team")
