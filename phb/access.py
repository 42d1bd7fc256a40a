"""The one mechanism that resolves the organisation a request acts for, and what the user may do there.

Every page and API endpoint under an organisation goes through `org_context_for`: the org code in
the URL is checked against the user's memberships, and an organisation the user is not a member of
is a 404 (never a 403: its very existence is not disclosed). Querysets are then filtered with
`Model.objects.for_org(context.organisation)`.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string

from .constants import Role
from .models import Membership, Organisation

# Every role that may see person-level data: all but the region viewer, who sees aggregates only.
PERSON_DATA_ROLES = frozenset(Role.values) - {Role.REGION_VIEWER}
ANY_MEMBER = None


@dataclass(frozen=True)
class OrgContext:
    organisation: Organisation
    membership: Membership | None
    roles: frozenset[str]
    user: object

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_any(self, roles: Iterable[str] | None) -> bool:
        return roles is None or bool(self.roles.intersection(roles))

    @property
    def code(self) -> str:
        return self.organisation.code


def org_context_for(user, code: str) -> OrgContext:
    """The user's context in the organisation with this code; Http404 if they are not a member."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such organisation.")
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.filter(organisation=organisation, user=user, is_active=True)
        .select_related("team")
        .prefetch_related("roles")
        .first()
    )
    roles = frozenset(membership.role_codes) if membership else frozenset()
    if user.is_superuser:
        # A superuser administers every organisation but signs nothing off without a membership.
        roles = roles | {Role.ORG_ADMIN}
    elif membership is None:
        raise Http404("No such organisation.")
    return OrgContext(organisation=organisation, membership=membership, roles=roles, user=user)


def get_for_org(queryset, organisation, **lookup):
    """Fetch one tenant row scoped to the organisation; anything else is a 404."""
    return get_object_or_404(queryset.filter(organisation=organisation), **lookup)


def organisations_for(user):
    """The organisations a user belongs to (every one, for a superuser)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, is_active=True).values("organisation")
    )


# Accounts that belong to no member of staff (a supplier's provider login; a budget holder's), each
# kind named by the later app that owns it, by dotted path (as phb/flow.py names reactions), with the
# page it signs in to. Every staff page and `/orgs/` endpoint is a 404 for them (API.md "People who
# hold budgets, and providers"); their pages live in their own app.
OUTSIDE_STAFF_ACCOUNTS: dict[str, str] = {
    "providers.selectors.is_provider_account": "provider-home",
    "phb.budget_holders.is_budget_holder": "my-plan",
}


def outside_staff_home(user) -> str | None:
    """The URL name of the home of an account that is no staff member's, or None for staff."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    for test, home in OUTSIDE_STAFF_ACCOUNTS.items():
        if import_string(test)(user):
            return home
    return None


def refuse_outside_staff(user) -> None:
    """Http404 for an account that is no staff member's: a staff page does not exist for it."""
    if outside_staff_home(user) is not None:
        raise Http404("No such page.")
