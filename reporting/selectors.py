"""The reports' shared reads: which personal health budgets were in place, or first approved, on a date.

Definitions (decisions of issue 8; every figure of the dashboard and the return builds on them):

- A **PHB in place on date D** is a support plan version approved on or before D whose budget's
  account was not closed on or before D (`Budget.closed_on` null or after D) and which had not been
  superseded by a later approved version on or before D (`superseded_at` null or after D).
  Draft, submitted and declined versions never count (they have no `approved_at`, and are also
  excluded by status for safety). One budget has at most one version in place, so counting plans in
  place counts PHBs.
- Datetimes are compared with a date D in Europe/London (TIME_ZONE): "on or before D" means
  before the start of D+1 in local time, so a plan approved at 23:30 BST on 30 June counts in Q2.
- A PHB is **first approved** when its budget's earliest version is approved: the version approved
  with no earlier approved version in the same budget. "New this quarter" and "received in the
  financial year to date" count those, whether or not the PHB is still in place.

Nothing here is a Python loop over rows: these are querysets the panels aggregate in the database.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from phb.constants import Role
from phb.models import MembershipRole, Organisation, Person
from support_plans.constants import PlanStatus
from support_plans.models import SupportPlan

LOCAL = ZoneInfo(settings.TIME_ZONE)
NEVER_IN_PLACE = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.DECLINED)

Organisations = Iterable[Organisation] | QuerySet


@contextmanager
def without_jit() -> Iterator[None]:
    """Run the reports' grouped counts with PostgreSQL's JIT compilation off (no-op elsewhere).

    The counts run per-row subplans (first approval, CHC cohort) whose estimated cost crosses
    `jit_above_cost` once an organisation has tens of thousands of plans, or when the quarterly job
    counts all organisations at once; compiling them then takes far longer (about 0.8 s per
    statement measured at 50,000 people, all 42 organisations) than running them (about 0.1 s).
    SET LOCAL lasts to the end of the transaction only, so no pooled connection keeps it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day`, local time (aware)."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in local time: "on or before D" is `< end_of_day(D)`."""
    return start_of_day(day + timedelta(days=1))


def in_place_q(on: date, prefix: str = "") -> Q:
    """The condition "this plan version is a PHB in place on `on`", usable as a filter or in Count(filter=)."""
    end = end_of_day(on)
    return (
        Q(**{f"{prefix}approved_at__lt": end})
        & (Q(**{f"{prefix}budget__closed_on__isnull": True}) | Q(**{f"{prefix}budget__closed_on__gt": on}))
        & (Q(**{f"{prefix}superseded_at__isnull": True}) | Q(**{f"{prefix}superseded_at__gte": end}))
        & ~Q(**{f"{prefix}status__in": NEVER_IN_PLACE})
    )


def organisation_plans(organisations: Organisations) -> QuerySet:
    """The organisations' support plan versions, joined to their budgets by organisation too.

    A budget and its versions belong to the same organisation (every child row carries it); saying
    so lets PostgreSQL reach the budgets through their organisation index instead of scanning them.
    """
    return SupportPlan.objects.filter(organisation__in=organisations, budget__organisation__in=organisations)


def plans_in_place(organisations: Organisations, on: date) -> QuerySet:
    """The support plan versions that are PHBs in place on `on`, across these organisations."""
    return organisation_plans(organisations).filter(in_place_q(on))


def first_approval_q(start: date, on: date) -> Q:
    """The condition "this version first approved its budget between `start` and `on` (inclusive)"."""
    earlier_approval = SupportPlan.objects.filter(
        budget=OuterRef("budget"), approved_at__lt=OuterRef("approved_at")
    )
    return (
        Q(approved_at__gte=start_of_day(start), approved_at__lt=end_of_day(on))
        & ~Q(status__in=NEVER_IN_PLACE)
        & ~Exists(earlier_approval)
    )


def first_approvals(organisations: Organisations, start: date, on: date) -> QuerySet:
    """Plan versions that first approved their budget between `start` and `on` (both inclusive)."""
    return SupportPlan.objects.filter(organisation__in=organisations).filter(first_approval_q(start, on))


def holders_in_place(organisations: Organisations, on: date) -> QuerySet:
    """Budget holders (people) with at least one PHB in place on `on`."""
    return Person.objects.filter(organisation__in=organisations).filter(
        Exists(plans_in_place(organisations, on).filter(person=OuterRef("pk")))
    )


def region_organisations_for(user, region: str) -> QuerySet | None:
    """The organisations of a region, if the user is a region viewer in one of them; else None (a 404)."""
    if not getattr(user, "is_authenticated", False) or not region:
        return None
    viewer = MembershipRole.objects.filter(
        role=Role.REGION_VIEWER,
        membership__user=user,
        membership__is_active=True,
        organisation__region=region,
    )
    if not viewer.exists():
        return None
    return Organisation.objects.filter(region=region).order_by("name")
