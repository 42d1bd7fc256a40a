"""Reads for a provider's login: its suppliers, what organisations paid them, what falls due.

Only what a remittance advice carries: the organisation, the supplier, the date, the amount, the
payment reference and a plan reference. Never a person's name, NHS number or date of birth.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from payments.constants import EntryKind, InstalmentStatus
from payments.models import Instalment, LedgerEntry
from phb.models import Organisation
from phb.money import api_amount
from support_plans.models import Supplier

from .constants import CODENAME, PERMISSION, InstalmentFilter

User = get_user_model()


def suppliers_of(user) -> QuerySet[Supplier]:
    """The suppliers this login was granted, in any organisation (none for a superuser's own sake)."""
    if not getattr(user, "is_authenticated", False):
        return Supplier.objects.none()
    return get_objects_for_user(
        user, PERMISSION, klass=Supplier, with_superuser=False, accept_global_perms=False
    ).select_related("organisation")


def is_provider_account(user) -> bool:
    """True for a supplier's login (phb.access.OUTSIDE_STAFF_ACCOUNTS names this test)."""
    return suppliers_of(user).exists()


def organisations_paying(user) -> QuerySet[Organisation]:
    """The organisations whose directories hold this login's suppliers (the pages' filter)."""
    return Organisation.objects.filter(pk__in=suppliers_of(user).values("organisation")).order_by("name")


def logins_of(supplier: Supplier) -> QuerySet:
    """The provider logins granted this supplier."""
    return (
        get_users_with_perms(supplier, only_with_perms_in=[CODENAME], with_superusers=False)
        .filter(is_active=True)
        .order_by("username")
    )


def login_of(supplier: Supplier, user_id) -> object | None:
    return logins_of(supplier).filter(pk=user_id).first()


def plan_reference(organisation_code: str, budget_id: int) -> str:
    """The reference of a budget a provider can quote back to the organisation: no person in it."""
    return f"{organisation_code}-PHB-{budget_id}"


def payments_to(
    user,
    *,
    organisation: str = "",
    supplier: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[LedgerEntry]:
    """Payments recorded with this login's suppliers, and corrections that reverse them, newest first."""
    suppliers = suppliers_of(user).values("pk")
    entries = LedgerEntry.objects.filter(
        Q(kind=EntryKind.PAYMENT, supplier__in=suppliers)
        | Q(kind=EntryKind.CORRECTION, reverses__kind=EntryKind.PAYMENT, reverses__supplier__in=suppliers)
    )
    if organisation:
        entries = entries.filter(organisation__code=organisation)
    if supplier is not None:
        entries = entries.filter(Q(supplier_id=supplier) | Q(reverses__supplier_id=supplier))
    if start is not None:
        entries = entries.filter(entry_date__gte=start)
    if end is not None:
        entries = entries.filter(entry_date__lte=end)
    return entries.select_related("organisation", "plan", "supplier", "reverses__supplier").order_by(
        "-entry_date", "-id"
    )


def instalments_for(
    user, *, organisation: str = "", supplier: int | None = None, status: str = InstalmentFilter.DUE
) -> QuerySet[Instalment]:
    """Instalments on plan items of this login's suppliers, soonest first (due ones by default)."""
    instalments = Instalment.objects.filter(item__supplier__in=suppliers_of(user).values("pk"))
    if organisation:
        instalments = instalments.filter(organisation__code=organisation)
    if supplier is not None:
        instalments = instalments.filter(item__supplier_id=supplier)
    if status == InstalmentFilter.OVERDUE:
        instalments = instalments.filter(status=InstalmentStatus.DUE, due_on__lt=timezone.localdate())
    elif status in (InstalmentFilter.DUE, InstalmentFilter.PAID):
        instalments = instalments.filter(status=status)
    return instalments.select_related("organisation", "plan", "item__supplier").order_by("due_on", "id")


def _organisation(organisation: Organisation) -> dict:
    return {"code": organisation.code, "name": organisation.name}


def _supplier(supplier: Supplier | None) -> dict | None:
    if supplier is None:
        return None
    return {"id": supplier.pk, "name": supplier.name, "service": supplier.service}


def payment_line(entry: LedgerEntry) -> dict:
    """One line of a remittance: a correction is negative and names the payment it reverses."""
    correction = entry.kind == EntryKind.CORRECTION
    return {
        "id": entry.pk,
        "organisation": _organisation(entry.organisation),
        "supplier": _supplier(entry.reverses.supplier if correction else entry.supplier),
        "kind": entry.kind,
        "paid_on": entry.entry_date.isoformat(),
        "amount": api_amount(-entry.amount if correction else entry.amount),
        "reference": entry.reference,
        "plan_reference": plan_reference(entry.organisation.code, entry.plan.budget_id),
        "reverses": entry.reverses_id,
    }


def instalment_line(instalment: Instalment, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    overdue = instalment.status == InstalmentStatus.DUE and instalment.due_on < today
    return {
        "id": instalment.pk,
        "organisation": _organisation(instalment.organisation),
        "supplier": _supplier(instalment.item.supplier),
        "due_on": instalment.due_on.isoformat(),
        "amount": api_amount(instalment.amount),
        "status": "overdue" if overdue else instalment.status,
        "plan_reference": plan_reference(instalment.organisation.code, instalment.plan.budget_id),
    }
