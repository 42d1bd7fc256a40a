"""Demo data for budget accounts: funds released on most approved plans, payments, a refund, and a wait.

Runs after the approvals demo, whose approvals opened the accounts. Most approved plans get their
funds released by finance and a payment or two recorded by the brokers; one plan in each
organisation is left waiting for funds, approved weeks ago, so the "Waiting for funds" list and
the unfunded job have something to show. Everything goes through the services, with fixed
idempotency keys, so seeding twice records nothing twice.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from support_plans.models import SupportPlan

from . import services
from .constants import InstalmentStatus
from .models import BudgetAccount

APPROVED_DAYS_AGO = 12
RELEASED_DAYS_AGO = 9
UNFUNDED_DAYS_AGO = 26
PAYEES = ["Swim England", "Hackney Community Transport", "Connect Mobile", "Mind in the City"]


def _backdate(plan: SupportPlan, days: int) -> None:
    """Demo only: pretend the approval happened `days` ago, so the delays have something to show."""
    when = timezone.now() - timedelta(days=days)
    SupportPlan.objects.filter(pk=plan.pk).update(approved_at=when, decided_at=when)
    BudgetAccount.objects.filter(budget_id=plan.budget_id, first_released_at__isnull=True).update(
        opened_at=when
    )


def _pay_instalments(plan, account, brokers, code: str, today) -> int:
    """Pay the earliest due instalments (one per broker), leaving any later ones on the work list."""
    paid = 0
    due = list(account.instalments.filter(status=InstalmentStatus.DUE).select_related("item")[: len(brokers)])
    for number, (instalment, broker) in enumerate(zip(due, brokers, strict=False)):
        if instalment.amount > account.approved - account.paid:
            break
        item = instalment.item
        services.payment_record(
            actor=broker,
            plan=plan,
            amount=instalment.amount,
            paid_on=today - timedelta(days=7 - number),
            method=item.payment_method or "bank_transfer",
            payee=item.supplier_name or PAYEES[number % len(PAYEES)],
            reference=f"{code}-INV-{plan.pk:04d}-{number + 1}",
            idempotency_key=f"demo-payment-{code}-{plan.pk}-{number}",
            instalment=instalment,
        )
        account.refresh_from_db()
        paid += 1
    return paid


def seed(context) -> None:
    today = timezone.localdate()
    for organisation in context.organisations:
        code = organisation.code
        staff = context.staff[code]
        approved = list(
            SupportPlan.objects.filter(
                organisation=organisation, status="approved", budget__account__isnull=False
            )
            .select_related("budget")
            .order_by("id")
        )
        if not approved:
            continue  # the earlier demos have not approved anything yet
        unfunded = approved[-1:] if len(approved) > 1 else []
        for plan in unfunded:
            _backdate(plan, UNFUNDED_DAYS_AGO)
        payments = 0
        for index, plan in enumerate(p for p in approved if p not in unfunded):
            _backdate(plan, APPROVED_DAYS_AGO)
            account = plan.budget.account
            services.release_record(
                actor=staff["finance"],
                plan=plan,
                amount=account.approved,
                released_on=today - timedelta(days=RELEASED_DAYS_AGO),
                idempotency_key=f"demo-release-{code}-{plan.pk}",
                reference=f"{code}-REL-{plan.pk:04d}",
            )
            account.refresh_from_db()
            brokers = (
                [staff["broker"], staff["shared_broker"]] if index % 2 == 0 else [staff["shared_broker"]]
            )
            payments += _pay_instalments(plan, account, brokers, code, today)
            if index == 0 and account.paid >= Decimal("10.00"):
                services.refund_record(
                    actor=staff["finance"],
                    plan=plan,
                    amount=Decimal("10.00"),
                    refunded_on=today - timedelta(days=2),
                    reason="Supplier refunded a session that was cancelled",
                    reference=f"{code}-REF-{plan.pk:04d}",
                    idempotency_key=f"demo-refund-{code}-{plan.pk}",
                )
        context.lines.append(
            f"{code}: funds released on {len(approved) - len(unfunded)} approved plans, {payments} payments; "
            f"{len(unfunded)} waiting for funds (payments: /o/{code}/payments/)"
        )
