"""Factories for provider logins: a supplier's budget with instalments, payments to it, its login."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from payments import services as payment_services
from payments.models import LedgerEntry
from providers import services
from support_plans.models import PlanItem, SupportPlan

from .kernel import PASSWORD
from .payments import approved_plan, open_account

__all__ = ["pay_supplier", "provider_login", "supplier_budget"]


def provider_login(*suppliers, username: str = "provider"):
    """A new login granted each supplier (possibly of several organisations)."""
    first, *others = suppliers
    user = services.provider_login_create(
        actor=None, supplier=first, username=username, password=PASSWORD, email=f"{username}@example.org"
    )
    for supplier in others:
        services.provider_grant(actor=None, supplier=supplier, user=user)
    return user


def supplier_budget(organisation, supplier, *, amount="40.00", frequency="monthly", months=3) -> SupportPlan:
    """An approved plan whose one recurring item is this supplier's; account open, all of it released."""
    start = timezone.localdate() - timedelta(days=40)
    plan = approved_plan(
        organisation,
        total=str(Decimal(amount) * months),
        items=[{"description": "Gym membership", "amount": amount, "frequency": frequency}],
        start=start,
        end=start + timedelta(days=30 * months - 1),
    )
    PlanItem.objects.filter(plan=plan).update(supplier=supplier, supplier_name=supplier.name)
    account = open_account(plan)
    payment_services.release_record(
        actor=None, plan=plan, amount=account.approved, released_on=timezone.localdate()
    )
    return plan


def pay_supplier(
    plan: SupportPlan, supplier, *, amount="40.00", reference="INV-1", days_ago=1
) -> LedgerEntry:
    """A payment recorded with the supplier (settles the earliest due instalment of that amount)."""
    return payment_services.payment_record(
        actor=None,
        plan=plan,
        amount=Decimal(amount),
        paid_on=timezone.localdate() - timedelta(days=days_ago),
        method="paid_to_provider",
        payee=supplier.name,
        reference=reference,
        idempotency_key=None,
        supplier=supplier,
    )
