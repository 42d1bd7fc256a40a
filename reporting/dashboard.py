"""The commissioner dashboard and the region roll-up: every figure for a date, computed in the database.

Each panel is one or a few aggregate queries, whatever the number of rows (the SQLite percentile
fallback of reporting/aggregates.py excepted), so the dashboard stays fast at national scale.
Every figure is for the date asked (`as_of`), so last quarter's dashboard can be reproduced later.
The definitions of "in place" and "first approved" are in reporting/selectors.py; the panels' own:

- **by_cohort** counts a PHB once in each cohort of its budget holder (PersonCohort): a person in
  both `chc` and `s117` counts in both, so the cohorts may add up to more than `in_place`.
  **by_management** is the in-place version's management option.
- **new_this_quarter**: PHBs first approved in the calendar quarter containing D, up to D.
- **ambition.trajectory**: PHBs in place at the end of each of the last 8 quarters, the last point
  being D itself; `per_1000_population` = in place x 1000 / population (2 decimals).
- **pipeline** is all time up to D: referrals received, conversations held (rows), budgets with a
  plan submitted, budgets with a plan approved, accounts with funds released and with a first
  payment.
- **timings** (days, 1 decimal, median and p90, only journeys completed on or before D):
  referral -> first approval of a plan linked to the referral (dates); approval request submitted ->
  decided; the budget's first approval -> its account's first release of funds, also split into
  releases from a fund agreed in advance (at approval) and releases by hand; the budget's first
  approval -> its first payment.
- **unfunded_approved**: PHBs in place on D, approved more than `unfunded_after_days` days before D,
  whose account had no release of funds on or before D (or no account yet); oldest first.
  Person-level: the organisation's dashboard only, never the region roll-up.
- **spend** is from the approved budget per person: the sum of `cost_total` of their PHBs in place.
  `total`, `mean` and `median` per person, `mode` (the most frequent per-person amount; among
  equally frequent amounts the largest) and `mode_count` (how many people have it).
  `by_category`: each in-place plan's `cost_total` apportioned across its items' spend categories
  in proportion to each item's own total over the plan period (support_plans/costs.py), in Decimal,
  by largest remainder: the categories add up to `total` to the penny (a plan without items counts
  as `other`). `paid_to_date`: payments minus refunds
  (and corrections reversing a payment) dated on or before D, on the accounts of those PHBs.
- **demographics** of budget holders in place on D: age band (0-17, 18-24, 25-34, 35-44, 45-64, 65+)
  by age on D x gender code (1, 2, 9, X); ethnicity grouped White, Mixed, Asian, Black, Other,
  Not stated (phb.constants.ETHNICITY_GROUP).
- **reviews** that existed on D (created on or before D), cancelled ones left out (the cancellation
  date is not recorded): `completed` on or before D; otherwise `overdue` if due before D, else `due`.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate

from approvals.models import ApprovalRequest
from payments.constants import EntryKind
from payments.models import BudgetAccount, LedgerEntry
from phb.ages import AGE_BANDS
from phb.constants import ETHNICITY_GROUP, Cohort, Gender
from phb.models import Organisation
from phb.money import api_amount
from referrals.models import Conversation, Referral
from reviews.constants import ReviewStatus
from reviews.models import Review
from support_plans import costs
from support_plans.constants import Management
from support_plans.models import SupportPlan

from . import live
from .aggregates import days, median_and_p90, medians_and_p90s, to_money
from .apportion import largest_remainder
from .cache import cached
from .live import FUNDING_STREAMS
from .quarters import birthday_cutoff, quarter_containing, quarter_ends_up_to
from .selectors import (
    LOCAL,
    Organisations,
    end_of_day,
    first_approval_q,
    first_approvals,
    holders_in_place,
    in_place_q,
    organisation_plans,
    plans_in_place,
    start_of_day,
    without_jit,
)

ETHNICITY_GROUPS = ["White", "Mixed", "Asian", "Black", "Other", "Not stated"]
TRAJECTORY_QUARTERS = 8
MONEY_OUTPUT = DecimalField(max_digits=16, decimal_places=2)


def _amount(value) -> str:
    return api_amount(value if value is not None else Decimal("0"))


def _per_1000(count: int, population: int) -> str | None:
    if not population:
        return None
    return f"{(Decimal(count) * 1000 / population).quantize(Decimal('0.01'))}"


# --- PHBs in place


def plan_counts(organisations: Organisations, on: date) -> dict:
    """Every figure counted over the organisations' support plans, in one query of filtered counts:
    PHBs in place on `on` and by management option, their approved budget total and holders, the
    trajectory's quarter ends, first approvals this quarter, and the budgets submitted and approved."""
    end = end_of_day(on)
    ends = quarter_ends_up_to(on, TRAJECTORY_QUARTERS)  # the last is `on` itself
    in_place = in_place_q(on)
    counts = {f"at_{index}": Count("id", filter=in_place_q(point)) for index, point in enumerate(ends)}
    counts.update(
        {
            f"management_{code}": Count("id", filter=in_place & Q(management=code))
            for code in Management.values
        }
    )
    counts.update(funding_sums(in_place))
    figures = organisation_plans(organisations).aggregate(
        **counts,
        spend_total=Sum("cost_total", filter=in_place),
        people=Count("person", distinct=True, filter=in_place),
        new_this_quarter=Count("id", filter=first_approval_q(quarter_containing(on).start, on)),
        submitted=Count("budget", distinct=True, filter=Q(submitted_at__lt=end)),
        approved=Count("budget", distinct=True, filter=Q(approved_at__lt=end)),
    )
    figures["in_place"] = figures[f"at_{len(ends) - 1}"]
    figures["trajectory"] = [
        {"quarter_end": point.isoformat(), "in_place": figures[f"at_{index}"]}
        for index, point in enumerate(ends)
    ]
    return figures


STREAM_FLAGS = {"nhs": "funded_nhs", "social_care": "funded_social_care", "education": "funded_education"}


def funding_sums(in_place: Q) -> dict:
    """Filtered sums for spend by funding stream (reporting/live.py funding_shares says the rule):
    the amounts given; a plan without amounts counts whole to its one stream, else as not split."""
    given = Q()
    for stream in STREAM_FLAGS:
        given |= Q(**{f"funding_{stream}__isnull": False})
    only = {
        stream: Q(**{flag: True}) & Q(**{other: False for other in STREAM_FLAGS.values() if other != flag})
        for stream, flag in STREAM_FLAGS.items()
    }
    any_one = Q()
    for condition in only.values():
        any_one |= condition
    sums = {}
    for stream in STREAM_FLAGS:
        sums[f"funding_{stream}_given"] = Sum(f"funding_{stream}", filter=in_place & given)
        sums[f"funding_{stream}_whole"] = Sum("cost_total", filter=in_place & ~given & only[stream])
    sums["funding_not_split_whole"] = Sum("cost_total", filter=in_place & ~given & ~any_one)
    return sums


def funding_streams(counts: dict) -> dict:
    return {
        stream: _amount(
            (counts.get(f"funding_{stream}_given") or 0) + (counts.get(f"funding_{stream}_whole") or 0)
        )
        for stream in FUNDING_STREAMS
    }


def in_place_figures(organisations: Organisations, on: date, counts: dict) -> dict:
    cohort_rows = (
        plans_in_place(organisations, on)
        .filter(person__cohorts__isnull=False)
        .values("person__cohorts__cohort")
        .annotate(count=Count("id", distinct=True))
        .order_by()
    )
    counted = {row["person__cohorts__cohort"]: row["count"] for row in cohort_rows}
    return {
        "in_place": counts["in_place"],
        "by_cohort": {code: counted.get(code, 0) for code in Cohort.values},
        "by_management": {code: counts[f"management_{code}"] for code in Management.values},
        "quarter": str(quarter_containing(on)),
        "new_this_quarter": counts["new_this_quarter"],
    }


def ambition(*, target: int, ambition_date: date | None, population: int, in_place: int, points) -> dict:
    return {
        "target": target,
        "date": ambition_date.isoformat() if ambition_date else None,
        "population": population,
        "in_place": in_place,
        "per_1000_population": _per_1000(in_place, population),
        "target_per_1000": _per_1000(target, population),
        "trajectory": points,
    }


# --- Pipeline and timings


def pipeline(organisations: Organisations, on: date, counts: dict) -> dict:
    end = end_of_day(on)
    accounts = BudgetAccount.objects.filter(organisation__in=organisations).aggregate(
        released=Count("id", filter=Q(first_released_at__lt=end)),
        paid=Count("id", filter=Q(first_paid_at__lt=end)),
    )
    return {
        "referrals": Referral.objects.filter(organisation__in=organisations, received_on__lte=on).count(),
        "conversations": Conversation.objects.filter(organisation__in=organisations, held_on__lte=on).count(),
        "plans_submitted": counts["submitted"],
        "plans_approved": counts["approved"],
        "funds_released": accounts["released"],
        "first_payment": accounts["paid"],
    }


def _timing(result: dict) -> dict:
    return {"median": days(result["median"]), "p90": days(result["p90"]), "count": result["count"]}


def timings(organisations: Organisations, on: date) -> dict:
    end = end_of_day(on)
    # A plan's referral is always of the plan's own organisation (plan_create checks it), so the
    # journeys are grouped from the organisation's plans, reached through their organisation index.
    referral_to_approval = (
        SupportPlan.objects.filter(organisation__in=organisations, referral__organisation__in=organisations)
        .values("referral")
        .annotate(first_approved=Min("approved_at"))
        .filter(first_approved__lt=end)
        .annotate(
            duration=ExpressionWrapper(
                TruncDate("first_approved", tzinfo=LOCAL) - F("referral__received_on"),
                output_field=DurationField(),
            )
        )
    )
    submission_to_decision = ApprovalRequest.objects.filter(
        organisation__in=organisations, decided_at__lt=end
    ).annotate(duration=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
    # Both journeys from the budget's first approval, measured in one query: each duration is null
    # unless its end (release of funds, first payment) happened on or before the date.
    # The release is "from a fund" when a fund agreed in advance released it at approval.
    from_fund = Exists(
        LedgerEntry.objects.filter(account=OuterRef("pk"), kind=EntryKind.RELEASE, fund__isnull=False)
    )
    released = Q(first_released_at__lt=end)
    # The budget and its versions are joined by organisation too, so PostgreSQL reaches them through
    # their organisation index instead of scanning every budget in the country (59 -> 16 ms measured).
    accounts = BudgetAccount.objects.filter(
        organisation__in=organisations,
        budget__organisation__in=organisations,
        budget__versions__organisation__in=organisations,
    ).annotate(
        first_approved=Min("budget__versions__approved_at"),
        from_fund=from_fund,
        to_release=Case(
            When(released, then=F("first_released_at") - F("first_approved")),
            output_field=DurationField(),
        ),
        to_release_from_fund=Case(
            When(released & Q(from_fund=True), then=F("first_released_at") - F("first_approved")),
            output_field=DurationField(),
        ),
        to_release_by_hand=Case(
            When(released & Q(from_fund=False), then=F("first_released_at") - F("first_approved")),
            output_field=DurationField(),
        ),
        to_payment=Case(
            When(first_paid_at__lt=end, then=F("first_paid_at") - F("first_approved")),
            output_field=DurationField(),
        ),
    )
    from_approval = medians_and_p90s(
        accounts, ["to_release", "to_release_from_fund", "to_release_by_hand", "to_payment"], duration=True
    )
    return {
        "referral_to_approval": _timing(median_and_p90(referral_to_approval, "duration", duration=True)),
        "submission_to_decision": _timing(median_and_p90(submission_to_decision, "duration", duration=True)),
        "approval_to_funds_released": _timing(from_approval["to_release"]),
        "approval_to_release_from_fund": _timing(from_approval["to_release_from_fund"]),
        "approval_to_release_by_hand": _timing(from_approval["to_release_by_hand"]),
        "approval_to_first_payment": _timing(from_approval["to_payment"]),
    }


def unfunded_approved(organisation: Organisation, on: date) -> list[dict]:
    """Person-level: PHBs approved more than N days before `on` with no funds released by then.

    Found from the accounts not released by then (a few, through the index on the organisation and
    first release), not from every PHB in place: each approval opens its budget's account in the
    same transaction (payments/reactions.py), so a PHB in place always has one."""
    waited_since = start_of_day(on - timedelta(days=organisation.unfunded_after_days))
    end = end_of_day(on)
    # Two lookups on the index of (organisation, first release), not one OR that scans every account.
    accounts = BudgetAccount.objects.filter(organisation=organisation)
    unreleased = [
        *accounts.filter(first_released_at__isnull=True).values_list("budget_id", flat=True),
        *accounts.filter(first_released_at__gte=end).values_list("budget_id", flat=True),
    ]
    if connection.vendor == "postgresql":
        # One array parameter, not a placeholder for each of hundreds of ids (psycopg parses them all).
        unreleased = RawSQL("SELECT unnest(%s::bigint[])", (unreleased,))
    plans = (
        plans_in_place([organisation], on)
        .filter(approved_at__lt=waited_since, budget_id__in=unreleased)
        .order_by("approved_at", "id")
        .values_list(
            "pk",
            "version",
            "person_id",
            "person__given_name",
            "person__family_name",
            "person__nhs_number",
            "approved_at",
            "cost_total",
            "budget__account__no_fund_reason",
        )
    )
    rows = []
    # Rendering the list itself (rows, not model instances: hundreds in a large organisation).
    for pk, version, person_id, given_name, family_name, nhs_number, approved_at, cost_total, reason in plans:
        approved_on = approved_at.astimezone(LOCAL).date()
        rows.append(
            {
                "plan": pk,
                "version": version,
                "person": person_id,
                "name": f"{given_name} {family_name}",
                "nhs_number": nhs_number,
                "approved_on": approved_on.isoformat(),
                "days_waiting": (on - approved_on).days,
                "cost_total": _amount(cost_total),
                # Why no fund released it at approval ("no fund with room: ..."), when one was tried.
                "reason": reason or "",
            }
        )
    return rows


# --- Spend


def spend_by_category(organisations: Organisations, on: date) -> dict[str, Decimal]:
    """Each in-place plan's `cost_total` split across its items' spend categories, exactly.

    An item's share is its own total over the plan period (support_plans/costs.py, the one home of
    plan costs), and each plan's pennies are apportioned by largest remainder, so the categories of
    a plan add up to its cost and all categories to the spend total. A plan with no items counts as
    "other". Largest first, then by code.
    """
    # One pass over the plans in place and their items (a plan without items comes once, with no
    # item), in plan order; each plan's weights are added up here, its pennies apportioned once.
    rows = (
        plans_in_place(organisations, on)
        .filter(Q(items__isnull=True) | Q(items__organisation__in=organisations))
        .values_list(
            "id",
            "cost_total",
            "start_date",
            "end_date",
            "items__category",
            "items__amount",
            "items__frequency",
            "items__start_date",
            "items__end_date",
        )
        .order_by("id")
    )
    plans: dict[int, tuple[Decimal, dict[str, Decimal]]] = {}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for plan_id, cost_total, start, end, category, amount, frequency, item_start, item_end in rows:
        if category is None:  # no items: the plan's cost counts as "other"
            totals["other"] += Decimal(cost_total)
            continue
        line = costs.Line(
            amount=Decimal(amount), frequency=frequency, start_date=item_start, end_date=item_end
        )
        weights = plans.setdefault(plan_id, (Decimal(cost_total), defaultdict(Decimal)))[1]
        weights[category] += costs.item_total(start, end, line)
    for cost_total, weights in plans.values():
        for category, amount in largest_remainder(cost_total, weights).items():
            totals[category] += amount
    return dict(sorted(((c, a) for c, a in totals.items() if a), key=lambda row: (-row[1], row[0])))


def spend(organisations: Organisations, on: date, counts: dict) -> dict:
    total = to_money(counts["spend_total"] or 0)
    people = counts["people"]

    per_person = (
        plans_in_place(organisations, on).values("person").annotate(amount=Sum("cost_total")).order_by()
    )
    median = median_and_p90(per_person, "amount", duration=False)["median"]
    # How many budget holders have each per-person amount: a window over the per-person groups, so
    # the most frequent amount (the largest among equally frequent ones) is the first row.
    mode = (
        per_person.annotate(people=Window(Count("person"), partition_by=F("amount")))
        .order_by("-people", "-amount")
        .values("amount", "people")
        .first()
    )

    by_category = spend_by_category(organisations, on)

    in_place_budgets = plans_in_place(organisations, on).values("budget")
    # A correction counts only when it reverses a payment: looked up for corrections alone, rather
    # than joining every entry to the entry it reverses.
    reverses_a_payment = Exists(LedgerEntry.objects.filter(pk=OuterRef("reverses"), kind=EntryKind.PAYMENT))
    paid = LedgerEntry.objects.filter(
        organisation__in=organisations,
        account__organisation__in=organisations,
        account__budget__in=in_place_budgets,
        entry_date__lte=on,
        kind__in=(EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.CORRECTION),
    ).aggregate(
        payments=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
        refunds=Sum(
            "amount",
            filter=Q(kind=EntryKind.REFUND) | (Q(kind=EntryKind.CORRECTION) & reverses_a_payment),
        ),
    )
    paid_to_date = (paid["payments"] or Decimal("0")) - (paid["refunds"] or Decimal("0"))
    return {
        "total": _amount(total),
        "people": people,
        "mean": _amount(total / people) if people else None,
        "median": _amount(median) if median is not None else None,
        "mode": _amount(mode["amount"]) if mode else None,
        "mode_count": mode["people"] if mode else 0,
        "by_category": {category: _amount(amount) for category, amount in by_category.items()},
        "by_funding_stream": funding_streams(counts),
        "paid_to_date": _amount(paid_to_date),
    }


# --- Demographics and reviews


def demographics(organisations: Organisations, on: date) -> dict:
    """Budget holders by age band, gender and ethnic group: one grouped query (at most 144 groups),
    added up here into the two tables."""
    band = Case(
        *[
            When(date_of_birth__gt=birthday_cutoff(on, upper), then=Value(label))
            for label, upper in AGE_BANDS
            if upper is not None
        ],
        default=Value(AGE_BANDS[-1][0]),
        output_field=CharField(),
    )
    letters_of = {group: [k for k, v in ETHNICITY_GROUP.items() if v == group] for group in ETHNICITY_GROUPS}
    group = Case(
        *[When(ethnicity__in=letters, then=Value(name)) for name, letters in letters_of.items()],
        default=Value("Not stated"),
        output_field=CharField(),
    )
    rows = (
        holders_in_place(organisations, on)
        .annotate(band=band, group=group)
        .values("band", "gender", "group")
        .annotate(count=Count("id"))
        .order_by()
    )
    counted: dict = defaultdict(int)
    grouped: dict = defaultdict(int)
    for row in rows:
        counted[(row["band"], row["gender"])] += row["count"]
        grouped[row["group"]] += row["count"]
    age_gender = []
    for label, _upper in AGE_BANDS:
        genders = {code: counted[(label, code)] for code in Gender.values}
        age_gender.append({"age_band": label, "genders": genders, "total": sum(genders.values())})
    return {
        "people": sum(row["total"] for row in age_gender),
        "age_gender": age_gender,
        "ethnicity": {name: grouped[name] for name in ETHNICITY_GROUPS},
    }


def reviews(organisations: Organisations, on: date) -> dict:
    open_on_date = Q(completed_on__isnull=True) | Q(completed_on__gt=on)
    return (
        Review.objects.filter(organisation__in=organisations, created_at__lt=end_of_day(on))
        .exclude(status=ReviewStatus.CANCELLED)
        .aggregate(
            due=Count("id", filter=open_on_date & Q(due_on__gte=on)),
            overdue=Count("id", filter=open_on_date & Q(due_on__lt=on)),
            completed=Count("id", filter=Q(completed_on__lte=on)),
        )
    )


# --- The two dashboards


def _aggregate_figures(organisations: Organisations, on: date, counts: dict) -> dict:
    figures = in_place_figures(organisations, on, counts)
    figures.update(
        {
            "as_of": on.isoformat(),
            "pipeline": pipeline(organisations, on, counts),
            "timings": timings(organisations, on),
            "spend": spend(organisations, on, counts),
            "demographics": demographics(organisations, on),
            "reviews": reviews(organisations, on),
        }
    )
    return figures


def organisation_dashboard(organisation: Organisation, on: date) -> dict:
    """Everything the commissioner dashboard shows for one organisation on a date: today's from the
    live summaries (reporting/live.py), another date's counted afresh (and cached)."""
    if on == live.today_local() and live.is_built(organisation):
        return live_dashboard(organisation, on)
    return cached(
        "dashboard", [organisation.pk], (on.isoformat(),), lambda: _organisation_dashboard(organisation, on)
    )


def _organisation_dashboard(organisation: Organisation, on: date) -> dict:
    organisations = [organisation]
    counts = plan_counts(organisations, on)
    figures = _aggregate_figures(organisations, on, counts)
    figures["organisation"] = {"code": organisation.code, "name": organisation.name}
    figures["ambition"] = ambition(
        target=organisation.ambition_target,
        ambition_date=organisation.ambition_date,
        population=organisation.population,
        in_place=figures["in_place"],
        points=counts["trajectory"],
    )
    figures["unfunded_after_days"] = organisation.unfunded_after_days
    figures["unfunded_approved"] = unfunded_approved(organisation, on)
    return figures


def region_dashboard(region: str, organisations, on: date) -> dict:
    """The same aggregate figures across a region's organisations; never person-level data."""
    organisations = list(organisations)
    return cached(
        "region",
        [o.pk for o in organisations],
        (region, on.isoformat()),
        lambda: _region_dashboard(region, organisations, on),
    )


def _region_dashboard(region: str, organisations, on: date) -> dict:
    # A region counts several organisations at once: see without_jit.
    with without_jit():
        organisations = list(organisations)
        counts = plan_counts(organisations, on)
        figures = _aggregate_figures(organisations, on, counts)
        population = sum(o.population for o in organisations)
        dated = [o.ambition_date for o in organisations if o.ambition_date]
        figures["region"] = region
        figures["ambition"] = ambition(
            target=sum(o.ambition_target for o in organisations),
            ambition_date=max(dated) if dated else None,
            population=population,
            in_place=figures["in_place"],
            points=counts["trajectory"],
        )
        in_place_by_org = dict(
            plans_in_place(organisations, on)
            .values("organisation")
            .annotate(count=Count("id"))
            .values_list("organisation", "count")
            .order_by()
        )
        quarter_start = quarter_containing(on).start
        new_by_org = dict(
            first_approvals(organisations, quarter_start, on)
            .values("organisation")
            .annotate(count=Count("id"))
            .values_list("organisation", "count")
            .order_by()
        )
        figures["organisations"] = [
            {
                "code": o.code,
                "name": o.name,
                "population": o.population,
                "in_place": in_place_by_org.get(o.pk, 0),
                "per_1000_population": _per_1000(in_place_by_org.get(o.pk, 0), o.population),
                "new_this_quarter": new_by_org.get(o.pk, 0),
                "ambition_target": o.ambition_target,
                "ambition_date": o.ambition_date.isoformat() if o.ambition_date else None,
                "target_per_1000": _per_1000(o.ambition_target, o.population),
            }
            for o in organisations
        ]
        return figures


# --- Today's dashboard from the live summaries (reporting/live.py)


def _live_spend(summary: live.Summary) -> dict:
    total = to_money(summary.amount("spend"))
    per_person = live.spend_per_person(summary)
    people, median, mode = per_person["people"], per_person["median"], per_person["mode"]
    categories = {key: amount for key, (_count, amount) in summary.keys("category").items() if amount}
    by_category = dict(sorted(categories.items(), key=lambda row: (-row[1], row[0])))
    return {
        "total": _amount(total),
        "people": people,
        "mean": _amount(total / people) if people else None,
        "median": _amount(median) if median is not None else None,
        "mode": _amount(mode[0]) if mode else None,
        "mode_count": mode[1] if mode else 0,
        "by_category": {category: _amount(amount) for category, amount in by_category.items()},
        "by_funding_stream": {
            stream: _amount(summary.amount("funding", stream)) for stream in FUNDING_STREAMS
        },
        "paid_to_date": _amount(summary.amount("paid")),
    }


def live_dashboard(organisation: Organisation, on: date) -> dict:
    """The same figures as _organisation_dashboard for today, read from the summaries: one query for
    every counter, one or two small ones per timing, and the person-level list of unfunded PHBs."""
    live.redate(organisation.pk, on)
    summary = live.read(organisation.pk, on)
    active = summary.keys("active")
    in_place = sum(count for count, _amount in active.values())
    by_management = {code: 0 for code in Management.values}
    for key, (count, _amount) in active.items():
        by_management[key.rsplit(live.SEP, 1)[1]] += count
    quarter = quarter_containing(on)
    new_this_quarter = sum(
        count
        for key, (count, _amount) in live.dated(summary, "first").items()
        if quarter.start.isoformat() <= key.split(live.SEP, 1)[0] <= on.isoformat()
    )
    ends = quarter_ends_up_to(on, TRAJECTORY_QUARTERS)
    open_from = summary.keys("at_open")
    points = []
    for point in ends[:-1]:
        counted = summary.count("at", point.isoformat()) + sum(
            count for key, (count, _amount) in open_from.items() if key <= point.isoformat()
        )
        points.append({"quarter_end": point.isoformat(), "in_place": counted})
    points.append({"quarter_end": on.isoformat(), "in_place": in_place})
    age_gender = []
    for label, _upper in AGE_BANDS:
        genders = {code: summary.count("age_gender", f"{label}{live.SEP}{code}") for code in Gender.values}
        age_gender.append({"age_band": label, "genders": genders, "total": sum(genders.values())})
    open_reviews = live.reviews_open(summary, on)
    figures = {
        "in_place": in_place,
        "by_cohort": {code: summary.count("active_cohort", code) for code in Cohort.values},
        "by_management": by_management,
        "quarter": str(quarter),
        "new_this_quarter": new_this_quarter,
        "as_of": on.isoformat(),
        "pipeline": {
            "referrals": summary.count("referrals"),
            "conversations": summary.count("conversations"),
            "plans_submitted": summary.count("submitted"),
            "plans_approved": summary.count("approved"),
            "funds_released": summary.count("released"),
            "first_payment": summary.count("first_paid"),
        },
        "timings": {
            name: live.timing(summary, figure)
            for name, figure in (
                ("referral_to_approval", "ref_approval"),
                ("submission_to_decision", "sub_decision"),
                ("approval_to_funds_released", "to_release"),
                ("approval_to_release_from_fund", "to_release_fund"),
                ("approval_to_release_by_hand", "to_release_hand"),
                ("approval_to_first_payment", "to_payment"),
            )
        },
        "spend": _live_spend(summary),
        "demographics": {
            "people": sum(row["total"] for row in age_gender),
            "age_gender": age_gender,
            "ethnicity": {name: summary.count("ethnicity", name) for name in ETHNICITY_GROUPS},
        },
        "reviews": {
            "due": open_reviews["due"],
            "overdue": open_reviews["overdue"],
            "completed": summary.count("reviews_completed"),
        },
    }
    figures["organisation"] = {"code": organisation.code, "name": organisation.name}
    figures["ambition"] = ambition(
        target=organisation.ambition_target,
        ambition_date=organisation.ambition_date,
        population=organisation.population,
        in_place=in_place,
        points=points,
    )
    figures["unfunded_after_days"] = organisation.unfunded_after_days
    # Person-level, from the records, worked out again only when the "unfunded" figure moves (a key
    # a waiting plan, with a digest of what the list shows of it): not on every payment.
    days = organisation.unfunded_after_days
    if summary.counts("unfunded"):
        figures["unfunded_approved"] = live.memo(
            summary,
            f"unfunded:{on.isoformat()}:{days}",
            ("unfunded",),
            lambda: unfunded_approved(organisation, on),
        )
    else:  # built before the figure was counted (the nightly check counts it again)
        figures["unfunded_approved"] = unfunded_approved(organisation, on)
    return figures
