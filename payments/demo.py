"""Demo data for budget accounts: funds agreed in advance, releases, payments, a refund, and a wait.

`prepare` runs before the pathway's demos: City & Hackney (07T) agreed a fund for the year with its
brokerage partner, The Advocacy Project, as in NDTi's case study, so its approvals release the money
at once; Birmingham and Solihull (15E) has none this year (only one agreed for next year), so its
finance team releases each approved plan by hand, days later. The two dashboards' approval -> funds
released timings show the difference.

`seed` runs after the approvals demo, whose approvals opened the accounts (and, in 07T, released
them from the fund). Plans released by hand get their funds released by finance; the brokers record
a payment or two on each funded plan; in each organisation one plan is left waiting for funds,
approved weeks ago (in 07T, the one the fund had no room for), so the "Waiting for funds" list and
the unfunded job have something to show. Everything goes through the services, with fixed
idempotency keys, so seeding twice records nothing twice.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from support_plans.models import Supplier, SupportPlan
from support_plans.services import supplier_create

from . import fund_services, funds, services
from .constants import FundEntryKind, InstalmentStatus
from .models import BudgetAccount, Fund, FundEntry, LedgerEntry

APPROVED_DAYS_AGO = 12
RELEASED_DAYS_AGO = 9
UNFUNDED_DAYS_AGO = 26
PAYEES = ["Swim England", "Hackney Community Transport", "Connect Mobile", "Mind in the City"]
PARTNER = ("The Advocacy Project", "Brokerage: holds the fund and pays budgets")
# Sized so that the demo's approvals fit but its last one does not: it waits, saying why.
HACKNEY_FUND = Decimal("12000.00")


def _next_year(year: str) -> str:
    first = int(year[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


def prepare(context) -> None:
    """Funds agreed before the year started: 07T's held by its brokerage partner; 15E's only for next year."""
    year = funds.financial_year_of(timezone.localdate())
    year_start, _end = funds.year_bounds(year)
    for organisation in context.organisations:
        staff = context.staff[organisation.code]
        if Fund.objects.for_org(organisation).exists():
            continue
        if organisation.code == "07T":
            name, service = PARTNER
            partner = Supplier.objects.for_org(organisation).filter(name=name).first() or supplier_create(
                actor=staff["commissioner"],
                organisation=organisation,
                name=name,
                service=service,
                category="other",
                contact="brokerage@advocacyproject.example",
            )
            fund = fund_services.fund_create(
                actor=staff["commissioner"],
                organisation=organisation,
                name="Recovery budgets",
                financial_year=year,
                amount=HACKNEY_FUND,
                held_by=partner,
            )
            # Demo only: the fund was agreed before the year began (its outlook counts from then).
            Fund.objects.filter(pk=fund.pk).update(
                created_at=timezone.make_aware(datetime.combine(year_start, time(12)))
            )
            FundEntry.objects.filter(fund=fund).update(entry_date=year_start)
            context.lines.append(
                f"{organisation.code}: fund agreed in advance, {fund} held by {partner.name} "
                f"(/o/{organisation.code}/funds/)"
            )
        else:
            fund_services.fund_create(
                actor=staff["finance"],
                organisation=organisation,
                name="PHB fund",
                financial_year=_next_year(year),
                amount=Decimal("50000.00"),
            )
            context.lines.append(
                f"{organisation.code}: no fund this year (one agreed for {_next_year(year)})"
            )


def _backdate_from_fund(plan: SupportPlan, days: int) -> None:
    """Demo only: the approval (and so the release from the fund with it) happened `days` ago."""
    when = timezone.now() - timedelta(days=days)
    SupportPlan.objects.filter(pk=plan.pk).update(approved_at=when, decided_at=when, activated_at=when)
    account = BudgetAccount.objects.get(budget_id=plan.budget_id)
    BudgetAccount.objects.filter(pk=account.pk).update(opened_at=when, first_released_at=when)
    LedgerEntry.objects.filter(account=account, fund__isnull=False).update(entry_date=when.date())
    FundEntry.objects.filter(account=account, kind=FundEntryKind.COMMITMENT).update(entry_date=when.date())


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
            # Paid to the provider: recorded with the supplier, so its login sees the payment.
            supplier=item.supplier if item.payment_method == "paid_to_provider" else None,
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
        from_fund = list(
            SupportPlan.objects.filter(
                organisation=organisation, status="active", budget__account__entries__fund__isnull=False
            )
            .select_related("budget")
            .distinct()
            .order_by("id")
        )
        if not approved and not from_fund:
            continue  # the earlier demos have not approved anything yet
        unfunded = approved[-1:] if len(approved) > 1 else []
        if from_fund:
            unfunded = approved  # what the fund had no room for waits for a top-up or a release by hand
        for plan in unfunded:
            _backdate(plan, UNFUNDED_DAYS_AGO)
        for plan in from_fund:
            _backdate_from_fund(plan, APPROVED_DAYS_AGO)
        payments = 0
        by_hand = [p for p in approved if p not in unfunded]
        for index, plan in enumerate([*from_fund, *by_hand]):
            account = plan.budget.account
            if plan in by_hand:
                _backdate(plan, APPROVED_DAYS_AGO)
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
            f"{code}: funds released on {len(from_fund)} approved plans from a fund at approval and "
            f"{len(by_hand)} by hand, {payments} payments; "
            f"{len(unfunded)} waiting for funds (payments: /o/{code}/payments/)"
        )
