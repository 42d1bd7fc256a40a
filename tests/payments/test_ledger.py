"""The ledger rules (payments/ledger.py): balance arithmetic, what may be paid, the instalment schedule."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments import ledger
from support_plans import costs

D = Decimal
money = st.decimals(min_value=D("0.01"), max_value=D("5000.00"), places=2)
operation = st.tuples(
    st.sampled_from([ledger.RELEASE, ledger.PAYMENT, ledger.REFUND, ledger.CLAWBACK]), money
)


@given(approved=money, operations=st.lists(operation, max_size=40))
def test_balance_is_approved_less_payments_plus_refunds_and_never_negative(approved, operations):
    position = ledger.Position(approved=approved)
    accepted = []
    for kind, amount in operations:
        try:
            position = ledger.apply(position, ledger.Entry(kind, amount))
        except ledger.LedgerError:
            continue
        accepted.append(ledger.Entry(kind, amount))
        assert position.paid <= approved, "payments never exceed the approved amount"
        assert position.balance >= 0
        assert position.released <= approved
    payments = sum((e.amount for e in accepted if e.kind == ledger.PAYMENT), D(0))
    refunds = sum((e.amount for e in accepted if e.kind == ledger.REFUND), D(0))
    assert position.balance == approved - payments + refunds
    assert position == ledger.position_from(approved, accepted)


@given(
    approved=money,
    operations=st.lists(
        st.tuples(st.sampled_from(ledger.KINDS), money, st.integers(min_value=0, max_value=40)), max_size=40
    ),
)
def test_corrections_count_against_the_kind_they_reverse_and_keep_the_balance_sound(approved, operations):
    position = ledger.Position(approved=approved)
    accepted: list[ledger.Entry] = []
    remaining: list[D] = []  # what is left of each accepted entry to correct
    for kind, amount, target in operations:
        corrects = None
        left = None
        if kind == ledger.CORRECTION:
            if not accepted:
                continue
            index = target % len(accepted)
            corrects, left = accepted[index].kind, remaining[index]
        entry = ledger.Entry(kind, amount, corrects)
        try:
            position = ledger.apply(position, entry, left)
        except ledger.LedgerError:
            continue
        if kind == ledger.CORRECTION:
            remaining[index] -= amount
            assert remaining[index] >= 0
        accepted.append(entry)
        remaining.append(amount if kind != ledger.CORRECTION else D(0))
        assert 0 <= position.paid <= approved
        assert 0 <= position.released <= approved
    assert position == ledger.position_from(approved, accepted)


def test_a_payment_that_would_exceed_the_approved_amount_is_refused_with_what_is_left():
    with pytest.raises(ledger.WouldOverspend, match=r"£30\.00 left"):
        ledger.check_payment(D("200.00"), D("170.00"), D("30.01"))
    ledger.check_payment(D("200.00"), D("170.00"), D("30.00"))


def test_a_refund_cannot_exceed_what_was_paid():
    with pytest.raises(ledger.ReversalTooLarge):
        ledger.apply(ledger.Position(D("100"), D("100"), D("40")), ledger.Entry(ledger.REFUND, D("40.01")))


def test_a_clawback_cannot_exceed_what_was_released():
    with pytest.raises(ledger.ReversalTooLarge):
        ledger.apply(ledger.Position(D("100"), D("50"), D("0")), ledger.Entry(ledger.CLAWBACK, D("50.01")))


def test_a_correction_reverses_at_most_what_is_left_of_its_entry():
    position = ledger.Position(D("100"), D("100"), D("60"))
    with pytest.raises(ledger.ReversalTooLarge):
        ledger.apply(position, ledger.Entry(ledger.CORRECTION, D("20.01"), ledger.PAYMENT), D("20.00"))
    after = ledger.apply(position, ledger.Entry(ledger.CORRECTION, D("20.00"), ledger.PAYMENT), D("20.00"))
    assert after.paid == D("40") and after.balance == D("60")


def test_correcting_a_refund_counts_as_paying_again_and_cannot_overspend():
    position = ledger.Position(D("100"), D("100"), D("100"))
    with pytest.raises(ledger.WouldOverspend):
        ledger.apply(position, ledger.Entry(ledger.CORRECTION, D("10"), ledger.REFUND), D("10"))


def test_an_account_is_never_resized_below_what_has_been_paid():
    with pytest.raises(ledger.ResizeBelowPaid):
        ledger.check_resize(D("99.99"), D("100.00"))
    ledger.check_resize(D("100.00"), D("100.00"))


# --- The instalment schedule


def test_weekly_item_falls_due_every_seven_days_inside_the_plan_period():
    due = ledger.instalments([ledger.Item(1, D("25.00"), "weekly")], date(2026, 1, 5), date(2026, 1, 19))
    assert [d.due_on for d in due] == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert all(d.amount == D("25.00") for d in due)


def test_monthly_item_falls_due_on_the_same_day_clamped_to_the_month_end():
    due = ledger.instalments([ledger.Item(1, D("50.00"), "monthly")], date(2026, 1, 31), date(2026, 4, 30))
    assert [d.due_on for d in due] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_an_items_own_dates_narrow_the_plan_period():
    item = ledger.Item(1, D("10.00"), "fortnightly", start_date=date(2026, 2, 1), end_date=date(2026, 3, 1))
    due = ledger.instalments([item], date(2026, 1, 1), date(2026, 12, 31))
    assert [d.due_on for d in due] == [date(2026, 2, 1), date(2026, 2, 15), date(2026, 3, 1)]


def test_a_one_off_item_falls_due_once_at_the_start():
    due = ledger.instalments([ledger.Item(7, D("300.00"), "one_off")], date(2026, 1, 5), date(2026, 6, 30))
    assert due == [ledger.Due(key=7, due_on=date(2026, 1, 5), amount=D("300.00"))]


frequencies = st.sampled_from(list(costs.FREQUENCIES))
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@given(
    start=days,
    length=st.integers(min_value=0, max_value=800),
    items=st.lists(
        st.tuples(money, frequencies, st.integers(0, 400), st.integers(0, 400), st.booleans()),
        min_size=1,
        max_size=6,
    ),
)
def test_the_instalments_of_a_plan_add_up_to_its_total_cost(start, length, items):
    end = start + timedelta(days=length)
    lines = [
        ledger.Item(
            key=n,
            amount=amount,
            frequency=frequency,
            start_date=start + timedelta(days=offset) if narrowed else None,
            end_date=start + timedelta(days=offset + span) if narrowed else None,
        )
        for n, (amount, frequency, offset, span, narrowed) in enumerate(items)
    ]
    due = ledger.instalments(lines, start, end)
    assert sum((d.amount for d in due), D("0.00")) == costs.plan_costs(start, end, lines).total
    recurring = [d for d in due if lines[d.key].frequency != costs.ONE_OFF]
    assert all(start <= d.due_on <= end for d in recurring)
    assert [d.due_on for d in due] == sorted(d.due_on for d in due)
