"""Reads of funds agreed in advance: the list, a fund's figures and outlook, its entries and chart."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from phb.models import Organisation
from phb.money import api_amount

from . import funds
from .constants import EntryKind, FundEntryKind
from .models import Fund, FundEntry, LedgerEntry
from .selectors import payments_total

ZERO = Decimal("0.00")


def fund_list(*, organisation: Organisation) -> QuerySet[Fund]:
    return (
        Fund.objects.for_org(organisation)
        .select_related("held_by")
        .prefetch_related("cohorts", "teams__team")
        .order_by("-financial_year", "name", "id")
    )


def fund_entries(fund: Fund) -> QuerySet[FundEntry]:
    return fund.entries.select_related("created_by", "plan", "account__person").order_by("version")


def fund_released(fund: Fund) -> Decimal:
    """Released from the fund: its releases at approval, less corrections reversing them."""
    sums = LedgerEntry.objects.filter(organisation_id=fund.organisation_id).aggregate(
        released=Sum("amount", filter=Q(kind=EntryKind.RELEASE, fund=fund)),
        corrected=Sum("amount", filter=Q(kind=EntryKind.CORRECTION, reverses__fund=fund)),
    )
    return (sums["released"] or ZERO) - (sums["corrected"] or ZERO)


def fund_paid(fund: Fund) -> Decimal:
    """Paid out in the fund's year from the budgets it funded (payments less refunds and corrections)."""
    start, end = funds.year_bounds(fund.financial_year)
    accounts = FundEntry.objects.filter(fund=fund, kind=FundEntryKind.COMMITMENT).values("account_id")
    entries = LedgerEntry.objects.filter(
        organisation_id=fund.organisation_id, account_id__in=accounts, entry_date__range=(start, end)
    ).filter(
        Q(kind__in=(EntryKind.PAYMENT, EntryKind.REFUND))
        | Q(reverses__kind__in=(EntryKind.PAYMENT, EntryKind.REFUND))
    )
    return payments_total(entries)


def _committed_by_month(fund: Fund, today: date) -> list[tuple[str, Decimal | None]]:
    """Committed to date at the end of each month of the year; None for months still to come."""
    commitments = list(
        fund.entries.filter(kind=FundEntryKind.COMMITMENT)
        .values_list("entry_date", "amount")
        .order_by("entry_date")
    )
    points: list[tuple[str, Decimal | None]] = []
    for label, month_end in funds.month_ends(fund.financial_year):
        month_start = month_end.replace(day=1)
        if month_start > today:
            points.append((label, None))
            continue
        points.append((label, sum((amount for day, amount in commitments if day <= month_end), ZERO)))
    return points


def fund_figures(fund: Fund, today: date | None = None) -> dict:
    """Allocated, committed, released, paid, remaining, and the outlook to the year's end."""
    today = today or timezone.localdate()
    paid = fund_paid(fund)
    outlook = funds.outlook(
        allocated=fund.amount,
        committed=fund.committed,
        paid=paid,
        year=fund.financial_year,
        today=today,
        opened_on=timezone.localdate(fund.created_at),
    )
    return {
        "allocated": fund.amount,
        "committed": fund.committed,
        "released": fund_released(fund),
        "paid": paid,
        "remaining": fund.remaining,
        "outlook": outlook,
        "year_end": funds.year_bounds(fund.financial_year)[1],
    }


def fund_data(fund: Fund, today: date | None = None) -> dict:
    """GET funds/ and funds/{id}/: the contract's fields, then the outlook and who the fund serves."""
    figures = fund_figures(fund, today)
    outlook = figures["outlook"]
    return {
        "id": fund.pk,
        "name": fund.name,
        "financial_year": fund.financial_year,
        "amount": api_amount(fund.amount),
        "committed": api_amount(fund.committed),
        "released": api_amount(figures["released"]),
        "paid": api_amount(figures["paid"]),
        "remaining": api_amount(fund.remaining),
        "status": fund.status,
        "held_by": ({"id": fund.held_by_id, "name": str(fund.held_by)} if fund.held_by_id else None),
        "cohorts": sorted(row.cohort for row in fund.cohorts.all()),
        "teams": sorted(row.team_id for row in fund.teams.all()),
        "weekly_rate": api_amount(outlook.weekly_rate),
        "weekly_commitment_to_year_end": api_amount(outlook.weekly_commitment_to_year_end),
        "runs_out_on": outlook.runs_out_on.isoformat() if outlook.runs_out_on else None,
        "runs_out_before_year_end": outlook.runs_out_before_year_end,
        "year_end": figures["year_end"].isoformat(),
    }


def fund_entry_data(entry: FundEntry) -> dict:
    return {
        "id": entry.pk,
        "version": entry.version,
        "kind": entry.kind,
        "amount": api_amount(entry.amount),
        "entry_date": entry.entry_date.isoformat(),
        "reason": entry.reason,
        "plan": entry.plan_id,
        "created_by": entry.created_by.username if entry.created_by_id else None,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
    }


def fund_chart(fund: Fund, today: date | None = None) -> dict:
    """The fund page's chart and its data table: committed to date at each month end."""
    points = _committed_by_month(fund, today or timezone.localdate())
    return {"chart": funds.commitment_chart(fund.amount, points), "rows": points}
