"""Funds agreed in advance: setting one up, top-ups and reductions, and the release at approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from payments import fund_services, funds, selectors
from payments.constants import FundEntryKind
from payments.models import BudgetAccount, Fund, FundEntry, LedgerEntry
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, NotPermitted
from phb.models import AuditEvent, SentNotification
from tests.factories import (
    SupplierFactory,
    TeamFactory,
    approve,
    fund_for,
    member,
    plan_at_last_signoff,
    this_year,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def commissioner(org):
    return member(org, Role.COMMISSIONER, username="commissioner")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


# --- Setting up and changing a fund


def test_commissioner_sets_up_a_fund_held_by_a_brokerage_partner_with_its_allocation_entry(org, commissioner):
    partner = SupplierFactory(organisation=org, name="The Advocacy Project")
    fund = fund_services.fund_create(
        actor=commissioner,
        organisation=org,
        name="Recovery budgets",
        financial_year="2026-27",
        amount=D("25000.00"),
        held_by=partner,
        cohorts=["mental_health"],
    )
    assert fund.held_by == partner and fund.amount == D("25000.00") and fund.committed == 0
    assert [c.cohort for c in fund.cohorts.all()] == ["mental_health"]
    entry = fund.entries.get()
    assert (entry.version, entry.kind, entry.amount) == (1, FundEntryKind.ALLOCATION, D("25000.00"))
    assert AuditEvent.objects.filter(action="fund_created", object_id=str(fund.pk)).exists()


def test_only_commissioners_and_finance_set_up_funds(org):
    broker = member(org, Role.BROKER, username="broker")
    with pytest.raises(NotPermitted):
        fund_services.fund_create(
            actor=broker, organisation=org, name="F", financial_year="2026-27", amount=D("10.00")
        )


def test_a_fund_with_a_bad_year_no_name_and_no_amount_names_every_field_and_stores_nothing(org, finance):
    with pytest.raises(InvalidInput) as error:
        fund_services.fund_create(
            actor=finance, organisation=org, name=" ", financial_year="2026-28", amount=D("0")
        )
    assert set(error.value.details) == {"name", "financial_year", "amount"}
    assert "2026-27" in error.value.details["financial_year"][0]
    assert not Fund.objects.exists() and not FundEntry.objects.exists()


def test_a_fund_cannot_be_held_by_another_organisations_supplier(org, other_org, finance):
    foreign = SupplierFactory(organisation=other_org)
    with pytest.raises(InvalidInput) as error:
        fund_services.fund_create(
            actor=finance,
            organisation=org,
            name="F",
            financial_year="2026-27",
            amount=D("1.00"),
            held_by=foreign,
        )
    assert "held_by" in error.value.details


def test_top_up_and_reduction_are_new_versioned_entries_with_their_reasons(org, finance):
    fund = fund_for(org, amount="1000.00")
    fund_services.fund_adjust(
        actor=finance, fund=fund, kind="top_up", amount=D("500.00"), reason="Winter money"
    )
    fund_services.fund_adjust(
        actor=finance, fund=fund, kind="reduction", amount=D("200.00"), reason="Moved to CHC"
    )
    fund.refresh_from_db()
    assert fund.amount == D("1300.00")
    assert [(e.version, e.kind, e.amount, e.reason) for e in fund.entries.all()] == [
        (1, "allocation", D("1000.00"), "Allocated for the year"),
        (2, "top_up", D("500.00"), "Winter money"),
        (3, "reduction", D("200.00"), "Moved to CHC"),
    ]
    assert AuditEvent.objects.filter(action__in=["fund_top_up", "fund_reduction"]).count() == 2


def test_a_change_without_a_reason_is_refused(org, finance):
    fund = fund_for(org)
    with pytest.raises(InvalidInput) as error:
        fund_services.fund_adjust(actor=finance, fund=fund, kind="top_up", amount=D("5.00"), reason="  ")
    assert "reason" in error.value.details
    assert fund.entries.count() == 1


def test_a_reduction_cannot_take_the_fund_below_what_plans_have_committed(org, finance):
    fund = fund_for(org, amount="1000.00")
    approve(plan_at_last_signoff(org, total="800.00"))
    with pytest.raises(Conflict, match=r"£200\.00 can be taken out"):
        fund_services.fund_adjust(
            actor=finance, fund=fund, kind="reduction", amount=D("201.00"), reason="Cut"
        )
    fund.refresh_from_db()
    assert fund.amount == D("1000.00")


def test_a_closed_fund_takes_no_changes_and_no_approvals(org, finance):
    fund = fund_for(org)
    fund_services.fund_close(actor=finance, fund=fund)
    with pytest.raises(Conflict, match="closed"):
        fund_services.fund_adjust(actor=finance, fund=fund, kind="top_up", amount=D("5.00"), reason="More")
    plan = approve(plan_at_last_signoff(org, total="100.00"))
    assert plan.status == "approved"
    assert BudgetAccount.objects.get(budget=plan.budget).released == 0


# --- At approval


def test_approval_with_room_releases_the_plan_from_the_fund_at_once_and_makes_it_active(org):
    fund = fund_for(org, amount="1000.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    account = BudgetAccount.objects.get(budget=plan.budget)
    release = LedgerEntry.objects.get(account=account, kind="release")
    assert release.fund == fund and release.amount == D("300.00")
    assert release.entry_date == timezone.localdate()
    assert account.released == D("300.00") and account.first_released_at is not None
    assert account.first_released_at - plan.approved_at < timedelta(seconds=1)  # 0 days
    assert plan.status == "active"
    fund.refresh_from_db()
    assert fund.committed == D("300.00") and fund.remaining == D("700.00")
    commitment = fund.entries.get(kind="commitment")
    assert commitment.account == account and commitment.plan == plan
    assert selectors.funded_from_fund(account.pk)
    assert AuditEvent.objects.filter(action="fund_commitment").exists()
    assert AuditEvent.objects.filter(action="ledger_release", object_id=str(release.pk)).exists()


def test_only_the_plans_cost_in_the_funds_year_is_committed_and_released(org):
    fund = fund_for(org, amount="10000.00")
    _year_start, year_end = funds.year_bounds(this_year())
    start = year_end - timedelta(days=27)  # four weekly payments before 31 March, the rest after
    plan = approve(
        plan_at_last_signoff(
            org,
            total="520.00",
            start=start,
            end=start + timedelta(days=69),
            items=[{"description": "Support worker", "amount": "52.00", "frequency": "weekly"}],
        )
    )
    account = BudgetAccount.objects.get(budget=plan.budget)
    assert account.approved == D("520.00")
    assert account.released == D("208.00")  # 4 x £52 fall in this financial year
    fund.refresh_from_db()
    assert fund.committed == D("208.00")


def test_without_room_nothing_is_released_the_account_says_why_and_finance_and_commissioner_are_told(
    org, commissioner, finance, django_capture_on_commit_callbacks
):
    fund = fund_for(org, amount="250.00", name="Recovery budgets")
    with django_capture_on_commit_callbacks(execute=True):
        plan = approve(plan_at_last_signoff(org, total="300.00"))
    account = BudgetAccount.objects.get(budget=plan.budget)
    assert plan.status == "approved" and account.released == 0
    assert not LedgerEntry.objects.filter(account=account).exists()
    assert (
        account.no_fund_reason
        == f"no fund with room: £300.00 needed for {this_year()}, £250.00 left in Recovery budgets"
    )
    fund.refresh_from_db()
    assert fund.committed == 0
    told = set(SentNotification.objects.filter(key=f"no-fund:{plan.pk}").values_list("recipient", flat=True))
    assert told == {commissioner.email, finance.email}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(told)


def test_the_last_room_goes_to_the_first_approval_and_the_next_waits(org):
    fund = fund_for(org, amount="500.00")
    first = approve(plan_at_last_signoff(org, total="300.00"))
    second = approve(plan_at_last_signoff(org, total="300.00"))
    assert first.status == "active" and second.status == "approved"
    fund.refresh_from_db()
    assert fund.committed == D("300.00")


def test_a_fund_for_a_cohort_serves_only_plans_of_people_in_it(org):
    from phb.models import PersonCohort
    from tests.factories import PersonFactory

    fund = fund_for(org, cohorts=["s117"])
    outside = approve(plan_at_last_signoff(org, total="100.00"))
    person = PersonFactory(organisation=org)
    PersonCohort.objects.create(organisation=org, person=person, cohort="s117")
    inside = approve(plan_at_last_signoff(org, total="100.00", person=person))
    assert outside.status == "approved" and inside.status == "active"
    assert (
        "serves this plan's cohort or team" in BudgetAccount.objects.get(budget=outside.budget).no_fund_reason
    )
    fund.refresh_from_db()
    assert fund.committed == D("100.00")


def test_a_fund_kept_for_a_team_is_used_before_a_general_fund(org):
    team = TeamFactory(organisation=org, name="Recovery")
    coordinator = member(org, Role.CARE_COORDINATOR, username="cc", team=team)
    general = fund_for(org, name="General")
    for_team = fund_for(org, name="Recovery team", teams=[team])
    plan = plan_at_last_signoff(org, total="100.00")
    plan.care_coordinator = coordinator
    plan.save()
    approve(plan)
    general.refresh_from_db()
    for_team.refresh_from_db()
    assert (general.committed, for_team.committed) == (0, D("100.00"))


def test_a_fund_of_another_year_or_organisation_is_not_drawn(org, other_org):
    first = int(this_year()[:4])
    next_year = f"{first + 1}-{(first + 2) % 100:02d}"
    later = fund_for(org, year=next_year)
    foreign = fund_for(other_org)
    plan = approve(plan_at_last_signoff(org, total="100.00"))
    assert plan.status == "approved"
    assert BudgetAccount.objects.get(budget=plan.budget).no_fund_reason == f"no open fund for {this_year()}"
    later.refresh_from_db()
    foreign.refresh_from_db()
    assert later.committed == foreign.committed == 0


def test_an_organisation_without_funds_is_not_emailed_at_each_approval(
    org, finance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve(plan_at_last_signoff(org, total="100.00"))
    assert mail.outbox == []


# --- Later: a plan that waited, released from a fund once it has room


def test_after_a_top_up_finance_releases_a_waiting_plan_from_the_fund(org, finance):
    fund = fund_for(org, amount="250.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    fund_services.fund_adjust(actor=finance, fund=fund, kind="top_up", amount=D("100.00"), reason="Top-up")
    entry = fund_services.fund_release_waiting(actor=finance, plan=plan)
    account = BudgetAccount.objects.get(budget=plan.budget)
    assert entry.fund == fund and entry.amount == D("300.00")
    assert account.released == D("300.00") and account.no_fund_reason == ""
    assert LedgerEntry.objects.get(account=account, kind="release").fund == fund
    plan.refresh_from_db()
    assert plan.status == "active"


def test_releasing_a_waiting_plan_while_still_no_fund_has_room_is_409_saying_why(org, finance):
    fund_for(org, amount="250.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    with pytest.raises(Conflict, match="no fund with room"):
        fund_services.fund_release_waiting(actor=finance, plan=plan)
    assert BudgetAccount.objects.get(budget=plan.budget).released == 0


def test_only_finance_and_commissioners_release_a_waiting_plan_from_a_fund(org):
    fund_for(org, amount="100.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    with pytest.raises(NotPermitted):
        fund_services.fund_release_waiting(actor=member(org, Role.BROKER, username="broker"), plan=plan)
