"""Writes of provider logins: an org admin gives a supplier of its directory a login, or takes it away.

The tie between a login and a supplier is a django-guardian object permission on that supplier
(`support_plans.act_as_provider`), one per supplier object: a business on several organisations'
directories holds a grant on each organisation's record of it.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from phb.access import org_context_for
from phb.audit import record_event
from phb.constants import Role
from phb.exceptions import Conflict, NotPermitted
from phb.models import Membership
from phb.services import account_create
from support_plans.models import Supplier

from .constants import PERMISSION

STAFF_ACCOUNT = "A staff account cannot also be a provider's login. Create a new login for the supplier."


def _require_org_admin(actor, supplier: Supplier) -> None:
    """The demo seed acts as nobody; anyone else must administer the supplier's organisation."""
    if actor is None:
        return
    if not org_context_for(actor, supplier.organisation.code).has_role(Role.ORG_ADMIN):
        raise NotPermitted("Only an org admin can give a supplier a login.")


@transaction.atomic
def provider_login_create(*, actor, supplier: Supplier, username: str, password: str, email: str = ""):
    """A new login for this supplier (the username must be free, as for staff)."""
    _require_org_admin(actor, supplier)
    user = account_create(username=username, password=password, email=email)
    provider_grant(actor=actor, supplier=supplier, user=user)
    return user


@transaction.atomic
def provider_grant(*, actor, supplier: Supplier, user) -> None:
    """Let an existing provider login see this supplier too (the same business in another
    organisation's directory). Never a staff account: it would see staff pages."""
    _require_org_admin(actor, supplier)
    if user.is_superuser or user.is_staff or Membership.objects.filter(user=user).exists():
        raise Conflict(STAFF_ACCOUNT)
    assign_perm(PERMISSION, user, supplier)
    record_event(
        actor=actor,
        organisation=supplier.organisation,
        obj=supplier,
        action="provider_login_granted",
        after={"user": user.pk, "username": user.username},
        summary=f"Provider login {user.username} given to {supplier}",
        changes_data=False,
    )


@transaction.atomic
def provider_revoke(*, actor, supplier: Supplier, user) -> None:
    """The login no longer sees this supplier (its grants on other suppliers stay)."""
    _require_org_admin(actor, supplier)
    remove_perm(PERMISSION, user, supplier)
    record_event(
        actor=actor,
        organisation=supplier.organisation,
        obj=supplier,
        action="provider_login_removed",
        before={"user": user.pk, "username": user.username},
        summary=f"Provider login {user.username} removed from {supplier}",
        changes_data=False,
    )
