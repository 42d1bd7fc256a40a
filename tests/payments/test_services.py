"""Budget account services: opening and re-sizing, releases, payments, reversals, closure, the unfunded job."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from payments import services
from payments.constants import InstalmentStatus
from payments.models import BudgetAccount, IdempotencyRecord, Instalment, LedgerEntry
from payments.tasks import flag_unfunded_approvals
from phb.constants import Role
from phb.exceptions import Conflict, IdempotencyConflict, InvalidInput, NotPermitted, Overspend
from phb.models import AuditEvent, SentNotification
from tests.factories import approved_plan, funded_account, member, open_account, revised_plan

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


def pay(plan, actor, amount="50.00", key="key-1", **overrides):
    values = {
        "actor": actor,
        "plan": plan,
        "amount": D(amount),
        "paid_on": timezone.localdate(),
        "method": "paid_to_provider",
        "payee": "Swim England",
        "reference": "INV-1",
        "idempotency_key": key,
    }
    values.update(overrides)
    return services.payment_record(**values)


# --- Opening and re-sizing


def test_approved_plan_opens_its_account_sized_by_the_plan_and_schedules_instalments(org):
    plan = approved_plan(
        org,
        total="100.00",
        start=date(2026, 1, 5),
        end=date(2026, 2, 1),
        items=[{"description": "Gym", "amount": "25.00", "frequency": "weekly"}],
    )
    account = open_account(plan)
    assert account.approved == D("100.00") and account.plan == plan and account.budget == plan.budget
    assert list(account.instalments.values_list("due_on", flat=True)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
    ]
    assert AuditEvent.objects.filter(action="account_opened", person=plan.person).exists()


def test_opening_twice_for_the_same_version_changes_nothing(org):
    plan = approved_plan(org)
    first = open_account(plan)
    assert open_account(plan).pk == first.pk
    assert BudgetAccount.objects.count() == 1 and Instalment.objects.count() == 1


def test_a_revised_plan_resizes_the_account_and_replaces_unpaid_instalments(org, finance):
    start = timezone.localdate() - timedelta(days=3)
    plan, account = funded_account(
        org,
        total="100.00",
        finance=finance,
        start=start,
        end=start + timedelta(days=90),
        items=[{"description": "Gym", "amount": "100.00", "frequency": "one_off"}],
    )
    revision = revised_plan(
        plan,
        total="500.00",
        items=[{"description": "Monthly gym", "amount": "100.00", "frequency": "monthly"}],
    )
    account = services.account_open_or_resize(actor=finance, plan=revision)
    assert account.approved == D("500.00") and account.plan == revision
    assert set(Instalment.objects.filter(plan=plan).values_list("status", flat=True)) == {"cancelled"}
    new = Instalment.objects.filter(plan=revision, status=InstalmentStatus.DUE)
    assert new.exists() and all(i.due_on >= timezone.localdate() for i in new)


def test_a_revision_below_what_is_already_paid_is_refused(org, finance, broker):
    plan, _ = funded_account(org, total="300.00", finance=finance)
    pay(plan, broker, "250.00")
    with pytest.raises(Conflict, match="already paid"):
        services.account_open_or_resize(actor=finance, plan=revised_plan(plan, total="200.00"))
    assert BudgetAccount.objects.get().approved == D("300.00")


# --- Release of funds


def test_first_release_makes_the_plan_active_and_records_when(org, finance):
    plan = approved_plan(org, total="400.00", approved_days_ago=5)
    open_account(plan)
    entry = services.release_record(
        actor=finance, plan=plan, amount=D("400.00"), released_on=timezone.localdate()
    )
    account = BudgetAccount.objects.get()
    plan.refresh_from_db()
    assert entry.kind == "release" and account.released == D("400.00")
    assert account.first_released_at is not None
    assert plan.status == "active" and plan.activated_at is not None


def test_release_beyond_the_approved_amount_is_refused(org, finance):
    plan = approved_plan(org, total="100.00")
    open_account(plan)
    services.release_record(actor=finance, plan=plan, amount=D("60.00"), released_on=timezone.localdate())
    with pytest.raises(Conflict, match="more than was approved"):
        services.release_record(actor=finance, plan=plan, amount=D("40.01"), released_on=timezone.localdate())


def test_broker_cannot_release_funds(org, broker):
    plan = approved_plan(org)
    open_account(plan)
    with pytest.raises(NotPermitted):
        services.release_record(actor=broker, plan=plan, amount=D("10.00"), released_on=timezone.localdate())


# --- Payments


def test_payment_is_recorded_with_an_audit_line_and_moves_paid_and_balance(org, finance, broker):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    entry = pay(plan, broker, "120.00")
    account = BudgetAccount.objects.get()
    assert (entry.kind, entry.amount, entry.payee) == ("payment", D("120.00"), "Swim England")
    assert account.paid == D("120.00") and account.approved - account.paid == D("80.00")
    assert account.first_paid_at is not None
    assert AuditEvent.objects.filter(summary="Payment of £120.00 to Swim England recorded").exists()


def test_first_payment_from_a_fund_makes_an_approved_plan_active_even_before_a_release(
    org, broker, monkeypatch
):
    # Only a budget paid from a fund agreed in advance may pay before anything is released.
    monkeypatch.setattr(services, "paid_from_fund", lambda account: True)
    plan = approved_plan(org)
    open_account(plan)
    pay(plan, broker, "10.00")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_payment_beyond_the_approved_amount_is_an_overspend_and_writes_nothing(org, finance, broker):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    pay(plan, broker, "150.00", key="a")
    with pytest.raises(Overspend, match=r"£50\.00 left"):
        pay(plan, broker, "50.01", key="b")
    assert BudgetAccount.objects.get().paid == D("150.00")
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert not IdempotencyRecord.objects.filter(key="b").exists()


def test_care_coordinator_cannot_record_a_payment(org, coordinator):
    plan = approved_plan(org)
    open_account(plan)
    with pytest.raises(NotPermitted):
        pay(plan, coordinator)


def test_payment_on_a_plan_without_an_account_names_its_status(org, broker):
    plan = approved_plan(org, status="draft")
    with pytest.raises(Conflict, match="draft"):
        pay(plan, broker)


def test_payment_against_an_instalment_marks_it_paid(org, finance, broker):
    plan, account = funded_account(org, total="200.00", finance=finance)
    instalment = account.instalments.get()
    pay(plan, broker, "200.00", instalment=instalment)
    instalment.refresh_from_db()
    assert instalment.status == "paid"
    with pytest.raises(Conflict, match="paid, not due"):
        pay(plan, broker, "1.00", key="again", instalment=instalment)


def test_payment_in_the_future_is_invalid(org, finance, broker):
    plan, _ = funded_account(org, finance=finance)
    with pytest.raises(InvalidInput) as error:
        pay(plan, broker, paid_on=timezone.localdate() + timedelta(days=1))
    assert "paid_on" in error.value.details


# --- Idempotency


def test_same_key_and_body_records_once_and_returns_the_first_entry(org, finance, broker):
    plan, _ = funded_account(org, finance=finance)
    first = pay(plan, broker, "20.00", key="double-click")
    second = pay(plan, broker, "20.00", key="double-click")
    assert first.pk == second.pk and second.replayed
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert BudgetAccount.objects.get().paid == D("20.00")


def test_same_key_with_another_body_is_a_conflict(org, finance, broker):
    plan, _ = funded_account(org, finance=finance)
    pay(plan, broker, "20.00", key="k")
    with pytest.raises(IdempotencyConflict):
        pay(plan, broker, "21.00", key="k")
    assert BudgetAccount.objects.get().paid == D("20.00")


# --- Reversals


def test_refund_reduces_paid_and_restores_the_balance(org, finance, broker):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    pay(plan, broker, "100.00")
    services.refund_record(
        actor=finance,
        plan=plan,
        amount=D("30.00"),
        refunded_on=timezone.localdate(),
        reason="Class cancelled",
    )
    account = BudgetAccount.objects.get()
    assert account.paid == D("70.00") and account.approved - account.paid == D("130.00")
    with pytest.raises(Conflict, match="more than has been paid"):
        services.refund_record(
            actor=finance, plan=plan, amount=D("70.01"), refunded_on=timezone.localdate(), reason="x"
        )


def test_clawback_reduces_released(org, finance):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    services.clawback_record(
        actor=finance, plan=plan, amount=D("50.00"), clawed_back_on=timezone.localdate(), reason="Unspent"
    )
    assert BudgetAccount.objects.get().released == D("150.00")


def test_reversal_needs_a_reason(org, finance, broker):
    plan, _ = funded_account(org, finance=finance)
    pay(plan, broker, "10.00")
    with pytest.raises(InvalidInput) as error:
        services.refund_record(
            actor=finance, plan=plan, amount=D("5.00"), refunded_on=timezone.localdate(), reason=" "
        )
    assert "reason" in error.value.details


def test_correction_reverses_a_payment_without_touching_it_and_frees_its_instalment(org, finance, broker):
    plan, account = funded_account(org, total="200.00", finance=finance)
    payment = pay(plan, broker, "200.00", instalment=account.instalments.get())
    correction = services.correction_record(
        actor=finance, entry=payment, amount=D("200.00"), reason="Wrong person"
    )
    payment.refresh_from_db()
    account.refresh_from_db()
    assert correction.reverses == payment and payment.amount == D("200.00")
    assert account.paid == D("0.00")
    assert account.instalments.get().status == "due"
    with pytest.raises(Conflict, match="more than is left"):
        services.correction_record(actor=finance, entry=payment, amount=D("0.01"), reason="Again")


# --- Closure


def test_closing_cancels_due_instalments_and_stops_payments(org, finance, broker):
    plan, account = funded_account(
        org, total="100.00", finance=finance, items=[{"amount": "25.00", "frequency": "weekly"}]
    )
    services.account_close(actor=finance, budget=plan.budget, closed_on=timezone.localdate())
    assert not account.instalments.filter(status="due").exists()
    with pytest.raises(Conflict, match="closed"):
        pay(plan, broker, "1.00")


# --- Approved but unfunded


def test_unfunded_job_flags_commissioners_and_finance_once(org, finance, django_capture_on_commit_callbacks):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    org.unfunded_after_days = 14
    org.save()
    waiting = approved_plan(org, approved_days_ago=20)
    open_account(waiting)
    recent = approved_plan(org, approved_days_ago=3)
    open_account(recent)
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_unfunded_approvals() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_unfunded_approvals() == 0
    sent = SentNotification.objects.filter(key=f"unfunded:{waiting.budget.account.pk}")
    assert {n.recipient for n in sent} == {finance.email, commissioner.email}
    assert not SentNotification.objects.filter(key=f"unfunded:{recent.budget.account.pk}").exists()
    assert BudgetAccount.objects.get(pk=waiting.budget.account.pk).unfunded_flagged_at is not None
    assert len(mail.outbox) == 2
