"""Bulk writes of budget accounts, for an import: opening many accounts at once, saying why no fund
released their money, telling finance and brokers, and recording many opening balances.

Each is the single path of services.py / fund_services.py / reactions.py for many plans of one
organisation in a few queries per batch, held to the same rules (payments/ledger.py) and leaving the
same rows and audit trail. Where the single path has branches an import rarely meets (an account
already open, an open fund that may release at approval), those plans go through the single path.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from phb.audit import AuditRow, record_events, snapshot
from phb.bulk_insert import copy_insert, copy_objects, update_each
from phb.constants import Role
from phb.exceptions import Conflict, Overspend
from phb.models import Notification, Organisation
from phb.money import gbp
from phb.notifications import holders_of
from support_plans.bulk import plans_mark_active_bulk
from support_plans.constants import IN_PLACE_STATUSES, PlanStatus
from support_plans.models import PlanItem, SupportPlan

from . import funds, ledger
from .constants import EntryKind, FundEntryKind, FundStatus, InstalmentStatus
from .fund_services import fund_release_at_approval
from .models import BudgetAccount, Fund, FundEntry, Instalment, LedgerEntry
from .selectors import entry_data
from .services import _check_amount, _moment, account_open_or_resize, instalments_due

BATCH_SIZE = 2000
INSTALMENT_COLUMNS = (
    "organisation_id",
    "account_id",
    "plan_id",
    "item_id",
    "due_on",
    "amount",
    "status",
    "created_by_id",
    "created_at",
    "modified_at",
)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _plans(plan_ids) -> list[SupportPlan]:
    """The plans an account opens for: only what opening reads."""
    return list(
        SupportPlan.objects.filter(pk__in=list(plan_ids))
        .only(
            "organisation_id",
            "budget_id",
            "person_id",
            "status",
            "cost_total",
            "approved_at",
            "start_date",
            "end_date",
        )
        .order_by("pk")
    )


def _schedule_items(plan_ids) -> dict[int, list[ledger.Item]]:
    """Each plan's items as its schedule sees them, read as values (no model instance an item)."""
    items: dict[int, list[ledger.Item]] = defaultdict(list)
    rows = (
        PlanItem.objects.filter(plan_id__in=list(plan_ids))
        .order_by("position", "id")
        .values_list("plan_id", "pk", "amount", "frequency", "start_date", "end_date")
    )
    for plan_id, key, amount, frequency, start_date, end_date in rows:
        items[plan_id].append(ledger.Item(key, amount, frequency, start_date, end_date))
    return items


@transaction.atomic
def accounts_open_bulk(*, actor, plan_ids, schedule_from: date | None = None) -> list[BudgetAccount]:
    """`account_open_or_resize` for many newly approved plans: each budget's account opens at its
    plan's total with its instalments scheduled (from `schedule_from` on, if given), audited as
    `account_opened`."""
    plans = _plans(plan_ids)
    if not plans:
        return []
    organisation = Organisation.objects.get(pk=plans[0].organisation_id)
    for plan in plans:
        if plan.status not in IN_PLACE_STATUSES:
            raise Conflict(
                f"The plan is {plan.status}: only an approved plan opens a budget account.",
                status=plan.status,
            )
    already = set(
        BudgetAccount.objects.filter(budget_id__in=[p.budget_id for p in plans]).values_list(
            "budget_id", flat=True
        )
    )
    opened = [
        account_open_or_resize(actor=actor, plan=p, schedule_from=schedule_from)
        for p in plans
        if p.budget_id in already
    ]
    fresh = [p for p in plans if p.budget_id not in already]
    accounts = []
    for plan in fresh:
        account = BudgetAccount(
            organisation=organisation,
            budget_id=plan.budget_id,
            person_id=plan.person_id,
            plan=plan,
            approved=plan.cost_total,
            opened_at=plan.approved_at or timezone.now(),
        )
        account.stamp(actor)
        accounts.append(account)
    # Every account is its plan's total, checked when the plan was costed: one held to the model's
    # own rules stands for them all (the database's constraints behind it).
    for account in accounts[:1]:
        account.validate_own_fields()
    copy_objects(accounts)
    user = _user(actor)
    user_id, now = getattr(user, "pk", None), timezone.now()
    instalments: list[tuple] = []
    audit = []
    items = _schedule_items(plan.pk for plan in fresh)
    for plan, account in zip(fresh, accounts, strict=True):
        due = instalments_due(plan, schedule_from, items=items[plan.pk])
        instalments += [
            (
                account.organisation_id,
                account.pk,
                plan.pk,
                d.key,
                d.due_on,
                d.amount,
                InstalmentStatus.DUE,
                user_id,
                now,
                now,
            )
            for d in due
        ]
        count = len(due)
        audit.append(
            AuditRow(
                account,
                "account_opened",
                f"Budget account opened: {gbp(account.approved)} approved"
                + (f", {count} instalments scheduled" if count else ""),
                after=snapshot(account),
            )
        )
    copy_insert(Instalment, INSTALMENT_COLUMNS, instalments)
    record_events(actor=actor, organisation=organisation, rows=audit)
    return opened + accounts


@transaction.atomic
def fund_release_at_import(*, actor, plan_ids) -> None:
    """`fund_release_at_approval` for many newly approved plans. A plan whose approval year has no
    open fund is refused as the single path refuses it (the account says why, audited, nobody told):
    in bulk. A plan a fund might serve goes through the single path, which locks and draws from it."""
    plans = list(
        SupportPlan.objects.filter(pk__in=list(plan_ids)).values_list("pk", "budget_id", "approved_at")
    )
    if not plans:
        return
    accounts = {
        a.budget_id: a
        # What the refusal below reads and its audit row names (the person, by id).
        for a in BudgetAccount.objects.filter(budget_id__in=[budget_id for _, budget_id, _ in plans]).only(
            "organisation_id", "budget_id", "person_id", "released"
        )
    }
    if not accounts:
        return
    organisation = Organisation.objects.get(pk=next(iter(accounts.values())).organisation_id)
    years_with_funds = set(
        Fund.objects.filter(organisation_id=organisation.pk, status=FundStatus.OPEN).values_list(
            "financial_year", flat=True
        )
    )
    no_fund: dict[str, list[BudgetAccount]] = defaultdict(list)
    for plan_id, budget_id, approved_at in plans:
        account = accounts.get(budget_id)
        if account is None or account.released > 0:
            continue
        at = approved_at or timezone.now()
        year = funds.financial_year_of(timezone.localdate(at))
        if year in years_with_funds:
            fund_release_at_approval(actor=actor, plan=SupportPlan.objects.get(pk=plan_id), at=at)
        else:
            no_fund[f"no open fund for {year}"].append(account)
    now, audit = timezone.now(), []
    for reason, refused in no_fund.items():
        BudgetAccount.objects.filter(pk__in=[account.pk for account in refused]).update(
            no_fund_reason=reason[:300], modified_at=now
        )
        audit += [
            AuditRow(account, "account_not_funded_at_approval", f"No release at approval: {reason}")
            for account in refused
        ]
    record_events(actor=actor, organisation=organisation, rows=audit)


def notify_plans_approved_bulk(*, organisation_id: int, plan_ids) -> int:
    """`notify_plan_approved` for many plans: each plan's approval in the in-app list of the
    organisation's brokers and finance staff, once each (no e-mail, as for one)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    users = {u.pk: u for u in holders_of(organisation, Role.BROKER, Role.FINANCE) if u.is_active}
    if not users:
        return 0
    plans = SupportPlan.objects.select_related("person").filter(pk__in=list(plan_ids)).order_by("pk")
    rows = []
    for plan in plans:
        path = reverse("payments:account", kwargs={"org": organisation.code, "pk": plan.pk})
        subject = f"Support plan approved: {plan.person.full_name}, {gbp(plan.cost_total)}"
        body = (
            f"Support plan version {plan.version} for {plan.person.full_name} is approved "
            f"({gbp(plan.cost_total)}). Finance: release the funds. Broker: payments can start once they are."
        )
        rows += [
            Notification(
                organisation=organisation,
                user=user,
                key=f"plan:{plan.pk}:approved",
                subject=subject[:200],
                body=body,
                path=path[:300],
            )
            for user in users.values()
        ]
    Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


# The account's figures, its plan's status and the budget's closure: all an opening balance reads.
_OPENING_READS = (
    "organisation_id",
    "budget_id",
    "person_id",
    "approved",
    "released",
    "paid",
    "first_released_at",
    "first_paid_at",
    "closed_on",
    "plan__organisation_id",
    "plan__status",
    "plan__budget__closed_on",
)


def _apply(position: ledger.Position, entry: ledger.Entry, from_fund: bool) -> ledger.Position:
    try:
        return ledger.apply(position, entry, paid_from_fund=from_fund)
    except ledger.WouldOverspend as error:
        raise Overspend(error.message) from error
    except ledger.LedgerError as error:
        raise Conflict(error.message) from error


@transaction.atomic
def account_opening_balances_bulk(*, actor, paid: dict[int, Decimal]) -> list[LedgerEntry]:
    """`account_opening_balance_record` for many imported plans ({plan id: paid to date}): each
    account starts with a release and a payment of what was paid before the import, under the ledger
    rules, audited as `ledger_opening_balance`; the plans paid from become active at once."""
    paid = {plan_id: amount for plan_id, amount in paid.items() if amount != 0}
    if not paid:
        return []
    for amount in paid.values():
        _check_amount(amount, "paid_to_date")
    budget_of = dict(SupportPlan.objects.filter(pk__in=list(paid)).values_list("pk", "budget_id"))
    accounts = list(
        BudgetAccount.objects.select_for_update(of=("self",))
        .select_related("plan__budget")
        # What the rules below read and the update writes: not the plan's other fifty columns.
        .only(*_OPENING_READS)
        .filter(budget_id__in=list(budget_of.values()))
        .order_by("pk")
    )
    by_budget = {account.budget_id: account for account in accounts}
    from_fund = set(
        FundEntry.objects.filter(
            account_id__in=[a.pk for a in accounts], kind=FundEntryKind.COMMITMENT
        ).values_list("account_id", flat=True)
    )
    user = _user(actor)
    today, now = timezone.localdate(), timezone.now()
    entries: list[LedgerEntry] = []
    touched: list[tuple[BudgetAccount, dict, Decimal]] = []
    to_activate: list[int] = []
    for plan_id, amount in paid.items():
        account = by_budget.get(budget_of.get(plan_id))
        if account is None:
            raise Conflict(
                "This plan has no budget account yet. The account is opened when the plan is approved."
            )
        current = account.plan
        closed_on = account.closed_on or current.budget.closed_on
        if closed_on is not None:
            raise Conflict(
                f"This budget was closed on {closed_on:%d %B %Y}: no an opening balance after closure."
            )
        if current.status not in IN_PLACE_STATUSES:
            raise Conflict(
                f"The plan is {current.status}: an opening balance needs an approved or active plan.",
                status=current.status,
            )
        before = snapshot(account, ["approved", "released", "paid"])
        position = ledger.Position(approved=account.approved, released=account.released, paid=account.paid)
        position = _apply(position, ledger.Entry(ledger.RELEASE, amount), account.pk in from_fund)
        position = _apply(position, ledger.Entry(ledger.PAYMENT, amount), account.pk in from_fund)
        account.released, account.paid = position.released, position.paid
        account.first_released_at = account.first_released_at or _moment(today)
        account.first_paid_at = account.first_paid_at or _moment(today)
        account.modified_by, account.modified_at = user, now
        common = {"organisation_id": account.organisation_id, "account": account, "plan": current}
        release = LedgerEntry(
            **common,
            kind=EntryKind.RELEASE,
            amount=amount,
            entry_date=today,
            reference="Opening balance",
            reason="Released before the import, as paid to date on the organisation's own records",
        )
        payment = LedgerEntry(
            **common,
            kind=EntryKind.PAYMENT,
            amount=amount,
            entry_date=today,
            payee="Paid before the import",
            reference="Opening balance",
            reason="Paid to date on the organisation's own records, brought in by an import",
        )
        for entry in (release, payment):
            entry.stamp(actor)
            entries.append(entry)
        touched.append((account, before, amount))
        if current.status == PlanStatus.APPROVED:
            to_activate.append(current.pk)
    # Every release (and every payment) differs only in its account, plan and checked amount: one of
    # each held to the model's own rules stands for them all (the database's constraints behind it).
    for entry in entries[:2]:
        entry.validate_own_fields()
    copy_objects(entries)
    update_each(
        [account for account, _, _ in touched],
        ["released", "paid", "first_released_at", "first_paid_at", "modified_by", "modified_at"],
    )
    plans_mark_active_bulk(actor=actor, plan_ids=to_activate, at=now)
    payments = entries[1::2]
    record_events(
        actor=actor,
        organisation=Organisation.objects.get(pk=accounts[0].organisation_id),
        rows=[
            AuditRow(
                payment,
                "ledger_opening_balance",
                f"Opening balance imported: {gbp(amount)} paid before the import",
                before=before,
                after={**snapshot(account, ["approved", "released", "paid"]), "entry": entry_data(payment)},
                person_id=account.person_id,
            )
            for (account, before, amount), payment in zip(touched, payments, strict=True)
        ],
    )
    return payments
