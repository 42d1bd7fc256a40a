"""Every write to a fund agreed in advance: setting it up, top-ups and reductions, closing it, and the
release from it at approval.

Each write locks the fund row (`select_for_update`), asks `payments/funds.py` whether the change is
allowed, writes an immutable fund entry, moves the running totals and writes the audit event, in one
transaction. At approval the lock is taken inside the approval's own transaction, so two approvals
racing for the last room in a fund never both draw from it.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from phb.audit import record_event, snapshot
from phb.constants import Cohort, Role
from phb.exceptions import Conflict, InvalidInput
from phb.models import Membership, Organisation, Team
from phb.money import PENNY, gbp
from phb.notifications import absolute_url, notify_once
from phb.selectors import users_with_role
from support_plans import costs
from support_plans.models import Supplier, SupportPlan

from . import funds
from .constants import FundEntryKind, FundStatus
from .models import BudgetAccount, Fund, FundCohort, FundEntry, FundTeam
from .services import _require_role, release_from_fund

FUND_ROLES = (Role.COMMISSIONER, Role.FINANCE)
MAX_FUND = Decimal("9999999999.99")
ADJUSTMENTS = (FundEntryKind.TOP_UP, FundEntryKind.REDUCTION)


# --- Checks of what a person typed (400 with field -> messages, nothing stored)


def _check_amount(amount, field: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(PENNY):
        raise InvalidInput(**{field: ["Enter an amount in pounds and pence greater than £0.00."]})
    if amount > MAX_FUND:
        raise InvalidInput(**{field: [f"Enter an amount of no more than {gbp(MAX_FUND)}."]})
    return amount


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            reason=["Say why the fund changes (a top-up or reduction always carries a reason)."]
        )
    return reason


def _lock(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund.pk, organisation_id=fund.organisation_id)


def _next_version(fund: Fund) -> int:
    last = fund.entries.order_by("-version").values_list("version", flat=True).first()
    return (last or 0) + 1


def _write_entry(actor, fund: Fund, **fields) -> FundEntry:
    entry = FundEntry(organisation_id=fund.organisation_id, fund=fund, version=_next_version(fund), **fields)
    entry.stamp(actor)
    entry.validate_own_fields()
    entry.save()
    return entry


def _save(actor, fund: Fund) -> None:
    fund.stamp(actor)
    fund.validate_own_fields()
    fund.save()


TOTALS = ["amount", "committed", "status"]


# --- Setting a fund up, changing it, closing it


@transaction.atomic
def fund_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    financial_year: str,
    amount: Decimal,
    held_by: Supplier | None = None,
    cohorts: Iterable[str] = (),
    teams: Iterable[Team] = (),
    actor_roles: Iterable[str] | None = None,
) -> Fund:
    """A commissioner or finance sets money aside for the year; approvals then draw on it at once."""
    _require_role(actor, organisation.pk, FUND_ROLES, "set up funds", actor_roles)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the fund."]
    if not funds.is_financial_year(financial_year):
        errors["financial_year"] = [funds.YEAR_MESSAGE]
    if held_by is not None and held_by.organisation_id != organisation.pk:
        errors["held_by"] = ["Choose a supplier of this organisation, or leave it empty."]
    cohorts = sorted(set(cohorts))
    unknown = [c for c in cohorts if c not in Cohort.values]
    if unknown:
        errors["cohorts"] = [f"Unknown cohort: {', '.join(unknown)}."]
    teams = list(teams)
    if any(team.organisation_id != organisation.pk for team in teams):
        errors["teams"] = ["Choose teams of this organisation."]
    if (
        not errors
        and Fund.objects.for_org(organisation).filter(name=name, financial_year=financial_year).exists()
    ):
        errors["name"] = [f"There is already a fund called {name} for {financial_year}."]
    try:
        _check_amount(amount)
    except InvalidInput as error:
        errors.update(error.details)
    if errors:
        raise InvalidInput(**errors)
    fund = Fund(
        organisation=organisation, name=name, financial_year=financial_year, amount=amount, held_by=held_by
    )
    _save(actor, fund)
    for cohort in cohorts:
        row = FundCohort(organisation=organisation, fund=fund, cohort=cohort)
        row.stamp(actor)
        row.save()
    for team in teams:
        row = FundTeam(organisation=organisation, fund=fund, team=team)
        row.stamp(actor)
        row.save()
    _write_entry(
        actor,
        fund,
        kind=FundEntryKind.ALLOCATION,
        amount=amount,
        entry_date=timezone.localdate(),
        reason="Allocated for the year",
    )
    record_event(
        actor=actor,
        organisation=organisation,
        obj=fund,
        action="fund_created",
        after={**snapshot(fund, TOTALS), "cohorts": cohorts, "teams": [t.pk for t in teams]},
        summary=f"Fund {fund} set up: {gbp(amount)}"
        + (f", held by {held_by}" if held_by else ", held by the organisation"),
    )
    return fund


@transaction.atomic
def fund_adjust(
    *, actor, fund: Fund, kind: str, amount: Decimal, reason: str, actor_roles: Iterable[str] | None = None
) -> FundEntry:
    """A top-up or a reduction of the fund, with its reason: a new entry, never an edit."""
    _require_role(actor, fund.organisation_id, FUND_ROLES, "change funds", actor_roles)
    if kind not in ADJUSTMENTS:
        raise InvalidInput(kind=["Choose a top-up or a reduction."])
    _check_amount(amount)
    reason = _check_reason(reason)
    locked = _lock(fund)
    if locked.status != FundStatus.OPEN:
        raise Conflict(f"The fund {locked} is closed: it can no longer be changed.", status=locked.status)
    before = snapshot(locked, TOTALS)
    if kind == FundEntryKind.REDUCTION:
        try:
            funds.check_reduction(funds.FundPosition(locked.amount, locked.committed), amount)
        except funds.FundError as error:
            raise Conflict(error.message) from error
        locked.amount -= amount
    else:
        if locked.amount + amount > MAX_FUND:
            raise InvalidInput(amount=[f"A fund holds no more than {gbp(MAX_FUND)}."])
        locked.amount += amount
    _save(actor, locked)
    entry = _write_entry(
        actor, locked, kind=kind, amount=amount, entry_date=timezone.localdate(), reason=reason
    )
    word = "topped up" if kind == FundEntryKind.TOP_UP else "reduced"
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action=f"fund_{kind}",
        before=before,
        after={**snapshot(locked, TOTALS), "entry": entry.version},
        summary=f"Fund {locked} {word} by {gbp(amount)}: {reason}"[:300],
    )
    fund.refresh_from_db()
    return entry


@transaction.atomic
def fund_close(*, actor, fund: Fund, actor_roles: Iterable[str] | None = None) -> Fund:
    """No further approvals draw on a closed fund; what it has committed stays committed."""
    _require_role(actor, fund.organisation_id, FUND_ROLES, "close funds", actor_roles)
    locked = _lock(fund)
    if locked.status == FundStatus.CLOSED:
        raise Conflict(f"The fund {locked} is already closed.", status=locked.status)
    before = snapshot(locked, TOTALS)
    locked.status = FundStatus.CLOSED
    _save(actor, locked)
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="fund_closed",
        before=before,
        after=snapshot(locked, TOTALS),
        summary=f"Fund {locked} closed with {gbp(locked.remaining)} uncommitted",
    )
    fund.refresh_from_db()
    return locked


# --- At approval: release from a fund with room, or say why not


def _plan_cohorts(plan: SupportPlan) -> set[str]:
    cohorts = set(plan.person.cohorts.values_list("cohort", flat=True))
    if plan.referral_id:
        cohorts.add(plan.referral.cohort)
    return cohorts


def _plan_team_id(plan: SupportPlan) -> int | None:
    if plan.referral_id and plan.referral.team_id:
        return plan.referral.team_id
    if plan.care_coordinator_id:
        return (
            Membership.objects.filter(organisation_id=plan.organisation_id, user_id=plan.care_coordinator_id)
            .values_list("team_id", flat=True)
            .first()
        )
    return None


def _serves(fund: Fund, cohorts: set[str], team_id: int | None) -> bool:
    fund_cohorts = {row.cohort for row in fund.cohorts.all()}
    fund_teams = {row.team_id for row in fund.teams.all()}
    return (not fund_cohorts or bool(fund_cohorts & cohorts)) and (not fund_teams or team_id in fund_teams)


def _specific_first(fund: Fund) -> tuple:
    """A fund kept for a team or cohort is used before a general one; then the oldest first."""
    return (not fund.teams.all(), not fund.cohorts.all(), fund.pk)


def plan_amount_in_year(plan: SupportPlan, year: str) -> Decimal:
    """The plan's approved cost falling in the financial year (support_plans/costs.py)."""
    start, end = funds.year_bounds(year)
    return costs.cost_between(plan.start_date, plan.end_date, plan.items.all(), start, end)


def _no_fund(actor, plan: SupportPlan, account: BudgetAccount, reason: str, tell: bool) -> None:
    BudgetAccount.objects.filter(pk=account.pk).update(
        no_fund_reason=reason[:300], modified_at=timezone.now()
    )
    record_event(
        actor=actor,
        organisation=plan.organisation,
        obj=account,
        action="account_not_funded_at_approval",
        person=plan.person,
        summary=f"No release at approval: {reason}"[:300],
    )
    if not tell:
        return
    recipients = {
        user.email
        for role in (Role.FINANCE, Role.COMMISSIONER)
        for user in users_with_role(organisation=plan.organisation, role=role)
        if user.email
    }
    path = f"/o/{plan.organisation.code}/plans/{plan.pk}/account/"
    notify_once(
        organisation=plan.organisation,
        key=f"no-fund:{plan.pk}",
        recipients=recipients,
        subject="Approved personal health budget waiting: no fund with room",
        body=(
            f"A support plan approved today ({gbp(plan.cost_total)}) could not be funded at approval: "
            f"{reason}.\nTop up a fund or release the money by hand: {absolute_url(path)}\n"
        ),
    )


class _NoRoom:
    """Why no fund could release a plan's money; `tell`: finance and commissioners should hear of it."""

    def __init__(self, reason: str, tell: bool) -> None:
        self.reason, self.tell = reason, tell


def _draw(actor, plan: SupportPlan, account: BudgetAccount, at: datetime, why: str) -> FundEntry | _NoRoom:
    """Commit and release the plan's amount for the year of `at` from an open fund that serves it and
    has room, or say why none can. Every open fund of the year is locked, in id order (no deadlock),
    before any room is read."""
    year = funds.financial_year_of(timezone.localdate(at))
    candidates = list(
        Fund.objects.select_for_update(of=("self",))
        .filter(organisation_id=plan.organisation_id, financial_year=year, status=FundStatus.OPEN)
        .order_by("pk")
    )
    if not candidates:
        return _NoRoom(f"no open fund for {year}", tell=False)
    cohorts, team_id = _plan_cohorts(plan), _plan_team_id(plan)
    serving = sorted((f for f in candidates if _serves(f, cohorts, team_id)), key=_specific_first)
    if not serving:
        return _NoRoom(f"no open fund for {year} serves this plan's cohort or team", tell=True)
    amount = min(plan_amount_in_year(plan, year), account.approved - account.released)
    if amount <= 0:
        return _NoRoom(f"none of the plan's cost falls in {year}", tell=False)
    fund = next(
        (f for f in serving if funds.has_room(funds.FundPosition(f.amount, f.committed), amount)), None
    )
    if fund is None:
        most = max(serving, key=lambda f: f.remaining)
        return _NoRoom(
            f"no fund with room: {gbp(amount)} needed for {year}, "
            f"{gbp(max(most.remaining, Decimal('0')))} left in {most.name}",
            tell=True,
        )
    before = snapshot(fund, TOTALS)
    fund.committed += amount
    _save(actor, fund)
    entry = _write_entry(
        actor,
        fund,
        kind=FundEntryKind.COMMITMENT,
        amount=amount,
        entry_date=timezone.localdate(at),
        account=account,
        plan=plan,
        reason=f"Support plan {plan.pk} version {plan.version} {why}",
    )
    record_event(
        actor=actor,
        organisation=plan.organisation,
        obj=fund,
        action="fund_commitment",
        before=before,
        after={**snapshot(fund, TOTALS), "entry": entry.version, "plan": plan.pk},
        person=plan.person,
        summary=f"{gbp(amount)} committed from {fund} for support plan {plan.pk}: {why}",
    )
    release_from_fund(actor=actor, plan=plan, fund=fund, amount=amount, at=at)
    return entry


def _plan_and_account(plan: SupportPlan) -> tuple[SupportPlan, BudgetAccount | None]:
    plan = SupportPlan.objects.select_related("organisation", "person", "referral").get(pk=plan.pk)
    return plan, BudgetAccount.objects.filter(budget_id=plan.budget_id).first()


@transaction.atomic
def fund_release_at_approval(*, actor, plan: SupportPlan, at: datetime) -> FundEntry | None:
    """The last sign-off landed: draw the plan's amount for the year from an open fund that serves it
    and has room, and release it at once (0 days from approval to funds released). Without room
    nothing is released; the account says why, and finance and the commissioner are told."""
    plan, account = _plan_and_account(plan)
    if account is None or account.released > 0:
        return None
    drawn = _draw(actor, plan, account, at, "approved")
    if isinstance(drawn, _NoRoom):
        _no_fund(actor, plan, account, drawn.reason, tell=drawn.tell)
        return None
    return drawn


@transaction.atomic
def fund_release_waiting(*, actor, plan: SupportPlan, actor_roles: Iterable[str] | None = None) -> FundEntry:
    """A plan approved while no fund had room (since topped up, say): finance or a commissioner
    releases its money for this year from a fund now. 409 naming why, when still none can."""
    _require_role(actor, plan.organisation_id, FUND_ROLES, "release funds from a fund", actor_roles)
    plan, account = _plan_and_account(plan)
    if account is None:
        raise Conflict("This plan has no budget account yet: it is opened when the plan is approved.")
    if account.released > 0:
        raise Conflict("Funds have already been released to this budget.")
    drawn = _draw(actor, plan, account, timezone.now(), "released from the fund while waiting")
    if isinstance(drawn, _NoRoom):
        raise Conflict(f"Nothing released: {drawn.reason}.")
    return drawn
