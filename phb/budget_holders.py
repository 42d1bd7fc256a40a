"""Who a budget holder is and which person's budget they see: one django-guardian grant per person.

A budget holder (the person, their representative or nominee) has an account and no membership of
any organisation, so every staff page and `/orgs/` endpoint is a 404 for them (phb/access.py). What
they may see is the `view_person` object permission on the person they were invited for, granted
when they accept the invitation (phb/invitations.py); nothing else in the product gives it.
"""

from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from .models import Membership, Person

HOLDER_PERMISSION = "phb.view_person"


def people_of(user) -> QuerySet[Person]:
    """The people whose budgets this account holds (none for staff or anyone signed out).

    Only object grants count: a global permission or a superuser's reach is not a budget holder's.
    """
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    return get_objects_for_user(
        user, HOLDER_PERMISSION, klass=Person, with_superuser=False, accept_global_perms=False
    ).select_related("organisation")


def is_budget_holder(user) -> bool:
    """A signed-in account that holds a person's budget and works nowhere."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    if Membership.objects.filter(user=user, is_active=True).exists():
        return False
    return people_of(user).exists()


def grant_person(user, person: Person) -> None:
    """Let the account see this person's budgets (call inside the accepting service's transaction)."""
    assign_perm(HOLDER_PERMISSION, user, person)
