"""Reads of budget accounts: the account page and API, work lists, the finance export, the person's page."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from phb.constants import Role
from phb.models import Organisation
from phb.money import api_amount
from phb.notifications import holders_of
from phb.visibility import Data, check_object, restrict
from support_plans.constants import IN_PLACE_STATUSES
from support_plans.models import SupportPlan

from . import ledger
from .broker_selectors import broker_data, broker_of_budget, managed_counts
from .constants import EntryKind, FundEntryKind, InstalmentStatus
from .models import BudgetAccount, FundEntry, Instalment, LedgerEntry

WORKLIST_HORIZON_DAYS = 14
WORKLIST_ROWS = 100
EXPORT_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)


def entry_data(entry: LedgerEntry, organisation_code: str | None = None) -> dict:
    """One ledger entry as the API answers it (and as the idempotency record stores it); with the
    organisation's code, `receipt_url` is where its receipt downloads."""
    receipt_url = None
    if entry.receipt and organisation_code:
        receipt_url = reverse("api-entry-receipt", kwargs={"org": organisation_code, "pk": entry.pk})
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "amount": api_amount(entry.amount),
        "entry_date": entry.entry_date.isoformat(),
        "method": entry.method,
        "payee": entry.payee,
        "reference": entry.reference,
        "reason": entry.reason,
        "reverses": entry.reverses_id,
        "instalment": entry.instalment_id,
        "supplier": entry.supplier_id,
        "receipt": bool(entry.receipt),
        "receipt_content_type": entry.receipt_content_type,
        "receipt_url": receipt_url,
        "plan": entry.plan_id,
        "fund": entry.fund_id,
        "created_by": entry.created_by.username if entry.created_by_id else None,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
    }


def instalment_data(instalment: Instalment, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    overdue = instalment.status == InstalmentStatus.DUE and instalment.due_on < today
    return {
        "id": instalment.pk,
        "plan": instalment.plan_id,
        "item": instalment.item_id,
        "description": instalment.item.description,
        "due_on": instalment.due_on.isoformat(),
        "amount": api_amount(instalment.amount),
        "status": "overdue" if overdue else instalment.status,
    }


def account_for_plan(*, plan: SupportPlan) -> BudgetAccount | None:
    """The account of the plan's budget (any version of the budget leads to it), or None before approval."""
    return (
        BudgetAccount.objects.filter(organisation_id=plan.organisation_id, budget_id=plan.budget_id)
        .select_related("plan", "person", "budget", "organisation", "broker")
        .first()
    )


def budget_money_people(plan: SupportPlan, *roles: str) -> list:
    """Who handles a budget's money: its broker (until it names one, the organisation's brokers), plus
    holders of `roles` (e.g. finance)."""
    broker = broker_of_budget(budget_id=plan.budget_id)
    if broker is None:
        return holders_of(plan.organisation, Role.BROKER, *roles)
    return [broker, *holders_of(plan.organisation, *roles)] if roles else [broker]


def paid_from_fund(account: BudgetAccount) -> bool:
    """Is this budget paid from a fund agreed in advance (DESIGN.md "Funds agreed in advance")?

    Such a budget draws on its fund as it pays, so its payments are held to the approved amount only,
    not to the money released (ledger.check_payment). The one place the question is answered: there
    answered by the fund's commitment to the account (funded_from_fund).
    """
    return funded_from_fund(account.pk)


def funded_from_fund(account_id: int) -> bool:
    """Whether the account's releases came from a fund agreed in advance (at approval)."""
    return FundEntry.objects.filter(account_id=account_id, kind=FundEntryKind.COMMITMENT).exists()


def account_entries(account: BudgetAccount) -> QuerySet[LedgerEntry]:
    return account.entries.select_related("created_by", "reverses", "fund").order_by("entry_date", "id")


def account_instalments(account: BudgetAccount, statuses=None) -> QuerySet[Instalment]:
    instalments = account.instalments.select_related("item").order_by("due_on", "id")
    if statuses:
        instalments = instalments.filter(status__in=statuses)
    return instalments


@dataclass(frozen=True)
class Timings:
    """The delays the field complains of, in whole days from approval."""

    approved_on: date
    approval_to_release_days: int | None
    approval_to_first_payment_days: int | None
    days_waiting: int | None  # still waiting for funds: days since approval


def account_timings(account: BudgetAccount, today: date | None = None) -> Timings:
    today = today or timezone.localdate()
    approved_on = timezone.localdate(account.opened_at)
    released = timezone.localdate(account.first_released_at) if account.first_released_at else None
    paid = timezone.localdate(account.first_paid_at) if account.first_paid_at else None
    return Timings(
        approved_on=approved_on,
        approval_to_release_days=ledger.days_between(approved_on, released),
        approval_to_first_payment_days=ledger.days_between(approved_on, paid),
        days_waiting=None if released else (today - approved_on).days,
    )


def account_detail(account: BudgetAccount, organisation_code: str | None = None) -> dict:
    """GET plans/{id}/account/: the totals, the ledger, the instalments and the delays."""
    timings = account_timings(account)
    instalments = list(account_instalments(account))
    return {
        "id": account.pk,
        "budget": account.budget_id,
        "plan": account.plan_id,
        "broker": broker_data(account.broker),
        "approved": api_amount(account.approved),
        "released": api_amount(account.released),
        "paid": api_amount(account.paid),
        "balance": api_amount(account.approved - account.paid),
        "opened_at": account.opened_at.isoformat(),
        "closed_on": account.closed_on.isoformat() if account.closed_on else None,
        "first_released_at": account.first_released_at.isoformat() if account.first_released_at else None,
        "first_paid_at": account.first_paid_at.isoformat() if account.first_paid_at else None,
        "approval_to_release_days": timings.approval_to_release_days,
        "approval_to_first_payment_days": timings.approval_to_first_payment_days,
        "entries": [entry_data(e, organisation_code) for e in account_entries(account)],
        "instalments": [instalment_data(i) for i in instalments],
        "unmatched_instalments": [instalment_data(i) for i in unmatched_instalments(instalments)],
    }


def unmatched_instalments(instalments, today: date | None = None) -> list[Instalment]:
    """Instalments due by today that no payment has settled: what the broker still owes a supplier."""
    today = today or timezone.localdate()
    return [i for i in instalments if i.status == InstalmentStatus.DUE and i.due_on <= today]


def account_list(*, organisation: Organisation) -> QuerySet[BudgetAccount]:
    return BudgetAccount.objects.for_org(organisation).select_related("plan", "person", "budget")


# --- Waiting for funds (finance) and the broker's work list


def unfunded_accounts(
    *, organisation: Organisation, accounts: QuerySet[BudgetAccount] | None = None
) -> QuerySet[BudgetAccount]:
    """Approved plans with no funds released, oldest approval first, with when they were approved.

    `accounts`: the ones the user may see (phb.visibility.restrict), when not every one."""
    accounts = BudgetAccount.objects.for_org(organisation) if accounts is None else accounts
    return (
        accounts.filter(
            first_released_at__isnull=True, closed_on__isnull=True, plan__status__in=IN_PLACE_STATUSES
        )
        .annotate(waiting_since=Coalesce(F("plan__approved_at"), F("opened_at")))
        .select_related("plan", "person", "budget")
        .order_by("waiting_since", "id")
    )


def unfunded_rows(
    *, organisation: Organisation, today: date | None = None, accounts: QuerySet[BudgetAccount] | None = None
) -> list[dict]:
    """The finance 'Waiting for funds' list: days waiting, and whether past the organisation's limit."""
    today = today or timezone.localdate()
    limit = organisation.unfunded_after_days
    rows = []
    for account in unfunded_accounts(organisation=organisation, accounts=accounts):
        approved_on = timezone.localdate(account.waiting_since)
        days = (today - approved_on).days
        rows.append(
            {
                "account": account,
                "plan": account.plan,
                "person": account.person,
                "approved_on": approved_on,
                "days_waiting": days,
                "overdue": days > limit,
                "unreleased": account.approved - account.released,
            }
        )
    return rows


def unfunded_data(row: dict) -> dict:
    account = row["account"]
    return {
        "account": account.pk,
        "plan": account.plan_id,
        "budget": account.budget_id,
        "person": account.person_id,
        "person_name": account.person.full_name,
        "approved": api_amount(account.approved),
        "approved_on": row["approved_on"].isoformat(),
        "days_waiting": row["days_waiting"],
        "over_limit": row["overdue"],
        "reason": account.no_fund_reason,
    }


def broker_worklist(
    *, organisation: Organisation, today: date | None = None, instalments: QuerySet[Instalment] | None = None
) -> dict:
    """Instalments due on accounts with funds released: overdue, and due in the next 14 days.

    Each list shows the first WORKLIST_ROWS (oldest first) with the full count beside it, so the
    page stays the same size however many budgets an organisation holds. `instalments`: those the
    user may see (a broker: of the budgets they manage), when not every one.
    """
    today = today or timezone.localdate()
    instalments = Instalment.objects.for_org(organisation) if instalments is None else instalments
    due = (
        instalments.filter(
            status=InstalmentStatus.DUE,
            account__organisation=organisation,
            account__first_released_at__isnull=False,
            account__closed_on__isnull=True,
            account__plan__status__in=IN_PLACE_STATUSES,
            due_on__lte=today + timedelta(days=WORKLIST_HORIZON_DAYS),
        )
        .select_related("account", "account__person", "plan", "item")
        .order_by("due_on", "id")
    )
    overdue, upcoming = due.filter(due_on__lt=today), due.filter(due_on__gte=today)
    return {
        "overdue": list(overdue[:WORKLIST_ROWS]),
        "upcoming": list(upcoming[:WORKLIST_ROWS]),
        "overdue_count": overdue.count(),
        "upcoming_count": upcoming.count(),
        "horizon_days": WORKLIST_HORIZON_DAYS,
        "today": today,
    }


# --- The finance export


def payment_lines(
    *, organisation: Organisation, start: date | None, end: date | None
) -> QuerySet[LedgerEntry]:
    """Payments, refunds and corrections of either, in a period: every entry that moves `paid`."""
    entries = (
        LedgerEntry.objects.for_org(organisation)
        .filter(Q(kind__in=EXPORT_KINDS) | Q(kind=EntryKind.CORRECTION, reverses__kind__in=EXPORT_KINDS))
        .select_related("organisation", "account__person", "reverses", "plan")
        .order_by("entry_date", "id")
    )
    if start:
        entries = entries.filter(entry_date__gte=start)
    if end:
        entries = entries.filter(entry_date__lte=end)
    return entries


def signed_amount(entry: LedgerEntry) -> Decimal:
    """What the entry adds to money paid out: a payment +, a refund -, a correction the other way."""
    corrects = entry.reverses.kind if entry.reverses_id else None
    return ledger.effect(entry.kind, entry.amount, corrects)[1]


def payment_line_data(entry: LedgerEntry) -> dict:
    person = entry.account.person
    return {
        "id": entry.pk,
        "entry_date": entry.entry_date.isoformat(),
        "organisation": entry.organisation.code,
        "nhs_number": person.nhs_number,
        "person": person.pk,
        "person_name": person.full_name,
        "plan": entry.plan_id,
        "budget": entry.plan.budget_id,
        "kind": entry.kind,
        "method": entry.method,
        "payee": entry.payee,
        "reference": entry.reference,
        "amount": api_amount(signed_amount(entry)),
        "reverses": entry.reverses_id,
    }


def payments_total(entries: QuerySet[LedgerEntry]) -> Decimal:
    """Net paid out by these entries, summed in the database by kind (ledger.py says which way each
    kind moves `paid`, and the effect is linear in the amount)."""
    sums = entries.order_by().values("kind", "reverses__kind").annotate(amount=Sum("amount"))
    return sum(
        (ledger.effect(row["kind"], row["amount"], row["reverses__kind"])[1] for row in sums), Decimal("0.00")
    )


# --- The person's page


def person_section(person, org_context) -> dict:
    """Each budget account of the person: approved, released, paid and balance, linked to its page."""
    accounts = (
        restrict(BudgetAccount.objects.for_org(org_context.organisation), org_context, Data.ACCOUNTS)
        .filter(person=person)
        .select_related("plan")
        .order_by("opened_at", "id")
    )
    return {
        "accounts": [
            {
                "account": account,
                "plan": account.plan,
                "balance": account.approved - account.paid,
                "timings": account_timings(account),
            }
            for account in accounts
        ]
    }


def home_panel(org_context) -> dict | None:
    """The home page card: instalments to pay (brokers) and approved plans waiting for funds (finance)."""
    from django.urls import reverse

    from phb.constants import Role

    organisation = org_context.organisation
    worklist = reverse("payments:worklist", kwargs={"org": org_context.code})
    items = []
    if org_context.has_role(Role.BROKER):
        items += _broker_home_items(org_context)
    if org_context.has_role(Role.BROKER, Role.FINANCE):
        today = timezone.localdate()
        visible = restrict(Instalment.objects.for_org(organisation), org_context, Data.ACCOUNTS)
        due = visible.filter(
            status=InstalmentStatus.DUE,
            account__first_released_at__isnull=False,
            account__closed_on__isnull=True,
        )
        items += [
            {
                "label": "instalments overdue",
                "url": worklist,
                "urgent": True,
                "count": due.filter(due_on__lt=today).count(),
            },
            {
                "label": f"instalments due in the next {WORKLIST_HORIZON_DAYS} days",
                "url": worklist,
                "count": due.filter(
                    due_on__gte=today, due_on__lte=today + timedelta(days=WORKLIST_HORIZON_DAYS)
                ).count(),
            },
        ]
    if org_context.has_role(Role.FINANCE, Role.COMMISSIONER):
        unfunded = unfunded_accounts(organisation=organisation)
        limit = timezone.now() - timedelta(days=organisation.unfunded_after_days)
        items += [
            {"label": "approved plans waiting for funds", "url": worklist, "count": unfunded.count()},
            {
                "label": f"waiting more than {organisation.unfunded_after_days} days",
                "url": worklist,
                "urgent": True,
                "count": unfunded.filter(waiting_since__lt=limit).count(),
            },
        ]
    return {"title": "Money", "items": items} if items else None


def _broker_home_items(org_context) -> list[dict]:
    """The broker's own budgets: how many, how many still unfunded, their instalments due."""
    counts = managed_counts(user=org_context.user, organisation=org_context.organisation)
    budgets = reverse("payments:budgets", kwargs={"org": org_context.code})
    return [
        {"label": "budgets you manage", "url": budgets, "count": counts["budgets"]},
        {"label": "of them approved but unfunded", "url": budgets, "count": counts["unfunded"]},
        {"label": "instalments overdue on them", "url": budgets, "urgent": True, "count": counts["overdue"]},
    ]


def plan_account(plan: SupportPlan) -> dict | None:
    """The support plan's part: its budget account's figures, if one is open (AppConfig.plan_parts)."""
    account = BudgetAccount.objects.filter(budget_id=plan.budget_id).first()
    if account is None:
        return None
    return {
        "approved": f"{account.approved:.2f}",
        "released": f"{account.released:.2f}",
        "paid": f"{account.paid:.2f}",
        "balance": f"{account.approved - account.paid:.2f}",
    }


def entry_with_receipt(*, organisation: Organisation, entry_id: int, context=None) -> LedgerEntry:
    """A ledger entry of this organisation that carries a receipt; anything else is a 404. With the
    user's organisation context, an entry beyond their reach (a budget naming another broker) is a 403
    first, as every other row of theirs is, whether or not it carries a receipt."""
    entry = get_object_or_404(LedgerEntry.objects.for_org(organisation), pk=entry_id)
    if context is not None:
        check_object(context, Data.ACCOUNTS, entry)
    if not entry.receipt:
        raise Http404("No receipt is attached to this entry.")
    return entry


# --- What the role-by-data table's scopes reach (phb/visibility.py)


def people_on_an_account(roles, context) -> Q:
    """Finance and brokers see the people who hold a budget account, and no one else."""
    return Q(pk__in=BudgetAccount.objects.for_org(context.organisation).values("person_id"))


def plans_on_an_account(roles, context) -> Q:
    """... and the plan versions of those budgets."""
    return Q(budget_id__in=BudgetAccount.objects.for_org(context.organisation).values("budget_id"))
