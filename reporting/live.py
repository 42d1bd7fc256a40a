"""Live figures: today's dashboard and return read from summaries kept in every change's transaction.

Counting afresh grows with an organisation's rows, and a cache emptied by every write is always
empty in a busy organisation (issue 19). So each organisation keeps summaries:

- **What a person adds.** Every figure of the dashboard and the return is a sum over people: each
  person's referrals, conversations, plans, budget, account, entries, approval requests and reviews
  add to it, and nothing else does. `contributions()` counts, for a few people at once, what they
  add today (a `(figure, key) -> [count, amount]` table, plus durations for the timings).
- **Kept in the write's transaction, from one place.** Every change a report counts leaves an audit
  record (phb/audit.py `record_event`), which publishes `DataChanged` for the person it is about
  (phb/events.py); the reaction (reporting/reactions.py) calls `refresh_people()`, which recounts
  that person, takes the difference from what they added last time (PersonFigures) and appends it
  as delta rows. A new service cannot forget the summaries without also forgetting its audit record.
- **No hot row.** Writers only insert deltas and update their own person's row, so two writers in
  one organisation never wait for each other. `fold()` (a Celery job every minute) moves the deltas
  into one total row per figure in one statement; readers sum totals and deltas.
- **Exact medians.** The per-person spend is a value table (amount -> people); durations are kept
  to the microsecond in FigureValue, found through per-day bucket counts, so a median or p90 reads
  the one or two buckets holding its ranks, and is the same number percentile_cont gives.
- **Dates.** Keys hold the dates the figures depend on (a review's due date, a first approval's
  day, the quarter ends a plan was in place at), so time passing needs no recount, except age: a
  person's age band is as counted, so on the first read of a new day the people whose birthday
  crossed a band since (`redate()`) are recounted.

Past `as_of` dates, the region roll-up and the quarterly job keep the recount (reporting/dashboard.py,
reporting/returns.py). The nightly `check_all()` recounts every organisation, compares, repairs and
reports (reporting/tasks.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from approvals.models import ApprovalRequest
from payments.constants import EntryKind
from payments.models import BudgetAccount, LedgerEntry
from phb.ages import AGE_BANDS
from phb.bulk_insert import copy_insert, update_each
from phb.constants import ETHNICITY_GROUP, Cohort
from phb.models import Organisation, Person, PersonCohort
from referrals.models import Conversation, Referral
from reviews.constants import ReviewStatus
from reviews.models import Review
from support_plans import costs
from support_plans.models import PlanItem, SupportPlan

from .aggregates import days
from .apportion import largest_remainder
from .models import FigureDelta, FigureStamp, FigureTotal, FigureValue, PersonFigures
from .quarters import birthday_cutoff, quarter_containing
from .selectors import LOCAL, NEVER_IN_PLACE, end_of_day

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
DAY_US = 86_400_000_000  # a bucket of durations: one day, in microseconds
SEP = "|"
TIMINGS = ("ref_approval", "sub_decision", "to_release", "to_release_fund", "to_release_hand", "to_payment")
FUNDING_STREAMS = ("nhs", "social_care", "education", "not_split")
# Figures whose key starts with the day they happened: read from the financial year's start only.
DATED = ("first", "first_cohort")
# A value table with a key per distinct amount (tens of thousands in a large organisation): its
# median and mode are found by the database (`spend_per_person`), not read row by row.
VALUE_TABLES = ("spend_person",)
# Read with the statistic worked out from them, once per version (`memo`): the durations' day
# buckets (`timing`) and the reviews by due date (`reviews_open`), hundreds of keys each.
BUCKETS = (*(f"b:{timing}" for timing in TIMINGS), "reviews_open")
# Every other figure: a few keys each (codes, bands, quarter ends), read whole by `read`.
FIGURES = (
    "active",
    "active_cohort",
    "spend",
    "category",
    "funding",
    "age_gender",
    "ethnicity",
    "at_open",
    "at",
    "submitted",
    "approved",
    "referrals",
    "conversations",
    "released",
    "first_paid",
    "paid",
    "reviews_completed",
)
# What the figures count, numbered: a build under an older definition lacks a newer figure (2: the
# unfunded list's); the nightly check counts it again (`is_current`).
DEFINITION = 2
# Read only as the version of a list worked out from the records (`memo`): the PHBs waiting for
# funds, a key each (reporting/dashboard.py `unfunded_approved`).
LISTS = ("unfunded",)
ALL_FIGURES = frozenset((*FIGURES, *DATED, *VALUE_TABLES, *BUCKETS, *LISTS))
BATCH = 500


def _durations(*timings: str) -> frozenset[str]:
    """A timing's two figures: its day buckets ("b:...") and its value rows (the timing's name)."""
    return frozenset(name for timing in timings for name in (f"b:{timing}", timing))


# A person's contribution in parts, each counted from its own rows (`contributions`), with the
# figures it adds. Together they are every figure, each in one part (tests/reporting checks it).
PARTS: dict[str, frozenset[str]] = {
    # plans in place today, their items and the person: the return's groups, spend and its parts
    "in_place": frozenset(
        ("active", "active_cohort", "spend", "category", "funding", "spend_person", "age_gender", "ethnicity")
    ),
    "trajectory": frozenset(("at", "at_open")),  # plan versions: the quarter ends they were in place at
    "budgets": frozenset(("submitted", "approved", "first", "first_cohort")),  # plan versions
    "pipeline": frozenset(("referrals", "conversations")) | _durations("ref_approval"),  # referrals
    "decisions": _durations("sub_decision"),  # approval requests
    # budget accounts and their ledger entries (with the plans in place and their first approvals)
    "money": frozenset(("unfunded", "released", "first_paid", "paid"))
    | _durations("to_release", "to_release_fund", "to_release_hand", "to_payment"),
    "reviews": frozenset(("reviews_completed", "reviews_open")),
}
ALL_PARTS = frozenset(PARTS)
# What an audited change (its audit action, phb/audit.py) can move, where that is less than the whole
# person; any other change recounts all of them. A ledger entry's service writes only the entry and
# its account (released, paid, when first released or paid, why it waits for funds), which only the
# "money" part reads. What else it may cause is audited on its own, and so recounted by its own
# record: the first release or payment making the plan active ("plan_activated", whole), the reviews
# scheduled then. Instalments and idempotency records count in no figure.
MOVES: dict[str, frozenset[str]] = {
    action: frozenset(("money",))
    for action in (
        "ledger_payment",
        "ledger_refund",
        "ledger_correction",
        "ledger_clawback",
        "ledger_release",
        "ledger_opening_balance",
    )
}


def parts_moved_by(actions: Iterable[str] | None) -> frozenset[str]:
    """The parts of a person's contribution these audited changes can move: all of them unless every
    change is one `MOVES` knows (a change not saying what it was, a bulk write's, moves all)."""
    if not actions:
        return ALL_PARTS
    moved: set[str] = set()
    for action in actions:
        if action not in MOVES:
            return ALL_PARTS
        moved |= MOVES[action]
    return frozenset(moved)


def _figures_of(parts: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*(PARTS[part] for part in parts))


def today_local() -> date:
    return timezone.now().astimezone(LOCAL).date()


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def _us(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def age_band_of(date_of_birth: date, on: date) -> str:
    """The dashboard's age band, by the same birthday cutoffs as its query (reporting/dashboard.py)."""
    for label, upper in AGE_BANDS:
        if upper is not None and date_of_birth > birthday_cutoff(on, upper):
            return label
    return AGE_BANDS[-1][0]


def funding_shares(plan: dict) -> dict[str, Decimal]:
    """A plan's cost by funding stream: the amounts given, else all of it to its one stream, else
    "not_split" (several streams ticked and no amounts)."""
    amounts = {
        "nhs": plan["funding_nhs"],
        "social_care": plan["funding_social_care"],
        "education": plan["funding_education"],
    }
    given = {stream: Decimal(amount) for stream, amount in amounts.items() if amount is not None}
    if given:
        return given
    ticked = [
        stream
        for stream, flag in (
            ("nhs", plan["funded_nhs"]),
            ("social_care", plan["funded_social_care"]),
            ("education", plan["funded_education"]),
        )
        if flag
    ]
    return {ticked[0] if len(ticked) == 1 else "not_split": Decimal(plan["cost_total"])}


# --- What people add to their organisation's figures


class Added:
    """One person's part of the figures: (figure, key) -> [count, amount], and timing durations."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO])
        self.values: Counter[tuple[str, int]] = Counter()

    def add(self, figure: str, key: str = "", count: int = 0, amount: Decimal = ZERO) -> None:
        row = self.figures[(figure, key)]
        row[0] += count
        row[1] += amount

    def duration(self, figure: str, duration: timedelta) -> None:
        value = _us(duration)
        self.values[(figure, value)] += 1
        self.add(f"b:{figure}", str(value // DAY_US), 1)

    def stored(self) -> tuple[dict, dict]:
        figures = {
            f"{figure}{SEP}{key}": [count, f"{amount:.2f}"]
            for (figure, key), (count, amount) in self.figures.items()
            if count or amount
        }
        values = {f"{figure}{SEP}{value}": n for (figure, value), n in self.values.items() if n}
        return figures, values


def _in_place(plan: dict, today: date) -> bool:
    end = end_of_day(today)
    return (
        plan["approved_at"] is not None
        and plan["approved_at"] < end
        and plan["status"] not in NEVER_IN_PLACE
        and (plan["budget__closed_on"] is None or plan["budget__closed_on"] > today)
        and (plan["superseded_at"] is None or plan["superseded_at"] >= end)
    )


def _rows(query: Callable[[], Iterable], sql: str, params: list, organisation_id: int) -> list[tuple]:
    """The rows of `query()` (a values_list of one organisation's rows): on PostgreSQL from `sql`,
    the same SELECT written out (every change recounts its person, and building a dozen ORM queries
    cost more than running them); elsewhere from the ORM, whose converters SQLite needs.
    tests/reporting checks both agree. The ORM query is handed over unbuilt: only building its
    filters cost a recount ~5 ms of CPU.

    `sql` finds the rows by the people's (plans', accounts') ids alone and selects the row's
    organisation last, checked here: with the organisation in its WHERE, the planner walked the
    organisation's index whenever its statistics were older than its rows (an organisation growing
    by an import, by thousands of rows in one transaction, looked empty), reading every row of the
    organisation for each batch of people."""
    if connection.vendor != "postgresql":
        return [tuple(row) for row in query()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[:-1] for row in cursor.fetchall() if row[-1] == organisation_id]


_PLAN_COLUMNS = (
    "id",
    "version",
    "budget_id",
    "person_id",
    "referral_id",
    "status",
    "management",
    "cost_total",
    "start_date",
    "end_date",
    "funded_nhs",
    "funded_social_care",
    "funded_education",
    "funding_nhs",
    "funding_social_care",
    "funding_education",
    "submitted_at",
    "approved_at",
    "superseded_at",
)
_PLAN_KEYS = (*_PLAN_COLUMNS, "budget__closed_on")


def contributions(
    organisation_id: int, person_ids: Iterable[int], today: date, parts: frozenset[str] = ALL_PARTS
) -> dict[int, Added]:
    """What each of these people (of one organisation) adds to its figures today: a few queries for
    the whole batch, whatever its size. `parts` (of `PARTS`): only those are counted, from only the
    rows they read (a payment's recount reads the person, plans, accounts and ledger entries)."""
    ids = list(person_ids)
    added = {pk: Added() for pk in ids}
    end = end_of_day(today)
    org = {"organisation_id": organisation_id}
    people: dict[int, tuple] = {}
    listed: dict[int, tuple] = {}  # what the unfunded list shows of them (see "unfunded" below)
    for pk, born, gender, ethnicity, *name in _rows(
        lambda: Person.objects.filter(**org, pk__in=ids).values_list(
            "pk", "date_of_birth", "gender", "ethnicity", "given_name", "family_name", "nhs_number"
        ),
        "SELECT id, date_of_birth, gender, ethnicity, given_name, family_name, nhs_number, organisation_id"
        " FROM phb_person WHERE id = ANY(%s)",
        [ids],
        organisation_id,
    ):
        people[pk], listed[pk] = (born, gender, ethnicity), tuple(name)
    cohorts: dict[int, list[str]] = defaultdict(list)
    if "in_place" in parts or "budgets" in parts:
        for person_id, cohort in _rows(
            lambda: PersonCohort.objects.filter(**org, person_id__in=ids).values_list("person_id", "cohort"),
            "SELECT person_id, cohort, organisation_id FROM phb_personcohort WHERE person_id = ANY(%s)",
            [ids],
            organisation_id,
        ):
            cohorts[person_id].append(cohort)
    plan_columns = ", ".join(f"p.{column}" for column in _PLAN_COLUMNS)
    plans = [
        dict(zip(_PLAN_KEYS, row, strict=True))
        for row in _rows(
            lambda: SupportPlan.objects.filter(**org, person_id__in=ids).values_list(*_PLAN_KEYS),
            f"SELECT {plan_columns}, b.closed_on, p.organisation_id FROM support_plans_supportplan AS p"  # noqa: S608 (constants)
            " JOIN support_plans_budget AS b ON b.id = p.budget_id"
            " WHERE p.person_id = ANY(%s)",
            [ids],
            organisation_id,
        )
    ]
    in_place = [plan for plan in plans if _in_place(plan, today) and plan["person_id"] in people]
    by_budget: dict[int, list[dict]] = defaultdict(list)
    for plan in plans:
        by_budget[plan["budget_id"]].append(plan)

    def child_and_chc(person_id: int) -> tuple[bool, bool]:
        born = people[person_id][0]
        return born > birthday_cutoff(today, 18), Cohort.CHC in cohorts[person_id]

    if "in_place" in parts:
        # PHBs in place today: the return's active groups, cohorts, spend and its parts.
        items: dict[int, list] = defaultdict(list)
        in_place_ids = [p["id"] for p in in_place]
        for row in _rows(
            lambda: PlanItem.objects.filter(**org, plan_id__in=in_place_ids).values_list(
                "plan_id", "category", "amount", "frequency", "start_date", "end_date"
            ),
            "SELECT plan_id, category, amount, frequency, start_date, end_date, organisation_id"
            " FROM support_plans_planitem WHERE plan_id = ANY(%s)",
            [in_place_ids],
            organisation_id,
        ):
            items[row[0]].append(row[1:])
        per_person: dict[int, Decimal] = defaultdict(Decimal)
        for plan in in_place:
            person_id = plan["person_id"]
            person = added[person_id]
            child, chc = child_and_chc(person_id)
            joint = plan["funded_nhs"] and plan["funded_social_care"]
            person.add(
                "active", SEP.join((str(int(child)), str(int(joint)), str(int(chc)), plan["management"])), 1
            )
            for cohort in cohorts[person_id]:
                person.add("active_cohort", cohort, 1)
            cost = Decimal(plan["cost_total"])
            person.add("spend", "", 1, cost)
            per_person[person_id] += cost
            if items[plan["id"]]:
                weights: dict[str, Decimal] = defaultdict(Decimal)
                for category, amount, frequency, item_start, item_end in items[plan["id"]]:
                    line = costs.Line(
                        amount=Decimal(amount), frequency=frequency, start_date=item_start, end_date=item_end
                    )
                    weights[category] += costs.item_total(plan["start_date"], plan["end_date"], line)
                for category, amount in largest_remainder(cost, weights).items():
                    person.add("category", category, 0, amount)
            else:
                person.add("category", "other", 0, cost)
            for stream, amount in funding_shares(plan).items():
                person.add("funding", stream, 0, amount)
        for person_id, amount in per_person.items():
            born, gender, ethnicity = people[person_id]
            person = added[person_id]
            person.add("spend_person", f"{amount:.2f}", 1)
            person.add("age_gender", SEP.join((age_band_of(born, today), gender)), 1)
            person.add("ethnicity", ETHNICITY_GROUP.get(ethnicity, "Not stated"), 1)

    if "trajectory" in parts:
        # The trajectory: the quarter ends each version was in place at. One still in place counts
        # from its first quarter end on ("at_open"), so a new quarter needs no recount.
        for plan in plans:
            if plan["approved_at"] is None or plan["status"] in NEVER_IN_PLACE:
                continue
            approved_on = _local_day(plan["approved_at"])
            limits = [plan["budget__closed_on"]] if plan["budget__closed_on"] else []
            if plan["superseded_at"] is not None:
                limits.append(_local_day(plan["superseded_at"]))
            quarter = quarter_containing(approved_on)
            if not limits:
                added[plan["person_id"]].add("at_open", quarter.end.isoformat(), 1)
                continue
            limit = min(limits)
            while quarter.end < limit:
                added[plan["person_id"]].add("at", quarter.end.isoformat(), 1)
                quarter = quarter.next()

    if "budgets" in parts:
        # Budgets: submitted, approved, first approvals (keyed by the day, for the quarter and the year).
        for versions in by_budget.values():
            person_id = versions[0]["person_id"]
            person = added[person_id]
            if any(v["submitted_at"] is not None and v["submitted_at"] < end for v in versions):
                person.add("submitted", "", 1)
            approved = [v for v in versions if v["approved_at"] is not None and v["approved_at"] < end]
            if not approved:
                continue
            person.add("approved", "", 1)
            first_at = min(v["approved_at"] for v in approved)
            for plan in approved:
                if plan["approved_at"] != first_at or plan["status"] in NEVER_IN_PLACE:
                    continue
                if person_id not in people:
                    continue
                child, chc = child_and_chc(person_id)
                joint = plan["funded_nhs"] and plan["funded_social_care"]
                day = _local_day(first_at).isoformat()
                person.add(
                    "first",
                    SEP.join((day, str(int(child)), str(int(joint)), str(int(chc)), plan["management"])),
                    1,
                )
                for cohort in cohorts[person_id]:
                    person.add("first_cohort", SEP.join((day, cohort)), 1)

    if "pipeline" in parts:
        # Referral -> first approval of a plan linked to it (whole days).
        first_by_referral: dict[int, tuple[int, datetime]] = {}
        for plan in plans:
            if plan["referral_id"] is None or plan["approved_at"] is None:
                continue
            known = first_by_referral.get(plan["referral_id"])
            if known is None or plan["approved_at"] < known[1]:
                first_by_referral[plan["referral_id"]] = (plan["person_id"], plan["approved_at"])
        # The people's referrals (counted in the pipeline) and those their plans name, in one query.
        named = list(first_by_referral)
        referral_rows = _rows(
            lambda: Referral.objects.filter(Q(person_id__in=ids) | Q(pk__in=named), **org).values_list(
                "pk", "person_id", "received_on"
            ),
            "SELECT id, person_id, received_on, organisation_id FROM referrals_referral"
            " WHERE person_id = ANY(%s) OR id = ANY(%s)",
            [ids, named],
            organisation_id,
        )
        received = {pk: received_on for pk, _person_id, received_on in referral_rows}
        for referral_id, (person_id, first_at) in first_by_referral.items():
            if first_at < end and referral_id in received:
                added[person_id].duration("ref_approval", _local_day(first_at) - received[referral_id])

        # The pipeline's referrals and conversations.
        for _pk, person_id, received_on in referral_rows:
            if person_id in added and received_on <= today:
                added[person_id].add("referrals", "", 1)
        for (person_id,) in _rows(
            lambda: Conversation.objects.filter(**org, person_id__in=ids, held_on__lte=today).values_list(
                "person_id"
            ),
            "SELECT person_id, organisation_id FROM referrals_conversation WHERE person_id = ANY(%s)"
            " AND held_on <= %s",
            [ids, today],
            organisation_id,
        ):
            added[person_id].add("conversations", "", 1)

    if "decisions" in parts:
        # Approval requests: submitted -> decided.
        for person_id, submitted_at, decided_at in _rows(
            lambda: ApprovalRequest.objects.filter(**org, person_id__in=ids, decided_at__lt=end).values_list(
                "person_id", "submitted_at", "decided_at"
            ),
            "SELECT person_id, submitted_at, decided_at, organisation_id FROM approvals_approvalrequest"
            " WHERE person_id = ANY(%s) AND decided_at < %s",
            [ids, end],
            organisation_id,
        ):
            added[person_id].duration("sub_decision", decided_at - submitted_at)

    if "money" in parts:
        # Accounts: released, first payment, and both timings from the budget's first approval.
        accounts = _rows(
            lambda: BudgetAccount.objects.filter(**org, person_id__in=ids).values_list(
                "pk",
                "person_id",
                "budget_id",
                "first_released_at",
                "first_paid_at",
                Exists(
                    LedgerEntry.objects.filter(
                        account=OuterRef("pk"), kind=EntryKind.RELEASE, fund__isnull=False
                    )
                ),
                "no_fund_reason",
            ),
            "SELECT a.id, a.person_id, a.budget_id, a.first_released_at, a.first_paid_at,"
            " EXISTS (SELECT 1 FROM payments_ledgerentry AS e WHERE e.account_id = a.id AND e.kind = %s"
            " AND e.fund_id IS NOT NULL), a.no_fund_reason, a.organisation_id"
            " FROM payments_budgetaccount AS a WHERE a.person_id = ANY(%s)",
            [EntryKind.RELEASE.value, ids],
            organisation_id,
        )
        in_place_of_budget: dict[int, list[dict]] = defaultdict(list)
        for plan in in_place:
            in_place_of_budget[plan["budget_id"]].append(plan)
        for _account_id, person_id, budget_id, released_at, paid_at, fund_released, reason in accounts:
            person = added[person_id]
            if released_at is None or released_at >= end:
                # The dashboard's list of PHBs in place waiting for funds (reporting/dashboard.py
                # `unfunded_approved`): one key a plan, holding a digest of everything the list shows
                # of it, so any change to the list is a delta of this figure and its memo is read again.
                for plan in in_place_of_budget.get(budget_id, ()):
                    shown = (
                        plan["version"],
                        plan["approved_at"].timestamp(),
                        f"{Decimal(plan['cost_total']):.2f}",
                        reason,
                        *listed.get(person_id, ()),
                    )
                    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:16]
                    day = _local_day(plan["approved_at"]).isoformat()
                    person.add("unfunded", SEP.join((day, str(plan["id"]), digest)), 1)
            approvals = [
                v["approved_at"] for v in by_budget.get(budget_id, ()) if v["approved_at"] is not None
            ]
            first_at = min(approvals) if approvals else None
            if released_at is not None and released_at < end:
                person.add("released", "", 1)
                if first_at is not None:
                    person.duration("to_release", released_at - first_at)
                    person.duration(
                        "to_release_fund" if fund_released else "to_release_hand",
                        released_at - first_at,
                    )
            if paid_at is not None and paid_at < end:
                person.add("first_paid", "", 1)
                if first_at is not None:
                    person.duration("to_payment", paid_at - first_at)

        # Paid to date on the accounts of the PHBs in place: payments less refunds and corrections
        # reversing a payment.
        budget_person = {plan["budget_id"]: plan["person_id"] for plan in in_place}
        # Found by their accounts (read above), whose index finds a budget's few entries.
        account_ids = [row[0] for row in accounts if row[2] in budget_person]
        kinds = [EntryKind.PAYMENT.value, EntryKind.REFUND.value, EntryKind.CORRECTION.value]
        entries = _rows(
            lambda: LedgerEntry.objects.filter(
                **org, account__budget_id__in=list(budget_person), entry_date__lte=today, kind__in=kinds
            ).values_list("account__budget_id", "kind", "amount", "reverses__kind"),
            "SELECT a.budget_id, e.kind, e.amount, r.kind, e.organisation_id FROM payments_ledgerentry AS e"
            " JOIN payments_budgetaccount AS a ON a.id = e.account_id"
            " LEFT JOIN payments_ledgerentry AS r ON r.id = e.reverses_id"
            " WHERE e.account_id = ANY(%s) AND e.entry_date <= %s AND e.kind = ANY(%s)",
            [account_ids, today, kinds],
            organisation_id,
        )
        for budget_id, kind, amount, reverses in entries:
            if kind == EntryKind.PAYMENT:
                added[budget_person[budget_id]].add("paid", "", 0, Decimal(amount))
            elif kind == EntryKind.REFUND or reverses == EntryKind.PAYMENT:
                added[budget_person[budget_id]].add("paid", "", 0, -Decimal(amount))

    if "reviews" in parts:
        # Reviews that exist (cancelled ones left out): completed, or open by due date.
        for person_id, due_on, completed_on in _rows(
            lambda: (
                Review.objects.filter(**org, person_id__in=ids, created_at__lt=end)
                .exclude(status=ReviewStatus.CANCELLED)
                .values_list("person_id", "due_on", "completed_on")
            ),
            "SELECT person_id, due_on, completed_on, organisation_id FROM reviews_review"
            " WHERE person_id = ANY(%s) AND created_at < %s AND status <> %s",
            [ids, end, ReviewStatus.CANCELLED.value],
            organisation_id,
        ):
            if completed_on is not None and completed_on <= today:
                added[person_id].add("reviews_completed", "", 1)
            else:
                added[person_id].add("reviews_open", due_on.isoformat(), 1)
    return added


# --- Keeping the summaries


def _stamp_for_write(organisation_id: int) -> FigureStamp | None:
    """The organisation's stamp, share-locked so a rebuild waits for this write (and it for one);
    None when the organisation's live figures are not built (its reports recount)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT dated_on FROM reporting_figurestamp WHERE organisation_id = %s FOR KEY SHARE",
                [organisation_id],
            )
            row = cursor.fetchone()
        return FigureStamp(organisation_id=organisation_id, dated_on=row[0]) if row else None
    return FigureStamp.objects.filter(organisation_id=organisation_id).first()


class _Differences:
    """What recounted people changed, summed over all of them: one delta row per figure and key (and
    one value row per duration) for a whole batch, however many people it recounted."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO])
        self.values: Counter[tuple[str, int]] = Counter()

    def add(self, old: dict, new: dict, old_values: dict, new_values: dict) -> None:
        for name in old.keys() | new.keys():
            before = old.get(name, [0, "0.00"])
            after = new.get(name, [0, "0.00"])
            figure, key = name.split(SEP, 1)
            row = self.figures[(figure, key)]
            row[0] += after[0] - before[0]
            row[1] += Decimal(after[1]) - Decimal(before[1])
        for name in old_values.keys() | new_values.keys():
            figure, value = name.split(SEP, 1)
            self.values[(figure, int(value))] += new_values.get(name, 0) - old_values.get(name, 0)

    def write(self, organisation_id: int) -> int:
        deltas = [
            (organisation_id, figure, key, count, amount)
            for (figure, key), (count, amount) in self.figures.items()
            if count or amount
        ]
        values = [
            (organisation_id, figure, value // DAY_US, value, change)
            for (figure, value), change in self.values.items()
            if change
        ]
        # A duration can change within its day (its value rows move, its bucket count does not):
        # a zero delta of the bucket figure still says the figure changed (`memo` counts deltas).
        moved = {f"b:{figure}" for _, figure, *_ in values} - {figure for _, figure, *_ in deltas}
        deltas += [(organisation_id, figure, "", 0, ZERO) for figure in sorted(moved)]
        # By COPY: an import's batch appends a value row per person and duration (thousands).
        if deltas:
            copy_insert(FigureDelta, ("organisation_id", "figure", "key", "count", "amount"), deltas)
        if values:
            copy_insert(FigureValue, ("organisation_id", "figure", "bucket", "value", "count"), values)
        return len(deltas) + len(values)


def _locked(organisation_id: int, person_ids: list[int]) -> dict[int, PersonFigures]:
    """These people's last counts, locked for this transaction (a writer about them waits)."""
    rows = PersonFigures.objects.select_for_update().filter(
        organisation_id=organisation_id, person_id__in=person_ids
    )
    return {row.person_id: row for row in rows}


def _first_counts(organisation_id: int, rows: list[PersonFigures]) -> bool:
    """Insert the first count of people who have none: people created in this transaction, whom no
    other writer can see yet. False (nothing written) if another writer got there first."""
    try:
        with transaction.atomic():
            copy_insert(
                PersonFigures,
                ("person_id", "organisation_id", "figures", "values", "counted_on"),
                [(row.person_id, organisation_id, row.figures, row.values, row.counted_on) for row in rows],
            )
    except IntegrityError:
        return False
    return True


def refresh_people(
    organisation_id: int,
    person_ids: Iterable[int],
    today: date | None = None,
    parts: frozenset[str] = ALL_PARTS,
) -> int:
    """Recount these people's part of the figures and append the difference; returns rows written.

    Called in the transaction of the change (reporting/reactions.py); a transaction of its own
    otherwise. Locks only these people's own rows (PersonFigures), so writers about different
    people never wait for each other. A person without a row yet (created in this transaction, as an
    import's people are) is counted first and written once, with nothing to read back.

    `parts` (of `PARTS`): the parts the change can move (`parts_moved_by`); only they are recounted
    and only their figures replaced in the stored row, the others standing as last counted (the
    change cannot have moved them). A person counted for the first time is counted whole."""
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return refresh_people(organisation_id, person_ids, today, parts)
    ids = sorted(set(person_ids))
    if not ids or _stamp_for_write(organisation_id) is None:
        return 0
    today = today or today_local()
    stored = _locked(organisation_id, ids)
    missing = [pk for pk in ids if pk not in stored]
    if missing:
        # Only this organisation's people are counted here (an id of another's has no part in it).
        ours = set(
            Person.objects.filter(organisation_id=organisation_id, pk__in=missing).values_list(
                "pk", flat=True
            )
        )
        missing = [pk for pk in missing if pk in ours]
    if missing:
        parts = ALL_PARTS  # nothing stored to keep the other parts from
    added = contributions(organisation_id, [*stored, *missing], today, parts)
    first = [
        PersonFigures(person_id=pk, figures=figures, values=values, counted_on=today)
        for pk in missing
        for figures, values in [added[pk].stored()]
    ]
    if first and not _first_counts(organisation_id, first):
        # Another writer counted one of them first: wait for its lock, then count them afresh.
        PersonFigures.objects.bulk_create(
            [
                PersonFigures(person_id=pk, organisation_id=organisation_id, counted_on=today)
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        stored.update(_locked(organisation_id, missing))
        added.update(contributions(organisation_id, missing, today))
        first = []
    whole = parts == ALL_PARTS
    recounted = _figures_of(parts)
    differences = _Differences()
    changed = []
    for pk, row in stored.items():
        figures, values = added[pk].stored()
        # `counted_on`: the day the person was last counted whole.
        counted_on = today if whole else row.counted_on
        if not whole:
            figures = _replaced(row.figures, figures, recounted)
            values = _replaced(row.values, values, recounted)
        if figures == row.figures and values == row.values and row.counted_on == counted_on:
            continue
        differences.add(row.figures, figures, row.values, values)
        row.figures, row.values, row.counted_on = figures, values, counted_on
        changed.append(row)
    update_each(changed, ["figures", "values", "counted_on"])
    for row in first:
        differences.add({}, row.figures, {}, row.values)
    return differences.write(organisation_id)


def _replaced(stored: dict, counted: dict, figures: frozenset[str]) -> dict:
    """A stored row's keys ("figure|key") with those of these figures taken from the recount: the
    recounted figures over the others, as last counted."""
    return {
        **{name: value for name, value in stored.items() if name.split(SEP, 1)[0] not in figures},
        **{name: value for name, value in counted.items() if name.split(SEP, 1)[0] in figures},
    }


def refresh_all(organisation: Organisation, today: date | None = None) -> int:
    """Recount every person of the organisation, a batch per transaction (repairs drift)."""
    today = today or today_local()
    ids = list(Person.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True))
    gone = PersonFigures.objects.filter(organisation=organisation).exclude(person_id__in=ids)
    ids += list(gone.values_list("person_id", flat=True))
    written = 0
    for start in range(0, len(ids), BATCH):
        written += refresh_people(organisation.pk, ids[start : start + BATCH], today)
    return written


@transaction.atomic
def rebuild(organisation: Organisation, today: date | None = None) -> None:
    """Count the organisation's summaries from scratch (first build, or a repair that diffs cannot make)."""
    today = today or today_local()
    stamp, _created = FigureStamp.objects.get_or_create(
        organisation=organisation,
        defaults={"dated_on": today, "built_at": timezone.now(), "definition": DEFINITION},
    )
    FigureStamp.objects.select_for_update().get(pk=stamp.pk)  # writers wait (they share-lock it)
    for model in (FigureDelta, FigureTotal, FigureValue, PersonFigures):
        model.objects.filter(organisation=organisation).delete()
    ids = list(Person.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True))
    totals: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO])
    values: Counter[tuple[str, int]] = Counter()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = []
        for pk, part in contributions(organisation.pk, batch, today).items():
            figures, stored_values = part.stored()
            rows.append(
                PersonFigures(
                    person_id=pk,
                    organisation=organisation,
                    figures=figures,
                    values=stored_values,
                    counted_on=today,
                )
            )
            for key, (count, amount) in part.figures.items():
                totals[key][0] += count
                totals[key][1] += amount
            values.update(part.values)
        PersonFigures.objects.bulk_create(rows)
    FigureTotal.objects.bulk_create(
        [
            FigureTotal(organisation=organisation, figure=figure, key=key, count=count, amount=amount)
            for (figure, key), (count, amount) in totals.items()
            if count or amount
        ],
        batch_size=2000,
    )
    FigureValue.objects.bulk_create(
        [
            FigureValue(
                organisation=organisation, figure=figure, bucket=value // DAY_US, value=value, count=n
            )
            for (figure, value), n in values.items()
            if n
        ],
        batch_size=2000,
    )
    # The value rows just written are compact: the fold starts after them (see `fold`).
    newest = FigureValue.objects.aggregate(newest=Max("id"))["newest"] or 0
    FigureStamp.objects.filter(pk=stamp.pk).update(
        dated_on=today, built_at=timezone.now(), values_folded_to=newest, definition=DEFINITION
    )


def fold(organisation_id: int) -> int:
    """Move the organisation's deltas into its totals (one row per figure) and compact its value
    rows; readers see the figures before or after, never half. Returns the delta rows folded."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    WITH moved AS (
                        DELETE FROM reporting_figuredelta WHERE organisation_id = %s
                        RETURNING figure, key, count, amount
                    )
                    INSERT INTO reporting_figuretotal (organisation_id, figure, key, count, amount)
                    SELECT %s, figure, key, SUM(count), SUM(amount) FROM moved GROUP BY figure, key
                    ON CONFLICT (organisation_id, figure, key) DO UPDATE
                    SET count = reporting_figuretotal.count + EXCLUDED.count,
                        amount = reporting_figuretotal.amount + EXCLUDED.amount
                    """,
                    [organisation_id, organisation_id],
                )
                folded = cursor.rowcount
                # Compact only the values that gained rows since the last fold (each +1 / -1 row
                # of a change), not the whole table (hundreds of thousands of rows a large
                # organisation), every minute.
                # (The newest value row of any organisation bounds this one's: found at the end of
                # the primary key, where the rows since the last fold are too.)
                cursor.execute(
                    "SELECT values_folded_to, (SELECT MAX(id) FROM reporting_figurevalue)"
                    " FROM reporting_figurestamp WHERE organisation_id = %s",
                    [organisation_id],
                )
                row = cursor.fetchone()
                since, upto = (row[0], row[1]) if row else (0, None)
                if upto is not None and upto > since:
                    cursor.execute(
                        """
                        WITH touched AS (
                            SELECT DISTINCT figure, bucket, value FROM reporting_figurevalue
                            WHERE organisation_id = %s AND id > %s AND id <= %s
                        ), moved AS (
                            DELETE FROM reporting_figurevalue AS v USING touched AS t
                            WHERE v.organisation_id = %s AND v.figure = t.figure AND v.bucket = t.bucket
                              AND v.value = t.value
                            RETURNING v.figure, v.bucket, v.value, v.count
                        )
                        INSERT INTO reporting_figurevalue (organisation_id, figure, bucket, value, count)
                        SELECT %s, figure, bucket, value, SUM(count) FROM moved
                        GROUP BY figure, bucket, value HAVING SUM(count) <> 0
                        """,
                        [organisation_id, since, upto, organisation_id, organisation_id],
                    )
                    FigureStamp.objects.filter(organisation_id=organisation_id).update(values_folded_to=upto)
        else:
            deltas = list(FigureDelta.objects.filter(organisation_id=organisation_id))
            sums: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO])
            for delta in deltas:
                sums[(delta.figure, delta.key)][0] += delta.count
                sums[(delta.figure, delta.key)][1] += delta.amount
            FigureDelta.objects.filter(pk__in=[d.pk for d in deltas]).delete()
            for (figure, key), (count, amount) in sums.items():
                total, _created = FigureTotal.objects.get_or_create(
                    organisation_id=organisation_id, figure=figure, key=key
                )
                FigureTotal.objects.filter(pk=total.pk).update(
                    count=total.count + count, amount=total.amount + amount
                )
            folded = len(sums)
        FigureTotal.objects.filter(organisation_id=organisation_id, count=0, amount=0).delete()
        if folded:
            # What a statistic was worked out from has moved into the totals (see `memo`).
            FigureStamp.objects.filter(organisation_id=organisation_id).update(folded_at=timezone.now())
    return folded


def fold_all() -> int:
    organisations = FigureDelta.objects.values_list("organisation_id", flat=True).distinct()
    return sum(fold(pk) for pk in list(organisations))


def redate(organisation_id: int, today: date | None = None) -> int:
    """Bring the age bands up to today: recount the people whose birthday crossed a band since the
    figures were last dated. Returns how many people were recounted."""
    today = today or today_local()
    stamp = FigureStamp.objects.filter(organisation_id=organisation_id).first()
    if stamp is None or stamp.dated_on >= today:
        return 0
    crossed = Q()
    for _label, upper in AGE_BANDS:
        if upper is not None:
            crossed |= Q(date_of_birth__gt=birthday_cutoff(stamp.dated_on, upper)) & Q(
                date_of_birth__lte=birthday_cutoff(today, upper)
            )
    ids = list(Person.objects.filter(crossed, organisation_id=organisation_id).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        refresh_people(organisation_id, ids[start : start + BATCH], today)
    FigureStamp.objects.filter(organisation_id=organisation_id, dated_on__lt=today).update(dated_on=today)
    return len(ids)


# --- Reading the summaries


def is_built(organisation: Organisation) -> bool:
    return FigureStamp.objects.filter(organisation=organisation).exists()


def is_current(organisation: Organisation) -> bool:
    """Built under today's definition of the figures (`DEFINITION`)."""
    return FigureStamp.objects.filter(organisation=organisation, definition__gte=DEFINITION).exists()


class Summary:
    """An organisation's figures as summed from its totals and deltas: `count(figure, key)` etc.,
    and the version of each (`version`), read before them."""

    def __init__(self, organisation_id: int, rows, versions: dict | None = None) -> None:
        self.organisation_id = organisation_id
        self.versions = versions or {}
        self.since: date | None = None  # the financial year's start of the day read for (`read`)
        self.rows: dict[str, dict[str, tuple[int, Decimal]]] = defaultdict(dict)
        for figure, key, count, amount in rows:
            # Quantized: SQLite sums decimals as floats; "+ ZERO" makes a negative zero plain 0.00.
            self.rows[figure][key] = (int(count or 0), Decimal(str(amount or 0)).quantize(ZERO) + ZERO)

    def count(self, figure: str, key: str = "") -> int:
        return self.rows[figure].get(key, (0, ZERO))[0]

    def amount(self, figure: str, key: str = "") -> Decimal:
        return self.rows[figure].get(key, (0, ZERO))[1]

    def keys(self, figure: str) -> dict[str, tuple[int, Decimal]]:
        return self.rows[figure]

    def counts(self, figure: str) -> bool:
        """Whether these figures were built with `figure` counted (see `DEFINITION`)."""
        return figure not in LISTS or int(self.versions.get("definition", 1)) >= DEFINITION

    def version(self, *figures: str) -> str:
        """Changes whenever any of these figures may have: the build, the last fold, and how many
        deltas each has had since (between two folds a figure's deltas are only ever added)."""
        stamp = self.versions.get("", "")
        return stamp + "".join(f"|{figure}={self.versions.get(figure, 0)}" for figure in figures)


def _versions(cursor, organisation_id: int) -> dict[str, str | int]:
    cursor.execute(
        """
        SELECT s.built_at, s.folded_at, s.definition, d.figure, COUNT(d.id)
        FROM reporting_figurestamp AS s
        LEFT JOIN reporting_figuredelta AS d ON d.organisation_id = s.organisation_id
        WHERE s.organisation_id = %s
        GROUP BY s.built_at, s.folded_at, s.definition, d.figure
        """,
        [organisation_id],
    )
    versions: dict[str, str | int] = {}
    for built_at, folded_at, definition, figure, count in cursor.fetchall():
        versions[""] = f"{built_at}/{folded_at}"
        versions["definition"] = int(definition)
        if figure is not None:
            versions[figure] = int(count)
    return versions


MEMO_SECONDS = 24 * 60 * 60


def memo(summary: Summary, name: str, figures: tuple[str, ...], work_out):
    """A statistic derived from these figures (a median, a mode), worked out once per version of
    them and shared through the cache: the writes that do not move them (most: payments) leave it
    in place, unlike a cache of the whole dashboard, which every write would empty."""
    version = hashlib.sha256(summary.version(*figures).encode()).hexdigest()[:32]
    key = f"phb:live:{summary.organisation_id}:{name}:{','.join(figures)}:{version}"
    found = cache.get(key)
    if found is None:
        found = {"value": work_out()}
        cache.set(key, found, timeout=MEMO_SECONDS)
    return found["value"]


def _in(names) -> str:
    return ", ".join(["%s"] * len(names))


def read(organisation_id: int, today: date) -> Summary:
    """The organisation's small figures (`FIGURES`) in one query, totals plus deltas not folded yet,
    through the index on (organisation, figure, key), after the versions of every figure; the
    others are read by what is worked out from them (`dated`, `timing`, `spend_per_person`)."""
    small = list(FIGURES)
    with connection.cursor() as cursor:
        versions = _versions(cursor, organisation_id)  # first: a figure is never newer than its version
        cursor.execute(
            f"""
            SELECT figure, key, SUM(count), SUM(amount) FROM (
                SELECT figure, key, count, amount FROM reporting_figuretotal
                WHERE organisation_id = %s AND figure IN ({_in(small)})
                UNION ALL
                SELECT figure, key, count, amount FROM reporting_figuredelta
                WHERE organisation_id = %s AND figure IN ({_in(small)})
            ) AS figures
            GROUP BY figure, key
            """,  # noqa: S608 (placeholders only: the names are this module's constants)
            [organisation_id, *small, organisation_id, *small],
        )
        summary = Summary(organisation_id, cursor.fetchall(), versions)
    summary.since = _financial_year_start(today)
    return summary


def figure_rows(organisation_id: int, figure: str, since: str = "") -> dict[str, tuple[int, Decimal]]:
    """One figure's keys (from `since` on, for a dated one), totals plus deltas."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT key, SUM(count), SUM(amount) FROM (
                SELECT key, count, amount FROM reporting_figuretotal
                WHERE organisation_id = %s AND figure = %s AND key >= %s
                UNION ALL
                SELECT key, count, amount FROM reporting_figuredelta
                WHERE organisation_id = %s AND figure = %s AND key >= %s
            ) AS figures
            GROUP BY key
            """,
            [organisation_id, figure, since, organisation_id, figure, since],
        )
        return Summary(organisation_id, ((figure, *row) for row in cursor.fetchall())).keys(figure)


def dated(summary: Summary, figure: str) -> dict[str, tuple[int, Decimal]]:
    """A dated figure's keys from the financial year's start (first approvals by day and group)."""
    since = summary.since.isoformat()
    return memo(
        summary, f"dated:{since}", (figure,), lambda: figure_rows(summary.organisation_id, figure, since)
    )


def reviews_open(summary: Summary, on: date) -> dict[str, int]:
    """The open reviews due from `on` and overdue by then."""

    def work_out() -> dict[str, int]:
        by_due = figure_rows(summary.organisation_id, "reviews_open")
        day = on.isoformat()
        return {
            "due": sum(count for key, (count, _a) in by_due.items() if key >= day),
            "overdue": sum(count for key, (count, _a) in by_due.items() if key < day),
        }

    return memo(summary, f"reviews_open:{on.isoformat()}", ("reviews_open",), work_out)


def spend_per_person(summary: Summary) -> dict:
    """`_spend_per_person`, once per version of the value table."""
    return memo(summary, "spend_person", VALUE_TABLES, lambda: _spend_per_person(summary.organisation_id))


def _spend_per_person(organisation_id: int) -> dict:
    """The spend per person's value table summed up by the database: how many people, the amounts
    at the median's two ranks (as percentile_cont takes them) and the most common amount (the larger
    of equals), from a few rows sent back instead of one per distinct amount."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH amounts AS (
                SELECT key, SUM(count) AS n FROM (
                    SELECT key, count FROM reporting_figuretotal
                    WHERE organisation_id = %s AND figure = 'spend_person'
                    UNION ALL
                    SELECT key, count FROM reporting_figuredelta
                    WHERE organisation_id = %s AND figure = 'spend_person'
                ) AS rows GROUP BY key HAVING SUM(count) <> 0
            ), ranked AS (
                SELECT key, n, SUM(n) OVER (ORDER BY CAST(key AS NUMERIC)) AS upto, SUM(n) OVER () AS total
                FROM amounts
            )
            SELECT 'rank', key, n, upto, total FROM ranked
            WHERE upto > (total - 1) / 2 AND upto - n <= (total - 1) / 2 + 1
            UNION ALL
            SELECT * FROM (
                SELECT 'mode', key, n, 0, 0 FROM amounts ORDER BY n DESC, CAST(key AS NUMERIC) DESC LIMIT 1
            ) AS mode
            """,
            [organisation_id, organisation_id],
        )
        rows = cursor.fetchall()
    ranked = sorted(
        ((int(upto) - int(n), int(upto), Decimal(key)) for kind, key, n, upto, _ in rows if kind == "rank"),
        key=lambda row: row[0],
    )
    people = next((int(total) for kind, _k, _n, _u, total in rows if kind == "rank"), 0)
    mode = next(((Decimal(key), int(n)) for kind, key, n, _u, _t in rows if kind == "mode"), None)
    if not people:
        return {"people": 0, "median": None, "mode": None}
    lower, upper, weight = _positions(people, 0.5)

    def at(rank: int) -> Decimal:
        return next(amount for first, upto, amount in ranked if first <= rank < upto)

    low, high = float(at(lower)), float(at(upper))
    return {"people": people, "median": low + (high - low) * weight, "mode": mode}


def _financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _rank_lookup(pairs: list[tuple], rank: int):
    """The value at 0-based `rank` of a sorted (value, count) list."""
    seen = 0
    for value, count in pairs:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def _positions(total: int, fraction: float) -> tuple[int, int, float]:
    position = fraction * (total - 1)
    lower = int(position)
    return lower, min(lower + 1, total - 1), position - lower


def _percentiles_of(pairs: list[tuple], total: int, interpolate) -> dict:
    result = {}
    for name, fraction in (("median", 0.5), ("p90", 0.9)):
        lower, upper, weight = _positions(total, fraction)
        result[name] = interpolate(_rank_lookup(pairs, lower), _rank_lookup(pairs, upper), weight)
    return result


def timing(summary: Summary, figure: str) -> dict:
    """`_timing`, once per version of the duration's figures."""
    return memo(summary, f"timing:{figure}", (f"b:{figure}",), lambda: _timing(summary, figure))


def _timing(summary: Summary, figure: str) -> dict:
    """Median and p90 of a duration, exact: the buckets say which hold the ranks; only those are read."""
    buckets = sorted(
        (int(key), count)
        for key, (count, _amount) in figure_rows(summary.organisation_id, f"b:{figure}").items()
        if count
    )
    total = sum(count for _bucket, count in buckets)
    if not total:
        return {"median": None, "p90": None, "count": 0}
    wanted = set()
    for fraction in (0.5, 0.9):
        lower, upper, _weight = _positions(total, fraction)
        wanted.add(_rank_lookup(buckets, lower))
        wanted.add(_rank_lookup(buckets, upper))
    rows = (
        FigureValue.objects.filter(organisation_id=summary.organisation_id, figure=figure, bucket__in=wanted)
        .values_list("bucket", "value")
        .annotate(n=Sum("count"))
        .order_by("bucket", "value")
    )
    in_bucket: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bucket, value, n in rows:
        if n > 0:
            in_bucket[bucket].append((value, n))
    before, seen = {}, 0
    for bucket, count in buckets:
        before[bucket] = seen
        seen += count
    # The wanted buckets' values at their ranks; the ranks before each are skipped by count.
    pairs: list[tuple] = []
    covered = 0
    for bucket in sorted(wanted):
        if before[bucket] > covered:
            pairs.append((None, before[bucket] - covered))
            covered = before[bucket]
        for value, n in in_bucket[bucket]:
            pairs.append((value, n))
            covered += n

    def interpolate(low, high, weight):
        low_d, high_d = timedelta(microseconds=low), timedelta(microseconds=high)
        return low_d + (high_d - low_d) * weight

    found = _percentiles_of(pairs, total, interpolate)
    return {"median": days(found["median"]), "p90": days(found["p90"]), "count": total}
