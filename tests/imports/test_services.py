"""The import services: a checked preview writes nothing; confirm writes all of it, once, or nothing."""

import gc
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from imports import services
from imports.constants import ImportStatus
from imports.models import ImportedPlan
from imports.services import import_confirm, import_preview
from payments.models import BudgetAccount, Instalment, LedgerEntry
from phb.exceptions import Conflict, InvalidInput
from phb.models import AuditEvent, Person
from reporting import live
from reporting.dashboard import live_dashboard
from reporting.services import live_figures_compare
from support_plans.constants import PlanStatus
from support_plans.models import OrganisationSpendCategory, SupportPlan

from .conftest import as_csv, as_xlsx, row

pytestmark = pytest.mark.django_db


def preview(commissioner, org, rows, name="caseload.csv", writer=as_csv):
    return import_preview(actor=commissioner, organisation=org, file_name=name, content=writer(rows))


def test_preview_checks_every_row_and_writes_nothing(commissioner, org):
    batch = preview(
        commissioner, org, [row(1), row(1, item_description="Gym", amount="30.00"), row(2, "CH-002")]
    )
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.errors == []
    assert batch.summary == {"people": 2, "plans": 2, "items": 3}
    assert Person.objects.count() == 0
    assert SupportPlan.objects.count() == 0


def test_preview_lists_each_problem_by_row_and_column(commissioner, org):
    rows = [
        row(1),
        row(2, "CH-002", nhs_number="9434765918"),  # a wrong check digit
        row(3, "CH-003", start_date="2026-13-01", category="yachts", amount="12.345", management="cash"),
    ]
    batch = preview(commissioner, org, rows)
    assert batch.status == ImportStatus.INVALID
    found = {(problem["row"], problem["field"]) for problem in batch.errors}
    assert found == {
        (3, "nhs_number"),
        (4, "start_date"),
        (4, "category"),
        (4, "amount"),
        (4, "management"),
    }
    assert all(problem["message"] for problem in batch.errors)


def test_rows_of_one_plan_must_agree_on_the_plan(commissioner, org):
    batch = preview(commissioner, org, [row(1), row(1, management="notional", item_description="Gym")])
    assert [(p["row"], p["field"]) for p in batch.errors] == [(3, "management")]
    assert "row 2" in batch.errors[0]["message"]


def test_paid_to_date_cannot_exceed_what_the_plan_costs(commissioner, org):
    batch = preview(commissioner, org, [row(1, frequency="one_off", amount="500.00", paid_to_date="500.01")])
    assert [(p["row"], p["field"]) for p in batch.errors] == [(2, "paid_to_date")]


def test_a_file_without_the_templates_columns_is_refused(commissioner, org):
    with pytest.raises(InvalidInput) as error:
        import_preview(actor=commissioner, organisation=org, file_name="x.csv", content=b"name,amount\nA,1\n")
    assert "nhs_number" in str(error.value.details["file"])


def test_confirm_creates_people_approved_budgets_and_opening_balances(commissioner, org):
    batch = preview(
        commissioner, org, [row(1), row(1, item_description="Gym", amount="30.00", frequency="monthly")]
    )
    done = import_confirm(actor=commissioner, batch=batch)
    assert done.status == ImportStatus.DONE
    assert done.created == {"people": 1, "plans": 1, "items": 2}
    person = Person.objects.get(organisation=org)
    assert person.cohort_codes == ["chc", "s117"]
    plan = SupportPlan.objects.get(person=person)
    # An opening balance is a payment: the budget is in use.
    assert plan.status == PlanStatus.ACTIVE
    assert plan.approved_at.date().isoformat() == "2026-03-20"
    assert plan.items.count() == 2
    account = BudgetAccount.objects.get(budget=plan.budget)
    assert account.approved == plan.cost_total
    assert account.paid == Decimal("1200.00")
    assert account.released == Decimal("1200.00")
    opening = [
        (e.kind, e.amount, e.reference) for e in LedgerEntry.objects.filter(account=account).order_by("id")
    ]
    assert opening == [
        ("release", Decimal("1200.00"), "Opening balance"),
        ("payment", Decimal("1200.00"), "Opening balance"),
    ]
    actions = set(AuditEvent.objects.filter(organisation=org).values_list("action", flat=True))
    assert {"import_confirmed", "plan_imported_approved", "ledger_opening_balance"} <= actions


def test_an_imported_budget_schedules_its_instalments_from_the_import_date(commissioner, org):
    """What fell due before the import was paid outside this system (paid to date): the broker's
    work list shows no instalment as overdue from before the import, only those due from today."""
    today = timezone.localdate()
    start, end = today - timedelta(days=100), today + timedelta(days=200)
    dates = {"start_date": start.isoformat(), "end_date": end.isoformat(), "approved_on": start.isoformat()}
    sheet = [
        row(1, **dates),
        row(1, item_description="Laptop", amount="600.00", frequency="one_off", **dates),
    ]
    import_confirm(actor=commissioner, batch=preview(commissioner, org, sheet))
    account = BudgetAccount.objects.get()
    due = list(Instalment.objects.filter(account=account).order_by("due_on").values_list("due_on", "amount"))
    weekly = [start + timedelta(weeks=n) for n in range(0, 44) if today <= start + timedelta(weeks=n) <= end]
    assert due == [(day, Decimal("150.00")) for day in weekly]  # the one-off fell due at the start
    assert account.approved == SupportPlan.objects.get().cost_total  # the budget itself is the whole plan


def test_a_budget_paid_under_before_the_import_is_written_in_use_and_audited_as_made_active(
    commissioner, org
):
    """Written active at once (not approved, then updated): its trail still goes draft -> approved ->
    active, and its history holds the one row it was written as."""
    import_confirm(
        actor=commissioner, batch=preview(commissioner, org, [row(1), row(2, "CH-002", paid_to_date="0")])
    )
    in_use = SupportPlan.objects.get(status=PlanStatus.ACTIVE)
    waiting = SupportPlan.objects.get(status=PlanStatus.APPROVED)
    assert in_use.activated_at is not None and waiting.activated_at is None

    def trail(plan):
        events = AuditEvent.objects.filter(object_type="support_plans.supportplan", object_id=str(plan.pk))
        return {e.action: e for e in events}

    audit = trail(in_use)
    assert set(audit) == {"plan_created", "plan_imported_approved", "plan_activated", "reviews_scheduled"}
    assert audit["plan_imported_approved"].after["status"] == PlanStatus.APPROVED
    assert audit["plan_imported_approved"].after["activated_at"] is None
    activated = audit["plan_activated"]
    assert (activated.before["status"], activated.after["status"]) == (PlanStatus.APPROVED, PlanStatus.ACTIVE)
    assert activated.after["activated_at"] == in_use.activated_at.isoformat()
    assert {k for k in activated.after if activated.after[k] != activated.before[k]} == {
        "status",
        "activated_at",
    }
    assert list(in_use.history.values_list("history_type", "status")) == [("+", PlanStatus.ACTIVE)]
    assert set(trail(waiting)) == {"plan_created", "plan_imported_approved"}


def test_nothing_paid_to_date_leaves_the_budget_approved_with_an_empty_ledger(commissioner, org):
    done = import_confirm(actor=commissioner, batch=preview(commissioner, org, [row(1, paid_to_date="0")]))
    plan = SupportPlan.objects.get()
    assert plan.status == PlanStatus.APPROVED
    assert LedgerEntry.objects.count() == 0
    assert done.created["plans"] == 1


def test_the_same_rows_again_create_nothing(commissioner, org):
    rows = [row(1), row(2, "CH-002")]
    import_confirm(actor=commissioner, batch=preview(commissioner, org, rows))
    again = import_confirm(
        actor=commissioner, batch=preview(commissioner, org, rows, writer=as_xlsx, name="b.xlsx")
    )
    assert again.created == {"people": 0, "plans": 0, "items": 0}
    assert again.unchanged == 2
    assert SupportPlan.objects.count() == 2
    assert ImportedPlan.objects.count() == 2


def test_a_new_plan_for_a_person_already_here_uses_their_record(commissioner, org):
    import_confirm(actor=commissioner, batch=preview(commissioner, org, [row(1)]))
    done = import_confirm(actor=commissioner, batch=preview(commissioner, org, [row(1, "CH-009")]))
    assert done.created == {"people": 0, "plans": 1, "items": 1}
    assert Person.objects.count() == 1


def test_an_invalid_sheet_cannot_be_confirmed(commissioner, org):
    batch = preview(commissioner, org, [row(1), row(2, "CH-002", amount="-5")])
    with pytest.raises(Conflict):
        import_confirm(actor=commissioner, batch=batch)
    assert Person.objects.count() == 0


def test_a_sheet_is_imported_once(commissioner, org):
    batch = preview(commissioner, org, [row(1)])
    import_confirm(actor=commissioner, batch=batch)
    with pytest.raises(Conflict):
        import_confirm(actor=commissioner, batch=batch)


def test_a_failure_in_a_later_plan_writes_nothing_of_the_earlier_ones(commissioner, org, monkeypatch):
    batch = preview(commissioner, org, [row(1), row(2, "CH-002")])
    from imports import services

    # One plan a batch, so the first batch is fully written (people, plans, accounts, ledger) when
    # the second batch's opening balance is refused.
    monkeypatch.setattr(services, "BATCH_PLANS", 1)
    calls = []
    real = services.account_opening_balances_bulk

    def fail_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            assert LedgerEntry.objects.count() == 2  # the first batch's opening balance is written
            raise Conflict("The ledger refused it.")
        return real(**kwargs)

    monkeypatch.setattr(services, "account_opening_balances_bulk", fail_second)
    with pytest.raises(Conflict):
        import_confirm(actor=commissioner, batch=batch)
    assert len(calls) == 2
    assert Person.objects.count() == 0
    assert SupportPlan.objects.count() == 0
    assert LedgerEntry.objects.count() == 0
    assert ImportedPlan.objects.count() == 0


def test_an_import_into_an_organisation_with_live_figures_keeps_them_equal_to_the_recount(commissioner, org):
    """The bulk path writes no row through record_event: its batch's people are counted once it is
    written (phb/audit.py data_changed), so today's dashboard includes the imported budgets."""
    live.rebuild(org)
    rows = [row(1), row(1, item_description="Gym", amount="30.00", frequency="monthly"), row(2, "CH-002")]
    import_confirm(actor=commissioner, batch=preview(commissioner, org, rows))
    assert live_figures_compare(org) == []
    assert live_dashboard(org, timezone.localdate())["in_place"] == 2


def test_the_cycle_collector_is_paused_while_confirming_and_back_on_after_even_on_failure(
    commissioner, org, monkeypatch
):
    """The confirm pauses Python's cycle collector for speed (phb/bulk_insert.py); a worker left with
    it off would keep every cycle it ever made, so it must come back on however the confirm ends."""
    seen = []
    real = services._write_batch

    def write(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_write_batch", write)
    batch = preview(commissioner, org, [row(1)])
    assert gc.isenabled()
    import_confirm(actor=commissioner, batch=batch)
    assert seen == [False]
    assert gc.isenabled()

    def fail(*args, **kwargs):
        raise InvalidInput(items=["A problem found while writing."])

    monkeypatch.setattr(services, "_write_batch", fail)
    with pytest.raises(InvalidInput):
        import_confirm(actor=commissioner, batch=preview(commissioner, org, [row(2, "CH-002")]))
    assert gc.isenabled()
    assert not ImportedPlan.objects.filter(plan_reference="CH-002").exists()


def test_the_confirm_writes_the_rows_as_the_preview_checked_them_without_checking_again(
    commissioner, org, monkeypatch, django_capture_on_commit_callbacks
):
    """The preview's checked rows are kept for the confirm (a cache entry, after its commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = preview(
            commissioner,
            org,
            [row(1), row(2, "CH-002", amount="12.34", frequency="one_off", paid_to_date="0.00")],
        )

    def checked_again(*args, **kwargs):
        raise AssertionError("the rows were checked again")

    monkeypatch.setattr(services, "check_rows", checked_again)
    with django_capture_on_commit_callbacks(execute=True):
        done = import_confirm(actor=commissioner, batch=batch)
    assert done.created == {"people": 2, "plans": 2, "items": 2}
    assert SupportPlan.objects.get(person__given_name="Given2").cost_total == Decimal("12.34")
    assert cache.get(services.checked_key(batch.pk)) is None  # nothing left behind once written


def test_a_spend_category_gone_since_the_preview_is_found_on_confirming(
    commissioner, org, django_capture_on_commit_callbacks
):
    own = OrganisationSpendCategory.objects.create(organisation=org, code="horse_riding", label="Riding")
    with django_capture_on_commit_callbacks(execute=True):
        batch = preview(commissioner, org, [row(1, category="horse_riding")])
    assert batch.status == ImportStatus.PREVIEWED
    own.delete()
    with pytest.raises(Conflict):
        import_confirm(actor=commissioner, batch=batch)
    assert Person.objects.count() == 0


def test_a_sheet_previewed_on_an_earlier_day_is_checked_again(
    commissioner, org, monkeypatch, django_capture_on_commit_callbacks
):
    """A row's dates are judged against today: a day later they are checked against the new day."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = preview(commissioner, org, [row(1)])
    checked, real_check, tomorrow = [], services.check_rows, timezone.localdate() + timedelta(days=1)

    def check_rows(*args, **kwargs):
        checked.append(args)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(services, "check_rows", check_rows)
    monkeypatch.setattr(services.timezone, "localdate", lambda *args: tomorrow)
    import_confirm(actor=commissioner, batch=batch)
    assert len(checked) == 1
    assert ImportedPlan.objects.count() == 1


def test_the_confirm_costs_the_same_queries_for_four_plans_as_for_one(commissioner, org):
    """Each kind of row is written and read in bulk: a query a plan (a field read lazily, a lookup in
    a loop) would make a 50,000-row sheet take hours."""

    def queries_to_confirm(rows) -> int:
        batch = preview(commissioner, org, rows)
        with CaptureQueriesContext(connection) as queries:
            import_confirm(actor=commissioner, batch=batch)
        return len(queries)

    queries_to_confirm([row(9, "CH-009")])  # once, the column types of each table COPY writes
    one = queries_to_confirm([row(1)])
    four = queries_to_confirm([row(n, f"CH-{n:03d}") for n in range(2, 6)])
    assert four == one
