"""Every write to a budget account: opening and re-sizing it, releases, payments, reversals, closure.

Each money write locks the account row (`select_for_update`), asks `ledger.py` whether the entry
is allowed, writes the immutable entry, moves the running totals and writes the audit event, all
in one transaction. Payments therefore never exceed the approved amount, also when requests race.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from phb import dates, events
from phb.audit import changes_together, record_event, snapshot
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, NotPermitted, Overspend
from phb.models import MembershipRole, Organisation
from phb.money import PENNY, gbp
from phb.notifications import absolute_url, notify_once
from phb.selectors import users_with_role
from support_plans.constants import IN_PLACE_STATUSES, PlanStatus
from support_plans.models import Budget, Supplier, SupportPlan
from support_plans.services import plan_mark_active

from . import idempotency, ledger
from .constants import EntryKind, InstalmentStatus
from .idempotency import IdempotentRequest
from .models import BudgetAccount, IdempotencyRecord, Instalment, LedgerEntry
from .receipts import check_receipt, receipt_digest, stored_name
from .selectors import entry_data, paid_from_fund, unfunded_rows

RELEASE_ROLES = (Role.FINANCE, Role.COMMISSIONER)
PAYMENT_ROLES = (Role.BROKER, Role.FINANCE)
REVERSAL_ROLES = (Role.FINANCE, Role.COMMISSIONER)
CORRECTION_ROLES = (Role.FINANCE,)


# --- Helpers


def _require_role(
    actor, organisation_id: int, roles: tuple[str, ...], doing: str, actor_roles: Iterable[str] | None = None
) -> None:
    """The pages and API check roles first; this keeps a direct call honest too (None = the system).

    `actor_roles`: the roles of the actor's membership the caller has just read (the API's
    organisation context), so they are not read twice in one request; read here when not given.
    """
    if actor is None:
        return
    if actor_roles is not None:
        held = bool(set(actor_roles) & set(roles))
    else:
        held = MembershipRole.objects.filter(
            organisation_id=organisation_id,
            membership__user=actor,
            membership__is_active=True,
            role__in=roles,
        ).exists()
    if not held:
        labels = ", ".join(Role(r).label.lower() for r in roles)
        raise NotPermitted(f"Only {labels} staff can {doing}.")


def _lock_account(plan: SupportPlan) -> BudgetAccount:
    """The budget's account, locked for this transaction; a 409 naming the plan's status if none.

    Only the account row is locked; its organisation and person (which never change) come in the
    same query for the audit event.
    """
    account = (
        BudgetAccount.objects.select_for_update(of=("self",))
        .select_related("organisation", "person")
        .filter(organisation_id=plan.organisation_id, budget_id=plan.budget_id)
        .first()
    )
    if account is None:
        raise Conflict(
            f"This plan is {plan.status}: it has no budget account yet. "
            "The account is opened when the plan is approved.",
            status=plan.status,
        )
    return account


def _check_open(account: BudgetAccount, doing: str) -> SupportPlan:
    """Money moves only on an approved or active plan whose budget is not closed."""
    plan = SupportPlan.objects.select_related("budget", "person").get(pk=account.plan_id)
    closed_on = account.closed_on or plan.budget.closed_on
    if closed_on is not None:
        raise Conflict(f"This budget was closed on {closed_on:%d %B %Y}: no {doing} after closure.")
    if plan.status not in IN_PLACE_STATUSES:
        raise Conflict(
            f"The plan is {plan.status}: {doing} needs an approved or active plan.", status=plan.status
        )
    return plan


def _check_amount(amount: Decimal, field: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(PENNY):
        raise InvalidInput(**{field: ["Enter an amount in pounds and pence greater than £0.00."]})
    if amount > Decimal("1000000.00"):
        raise InvalidInput(**{field: ["Enter an amount of no more than £1,000,000.00."]})
    return amount


def _check_date(day: date, field: str) -> date:
    if not isinstance(day, date):
        raise InvalidInput(**{field: ["Enter a date as YYYY-MM-DD."]})
    dates.require(**{field: dates.problems(day, label="The date", kind=dates.PAST)})
    return day


def _moment(day: date) -> datetime:
    """When money moved: now, for today; midday of the entry's date for one recorded later."""
    if day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


def _position(account: BudgetAccount) -> ledger.Position:
    return ledger.Position(approved=account.approved, released=account.released, paid=account.paid)


def _apply(account: BudgetAccount, entry: ledger.Entry, remaining: Decimal | None = None) -> None:
    """Ask the ledger rules; a refusal is a 409 with the rule's own words."""
    try:
        after = ledger.apply(_position(account), entry, remaining, paid_from_fund=paid_from_fund(account))
    except ledger.WouldOverspend as error:
        raise Overspend(error.message) from error
    except ledger.LedgerError as error:
        raise Conflict(error.message) from error
    account.released, account.paid = after.released, after.paid


def _write_entry(actor, account: BudgetAccount, plan: SupportPlan, **fields: Any) -> LedgerEntry:
    receipt = fields.pop("receipt", None)
    entry = LedgerEntry(organisation_id=account.organisation_id, account=account, plan=plan, **fields)
    if receipt is not None:
        entry.receipt_content_type = check_receipt(receipt)
        entry.receipt.save(stored_name(entry.receipt_content_type), receipt, save=False)
    entry.stamp(actor)
    entry.validate_own_fields()
    entry.save()
    return entry


def _save_account(actor, account: BudgetAccount) -> None:
    account.stamp(actor)
    account.validate_own_fields()
    account.save()


def _mark_first(actor, account: BudgetAccount, plan: SupportPlan, field: str, day: date) -> None:
    """The first release or payment: record when (the delay the field complains of), make the plan active."""
    if getattr(account, field) is None:
        setattr(account, field, _moment(day))
    if plan.status == PlanStatus.APPROVED:
        plan_mark_active(actor=actor, plan=plan, at=timezone.now())


def _audit_entry(actor, account: BudgetAccount, entry: LedgerEntry, before: dict, summary: str) -> None:
    record_event(
        actor=actor,
        organisation=account.organisation,
        obj=entry,
        action=f"ledger_{entry.kind}",
        before=before,
        after={**snapshot(account, ["approved", "released", "paid"]), "entry": entry_data(entry)},
        person=account.person,
        summary=summary,
    )


def _entry_for(record: IdempotencyRecord) -> LedgerEntry:
    entry = LedgerEntry.objects.select_related("created_by", "reverses").get(
        pk=record.response_body["id"], organisation_id=record.organisation_id
    )
    entry.replayed = True
    return entry


def _once(request: IdempotentRequest, write: Callable[[], LedgerEntry]) -> LedgerEntry:
    return idempotency.guarded(request, write, _entry_for)


def _replayed(request: IdempotentRequest) -> LedgerEntry | None:
    record = idempotency.replay(request)
    return _entry_for(record) if record is not None else None


def _remember(request: IdempotentRequest, entry: LedgerEntry) -> None:
    entry.replayed = False
    idempotency.remember(
        request, status=201, response=entry_data(entry, organisation_code=request.organisation.code)
    )


# --- Opening, re-sizing and closing the account


def _instalment_items(plan: SupportPlan) -> list[ledger.Item]:
    return [
        ledger.Item(
            key=item.pk,
            amount=item.amount,
            frequency=item.frequency,
            start_date=item.start_date,
            end_date=item.end_date,
        )
        for item in plan.items.all()
    ]


def instalments_due(
    plan: SupportPlan, from_day: date | None = None, items: list[ledger.Item] | None = None
) -> list[ledger.Due]:
    """The instalments due under this plan version, from `from_day` on if given (a revision, or an
    imported budget whose earlier instalments were paid outside this system). `items`: the plan's,
    if already read (a bulk write reads every plan's at once)."""
    if items is None:
        items = _instalment_items(plan)
    due = ledger.instalments(items, plan.start_date, plan.end_date)
    return [d for d in due if from_day is None or d.due_on >= from_day]


def _schedule(actor, account: BudgetAccount, plan: SupportPlan, from_day: date | None = None) -> int:
    """Create the instalments due under this plan version (from `from_day` on)."""
    rows = [
        Instalment(
            organisation_id=account.organisation_id,
            account=account,
            plan=plan,
            item_id=d.key,
            due_on=d.due_on,
            amount=d.amount,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for d in instalments_due(plan, from_day)
    ]
    Instalment.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def account_open_or_resize(*, actor, plan: SupportPlan, schedule_from: date | None = None) -> BudgetAccount:
    """An approved plan version opens its budget's account, or re-sizes it on a revision.

    A new account's instalments run from the plan's start, or from `schedule_from` for a budget
    brought in by an import (what fell due before it was paid outside this system: paid to date).

    Re-sizing sets approved to the new version's total (never below what is already paid: 409),
    cancels the old version's unpaid instalments and schedules the new version's from today.
    """
    plan = SupportPlan.objects.select_related("budget", "person", "organisation").get(pk=plan.pk)
    if plan.status not in IN_PLACE_STATUSES:
        raise Conflict(
            f"The plan is {plan.status}: only an approved plan opens a budget account.", status=plan.status
        )
    account = BudgetAccount.objects.select_for_update().filter(budget_id=plan.budget_id).first()
    if account is None:
        account = BudgetAccount(
            organisation=plan.organisation,
            budget=plan.budget,
            person=plan.person,
            plan=plan,
            approved=plan.cost_total,
            opened_at=plan.approved_at or timezone.now(),
        )
        account.stamp(actor)
        account.validate_own_fields()
        account.save()
        count = _schedule(actor, account, plan, from_day=schedule_from)
        record_event(
            actor=actor,
            organisation=plan.organisation,
            obj=account,
            action="account_opened",
            after=snapshot(account),
            person=plan.person,
            summary=f"Budget account opened: {gbp(account.approved)} approved"
            + (f", {count} instalments scheduled" if count else ""),
        )
        return account
    if account.plan_id == plan.pk:
        return account  # this version already sizes the account
    try:
        ledger.check_resize(plan.cost_total, account.paid)
    except ledger.ResizeBelowPaid as error:
        raise Conflict(error.message) from error
    before = snapshot(account)
    old_approved = account.approved
    cancelled = Instalment.objects.filter(account=account, status=InstalmentStatus.DUE).update(
        status=InstalmentStatus.CANCELLED, modified_at=timezone.now()
    )
    account.approved = plan.cost_total
    account.plan = plan
    _save_account(actor, account)
    count = _schedule(actor, account, plan, from_day=timezone.localdate())
    record_event(
        actor=actor,
        organisation=plan.organisation,
        obj=account,
        action="account_resized",
        before=before,
        after=snapshot(account),
        person=plan.person,
        summary=f"Budget account re-sized from {gbp(old_approved)} to {gbp(account.approved)} "
        f"(plan version {plan.version}); {cancelled} instalments replaced by {count}",
    )
    return account


@transaction.atomic
def account_close(*, actor, budget: Budget, closed_on: date) -> BudgetAccount | None:
    """The budget closed: its due instalments are cancelled and no payment is taken after this."""
    account = BudgetAccount.objects.select_for_update().filter(budget_id=budget.pk).first()
    if account is None:
        return None
    before = snapshot(account)
    cancelled = Instalment.objects.filter(account=account, status=InstalmentStatus.DUE).update(
        status=InstalmentStatus.CANCELLED, modified_at=timezone.now()
    )
    account.closed_on = closed_on
    _save_account(actor, account)
    record_event(
        actor=actor,
        organisation=account.organisation,
        obj=account,
        action="account_closed",
        before=before,
        after=snapshot(account),
        person=account.person,
        summary=f"Budget account closed on {closed_on:%d %B %Y}; {cancelled} instalments cancelled",
    )
    return account


@transaction.atomic
def account_opening_balance_record(*, actor, plan: SupportPlan, paid_to_date: Decimal) -> LedgerEntry | None:
    """An imported budget's account starts with what was paid before the import, as one entry.

    The import (imports/services.py) calls this after the imported plan's approval opened the
    account; nothing is paid if the sheet says nothing was. What was paid had been released first, so
    the opening balance is a release and a payment of the same amount: the balance and the checks
    count them like any others, and the payment makes the plan active.
    """
    if paid_to_date == 0:
        return None
    _check_amount(paid_to_date, "paid_to_date")
    account = _lock_account(plan)
    current = _check_open(account, "an opening balance")
    before = snapshot(account, ["approved", "released", "paid"])
    today = timezone.localdate()
    _apply(account, ledger.Entry(ledger.RELEASE, paid_to_date))
    _write_entry(
        actor,
        account,
        current,
        kind=EntryKind.RELEASE,
        amount=paid_to_date,
        entry_date=today,
        reference="Opening balance",
        reason="Released before the import, as paid to date on the organisation's own records",
    )
    _mark_first(actor, account, current, "first_released_at", today)
    _apply(account, ledger.Entry(ledger.PAYMENT, paid_to_date))
    entry = _write_entry(
        actor,
        account,
        current,
        kind=EntryKind.PAYMENT,
        amount=paid_to_date,
        entry_date=today,
        payee="Paid before the import",
        reference="Opening balance",
        reason="Paid to date on the organisation's own records, brought in by an import",
    )
    _mark_first(actor, account, current, "first_paid_at", today)
    _save_account(actor, account)
    record_event(
        actor=actor,
        organisation=account.organisation,
        obj=entry,
        action="ledger_opening_balance",
        before=before,
        after={**snapshot(account, ["approved", "released", "paid"]), "entry": entry_data(entry)},
        person=account.person,
        summary=f"Opening balance imported: {gbp(paid_to_date)} paid before the import",
    )
    return entry


# --- Money in: release of funds


def release_record(
    *,
    actor,
    plan: SupportPlan,
    amount: Decimal,
    released_on: date,
    idempotency_key: str | None = None,
    reference: str = "",
    actor_roles: Iterable[str] | None = None,
) -> LedgerEntry:
    """Finance (or a commissioner) releases agreed funding to the budget; the first makes the plan active."""
    _require_role(actor, plan.organisation_id, RELEASE_ROLES, "release funds", actor_roles)
    _check_amount(amount)
    _check_date(released_on, "released_on")
    request = IdempotentRequest(
        user=actor,
        organisation=plan.organisation,
        key=idempotency_key,
        scope=f"release:budget:{plan.budget_id}",
        body={"amount": f"{amount:.2f}", "released_on": released_on.isoformat(), "reference": reference},
    )

    @transaction.atomic
    def write() -> LedgerEntry:
        account = _lock_account(plan)
        if (replayed := _replayed(request)) is not None:
            return replayed
        current = _check_open(account, "release of funds")
        before = snapshot(account, ["approved", "released", "paid"])
        _apply(account, ledger.Entry(ledger.RELEASE, amount))
        entry = _write_entry(
            actor,
            account,
            current,
            kind=EntryKind.RELEASE,
            amount=amount,
            entry_date=released_on,
            reference=reference,
        )
        _mark_first(actor, account, current, "first_released_at", released_on)
        _save_account(actor, account)
        _audit_entry(actor, account, entry, before, f"Release of funds of {gbp(amount)} recorded")
        events.publish(
            events.FundsReleased(
                organisation_id=account.organisation_id,
                actor_id=events.actor_id_of(actor),
                plan_id=current.pk,
                account_id=account.pk,
                on=released_on,
                entry_id=entry.pk,
            )
        )
        _remember(request, entry)
        return entry

    return _once(request, write)


def release_from_fund(*, actor, plan: SupportPlan, fund, amount: Decimal, at: datetime) -> LedgerEntry:
    """The plan's amount for the year is released from a fund agreed in advance (at approval).

    Called by the fund service (inside the approval's transaction at approval), with the fund row
    locked and its room checked; no role check here: at approval the release was agreed when the
    fund was, not by whoever signed; later, the fund service checks the role itself.
    """
    account = _lock_account(plan)
    current = _check_open(account, "release of funds")
    before = snapshot(account, ["approved", "released", "paid"])
    _apply(account, ledger.Entry(ledger.RELEASE, amount))
    released_on = timezone.localdate(at)
    entry = _write_entry(
        actor,
        account,
        current,
        kind=EntryKind.RELEASE,
        amount=amount,
        entry_date=released_on,
        fund=fund,
    )
    account.first_released_at = account.first_released_at or at
    account.no_fund_reason = ""
    _mark_first(actor, account, current, "first_released_at", released_on)
    _save_account(actor, account)
    _audit_entry(
        actor, account, entry, before, f"Release of funds of {gbp(amount)} from the fund {fund}"[:300]
    )
    return entry


# --- Money out: payments


def payment_record(
    *,
    actor,
    plan: SupportPlan,
    amount: Decimal,
    paid_on: date,
    method: str,
    payee: str,
    reference: str,
    idempotency_key: str | None,
    receipt=None,
    instalment: Instalment | None = None,
    supplier: Supplier | None = None,
    actor_roles: Iterable[str] | None = None,
) -> LedgerEntry:
    """A broker or finance records money paid out of the budget; never beyond the approved amount,
    nor beyond the money released unless the budget is paid from a fund.

    A payment to a supplier of exactly a due instalment's amount for that supplier's item settles the
    earliest such instalment (so it cannot be paid twice); `instalment` names one explicitly.
    """
    _require_role(actor, plan.organisation_id, PAYMENT_ROLES, "record payments", actor_roles)
    if supplier is not None and supplier.organisation_id != plan.organisation_id:
        raise InvalidInput(supplier=["Choose a supplier of this organisation."])
    _check_amount(amount)
    _check_date(paid_on, "paid_on")
    if receipt is not None:
        check_receipt(receipt)
    request = IdempotentRequest(
        user=actor,
        organisation=plan.organisation,
        key=idempotency_key,
        scope=f"payment:budget:{plan.budget_id}",
        body={
            "amount": f"{amount:.2f}",
            "paid_on": paid_on.isoformat(),
            "method": method,
            "payee": payee,
            "reference": reference,
            "instalment": instalment.pk if instalment else None,
            "supplier": supplier.pk if supplier else None,
            "receipt": receipt_digest(receipt) if receipt is not None else None,
        },
    )

    @transaction.atomic
    @changes_together()  # the payment and, the first time, the budget in use: one recount
    def write() -> LedgerEntry:
        account = _lock_account(plan)
        if (replayed := _replayed(request)) is not None:
            return replayed
        current = _check_open(account, "payments")
        due = None
        if instalment is not None:
            due = Instalment.objects.select_for_update().filter(pk=instalment.pk, account=account).first()
            if due is None:
                raise InvalidInput(instalment=["That instalment is not on this budget account."])
            if due.status != InstalmentStatus.DUE:
                raise Conflict(f"That instalment is {due.status}, not due.")
        elif supplier is not None:
            due = _matching_instalment(account, amount=amount, supplier=supplier)
        before = snapshot(account, ["approved", "released", "paid"])
        _apply(account, ledger.Entry(ledger.PAYMENT, amount))
        entry = _write_entry(
            actor,
            account,
            current,
            kind=EntryKind.PAYMENT,
            amount=amount,
            entry_date=paid_on,
            method=method,
            payee=payee,
            reference=reference,
            instalment=due,
            supplier=supplier,
            receipt=receipt,
        )
        if due is not None:
            due.status = InstalmentStatus.PAID
            due.stamp(actor)
            due.save(update_fields=["status", "modified_at", "modified_by"])
        _mark_first(actor, account, current, "first_paid_at", paid_on)
        _save_account(actor, account)
        _audit_entry(actor, account, entry, before, f"Payment of {gbp(amount)} to {payee} recorded")
        events.publish(
            events.PaymentRecorded(
                organisation_id=account.organisation_id,
                actor_id=events.actor_id_of(actor),
                plan_id=current.pk,
                account_id=account.pk,
                on=paid_on,
                entry_id=entry.pk,
                amount=entry.amount,
                payee=entry.payee,
            )
        )
        _remember(request, entry)
        return entry

    return _once(request, write)


def _matching_instalment(account: BudgetAccount, *, amount: Decimal, supplier: Supplier) -> Instalment | None:
    """The earliest due instalment of this amount for an item of this supplier, locked (or None)."""
    return (
        Instalment.objects.select_for_update(of=("self",))
        .filter(account=account, status=InstalmentStatus.DUE, amount=amount, item__supplier=supplier)
        .order_by("due_on", "id")
        .first()
    )


# --- Reversals: refunds, clawbacks, corrections (new entries; nothing is edited or deleted)


def _reversal(
    *,
    actor,
    plan: SupportPlan,
    kind: str,
    amount: Decimal,
    entry_date: date,
    date_field: str,
    reason: str,
    reference: str,
    idempotency_key: str | None,
    summary: str,
) -> LedgerEntry:
    _check_amount(amount)
    _check_date(entry_date, date_field)
    if not (reason or "").strip():
        raise InvalidInput(reason=["Say why (a reversing entry always carries a reason)."])
    request = IdempotentRequest(
        user=actor,
        organisation=plan.organisation,
        key=idempotency_key,
        scope=f"{kind}:budget:{plan.budget_id}",
        body={
            "amount": f"{amount:.2f}",
            "date": entry_date.isoformat(),
            "reason": reason,
            "reference": reference,
        },
    )

    @transaction.atomic
    def write() -> LedgerEntry:
        account = _lock_account(plan)
        if (replayed := _replayed(request)) is not None:
            return replayed
        current = SupportPlan.objects.get(pk=account.plan_id)
        before = snapshot(account, ["approved", "released", "paid"])
        _apply(account, ledger.Entry(kind, amount))
        entry = _write_entry(
            actor,
            account,
            current,
            kind=kind,
            amount=amount,
            entry_date=entry_date,
            reason=reason,
            reference=reference,
        )
        _save_account(actor, account)
        _audit_entry(actor, account, entry, before, summary)
        _remember(request, entry)
        return entry

    return _once(request, write)


def refund_record(
    *,
    actor,
    plan: SupportPlan,
    amount: Decimal,
    refunded_on: date,
    reason: str,
    reference: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Money paid out came back to the budget (a supplier's refund); it reduces what has been paid."""
    _require_role(actor, plan.organisation_id, REVERSAL_ROLES, "record refunds")
    return _reversal(
        actor=actor,
        plan=plan,
        kind=EntryKind.REFUND,
        amount=amount,
        entry_date=refunded_on,
        date_field="refunded_on",
        reason=reason,
        reference=reference,
        idempotency_key=idempotency_key,
        summary=f"Refund of {gbp(amount)} to the budget recorded: {reason}"[:300],
    )


def clawback_record(
    *,
    actor,
    plan: SupportPlan,
    amount: Decimal,
    clawed_back_on: date,
    reason: str,
    reference: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Released funds recovered by the organisation (unspent or misused); it reduces what has been released."""
    _require_role(actor, plan.organisation_id, REVERSAL_ROLES, "record clawbacks")
    return _reversal(
        actor=actor,
        plan=plan,
        kind=EntryKind.CLAWBACK,
        amount=amount,
        entry_date=clawed_back_on,
        date_field="clawed_back_on",
        reason=reason,
        reference=reference,
        idempotency_key=idempotency_key,
        summary=f"Clawback of {gbp(amount)} recorded: {reason}"[:300],
    )


def correction_record(
    *,
    actor,
    entry: LedgerEntry,
    amount: Decimal,
    reason: str,
    corrected_on: date | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Reverse (part of) an earlier entry made in error; the earlier entry stays as it was."""
    _require_role(actor, entry.organisation_id, CORRECTION_ROLES, "record corrections")
    _check_amount(amount)
    corrected_on = _check_date(corrected_on or timezone.localdate(), "corrected_on")
    if not (reason or "").strip():
        raise InvalidInput(reason=["Say why the entry is being corrected."])
    plan = SupportPlan.objects.get(pk=entry.plan_id)
    request = IdempotentRequest(
        user=actor,
        organisation=entry.organisation,
        key=idempotency_key,
        scope=f"correction:budget:{plan.budget_id}",
        body={
            "entry": entry.pk,
            "amount": f"{amount:.2f}",
            "date": corrected_on.isoformat(),
            "reason": reason,
        },
    )

    @transaction.atomic
    def write() -> LedgerEntry:
        account = _lock_account(plan)
        if (replayed := _replayed(request)) is not None:
            return replayed
        original = LedgerEntry.objects.get(pk=entry.pk, account=account)
        reversed_so_far = original.reversals.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        remaining = original.amount - reversed_so_far
        before = snapshot(account, ["approved", "released", "paid"])
        _apply(account, ledger.Entry(ledger.CORRECTION, amount, corrects=original.kind), remaining)
        correction = _write_entry(
            actor,
            account,
            SupportPlan.objects.get(pk=account.plan_id),
            kind=EntryKind.CORRECTION,
            amount=amount,
            entry_date=corrected_on,
            reason=reason,
            reverses=original,
            method=original.method,
            payee=original.payee,
            reference=original.reference,
        )
        if original.instalment_id and amount == remaining:
            # A payment reversed in full leaves its instalment to be paid again.
            Instalment.objects.filter(pk=original.instalment_id, status=InstalmentStatus.PAID).update(
                status=InstalmentStatus.DUE, modified_at=timezone.now()
            )
        _save_account(actor, account)
        _audit_entry(
            actor,
            account,
            correction,
            before,
            f"Correction of {gbp(amount)} to the {original.get_kind_display().lower()} of "
            f"{original.entry_date:%d %B %Y} recorded: {reason}"[:300],
        )
        _remember(request, correction)
        return correction

    return _once(request, write)


# --- Approved but unfunded: the delay the field complains of, flagged to those who can end it


@transaction.atomic
def unfunded_approvals_flag(*, actor, today: date | None = None) -> int:
    """Flag every approved plan whose funds are not released after its organisation's limit; once each.

    Commissioners and finance of the organisation get one e-mail per account (notify_once keys on
    `unfunded:<account id>`), so the daily job can run twice. Returns how many e-mails were queued.
    """
    today = today or timezone.localdate()
    queued = 0
    for organisation in Organisation.objects.all():
        rows = [r for r in unfunded_rows(organisation=organisation, today=today) if r["overdue"]]
        if not rows:
            continue
        recipients = sorted(
            {
                user.email
                for role in (Role.COMMISSIONER, Role.FINANCE)
                for user in users_with_role(organisation=organisation, role=role)
                if user.email
            }
        )
        for row in rows:
            account = BudgetAccount.objects.select_for_update().get(pk=row["account"].pk)
            path = f"/o/{organisation.code}/plans/{account.plan_id}/account/"
            queued += notify_once(
                organisation=organisation,
                key=f"unfunded:{account.pk}",
                recipients=recipients,
                subject=f"Approved personal health budget waiting {row['days_waiting']} days for funds",
                body=(
                    f"The support plan approved on {row['approved_on']:%d %B %Y} "
                    f"({gbp(account.approved)}) has had no funds released after "
                    f"{row['days_waiting']} days.\nRelease the funds: {absolute_url(path)}\n"
                ),
            )
            if account.unfunded_flagged_at is None:
                account.unfunded_flagged_at = timezone.now()
                account.save(update_fields=["unfunded_flagged_at", "modified_at"])
                record_event(
                    actor=actor,
                    organisation=organisation,
                    obj=account,
                    action="account_unfunded_flagged",
                    person=account.person,
                    summary=f"Flagged: approved {row['days_waiting']} days ago and no funds released yet",
                )
    return queued
