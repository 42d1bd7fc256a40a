"""Reads about a budget's broker: whose grant reaches which budget, the broker's list of budgets.

DESIGN.md "Least privilege": brokers see "only the budgets their organisation manages, once a budget
names its broker". The grant is a django-guardian object permission (`payments.manage_budget`) on the
budget account, given and taken away by `broker_services.account_broker_assign`; the account's
`broker` column only names the holder for pages and lists. So a broker reaches a budget whose grant
they hold, and a budget that names no broker yet (nobody holds its grant); never one that names
another broker.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from phb.constants import Role
from phb.models import Organisation
from phb.money import api_amount
from phb.selectors import users_with_role
from support_plans.constants import IN_PLACE_STATUSES

from .constants import InstalmentStatus
from .models import BudgetAccount, Instalment

MANAGE_CODENAME = "manage_budget"
MANAGE_PERMISSION = f"payments.{MANAGE_CODENAME}"
DUE_SOON_DAYS = 14
# Who may name a budget's broker: those who set budgets up and pay into them (issue 15).
BROKER_ASSIGNERS = (Role.COMMISSIONER, Role.FINANCE, Role.PHB_LEAD, Role.TEAM_LEAD)


def accounts_with_a_broker() -> QuerySet:
    """The ids of the accounts whose `manage_budget` grant someone holds (guardian's table)."""
    return (
        UserObjectPermission.objects.filter(
            content_type__app_label="payments",
            content_type__model="budgetaccount",
            permission__codename=MANAGE_CODENAME,
        )
        .annotate(account_id=Cast("object_pk", BigIntegerField()))
        .values("account_id")
    )


def accounts_managed_by(*, user, organisation: Organisation) -> QuerySet[BudgetAccount]:
    """The organisation's accounts on which the user holds the broker's grant (only object grants count)."""
    return get_objects_for_user(
        user,
        MANAGE_PERMISSION,
        klass=BudgetAccount.objects.for_org(organisation),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def accounts_a_broker_reaches(*, user, organisation: Organisation) -> QuerySet[BudgetAccount]:
    """The broker's own budgets, and those naming no broker yet."""
    accounts = BudgetAccount.objects.for_org(organisation)
    return accounts.filter(
        Q(pk__in=accounts_managed_by(user=user, organisation=organisation).values("pk"))
        | ~Q(pk__in=accounts_with_a_broker())
    )


def accounts_naming_another_broker(*, user, organisation: Organisation) -> QuerySet[BudgetAccount]:
    """The accounts whose grant someone other than the user holds: the only ones beyond a broker."""
    return (
        BudgetAccount.objects.for_org(organisation)
        .filter(pk__in=accounts_with_a_broker())
        .exclude(pk__in=accounts_managed_by(user=user, organisation=organisation).values("pk"))
    )


def _reached(context) -> QuerySet:
    return accounts_a_broker_reaches(user=context.user, organisation=context.organisation)


# --- What the `managed` and `managed_on_account` scopes reach, per model (phb/visibility.py SCOPE_FILTERS)


def managed_accounts(roles, context) -> Q:
    return Q(pk__in=_reached(context).values("pk"))


def plans_not_naming_another(roles, context) -> Q:
    """For the account pages and endpoints (which hang off a plan): every plan but those of a budget
    naming another broker. A plan with no account yet is reached, so that it answers "no account yet"
    (404) or, for a payment, a 409 naming its status, as before any budget named a broker."""
    beyond = accounts_naming_another_broker(user=context.user, organisation=context.organisation)
    return ~Q(budget_id__in=beyond.values("budget_id"))


def managed_people(roles, context) -> Q:
    """The people who hold a budget the broker reaches."""
    return Q(pk__in=_reached(context).values("person_id"))


def managed_plans(roles, context) -> Q:
    """Every version of the plans of those budgets."""
    return Q(budget_id__in=_reached(context).values("budget_id"))


def managed_entries(roles, context) -> Q:
    """Ledger entries (payments, receipts, the export) and instalments of those budgets."""
    return Q(account_id__in=_reached(context).values("pk"))


def all_funds(roles, context) -> Q:
    """A fund agreed in advance names no person: brokers, who often hold it, see every fund."""
    return Q(pk__isnull=False)


# --- Who can be named, who is named


def broker_candidates(*, organisation: Organisation) -> QuerySet:
    """The active members holding the broker role: the people a budget may name."""
    return users_with_role(organisation=organisation, role=Role.BROKER).order_by(
        "first_name", "last_name", "username"
    )


def broker_data(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.username}


def broker_of_budget(*, budget_id: int):
    """The user a budget names as its broker, or None."""
    account = BudgetAccount.objects.filter(budget_id=budget_id).select_related("broker").first()
    return account.broker if account is not None else None


# --- The broker's list of budgets (home page, work list, GET budgets/)


@dataclass(frozen=True)
class BudgetRow:
    account: BudgetAccount
    approved_on: date
    days_since_approval: int
    unfunded: bool
    overdue: int
    due_soon: int
    next_due_on: date | None
    next_instalment: int | None = None  # the earliest instalment due: "Record a payment" fills it in

    @property
    def balance(self):
        return self.account.approved - self.account.paid


def budget_rows(
    *, accounts: QuerySet[BudgetAccount], today: date | None = None, unfunded_only: bool = False
) -> list[BudgetRow]:
    """Open budgets with what needs doing: overdue instalments first (most first), then unfunded ones,
    then by the next instalment due, oldest approval first. One query, counted in the database."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    # As on the instalments work list: only a budget with money released has instalments to pay.
    due = Q(instalments__status=InstalmentStatus.DUE, first_released_at__isnull=False)
    accounts = (
        accounts.filter(closed_on__isnull=True, plan__status__in=IN_PLACE_STATUSES)
        .annotate(
            approved_at=Coalesce(F("plan__approved_at"), F("opened_at")),
            overdue=Count("instalments", filter=due & Q(instalments__due_on__lt=today)),
            due_soon=Count(
                "instalments", filter=due & Q(instalments__due_on__gte=today, instalments__due_on__lte=soon)
            ),
            next_due_on=Min("instalments__due_on", filter=due),
            next_instalment=Subquery(
                Instalment.objects.filter(account=OuterRef("pk"), status=InstalmentStatus.DUE)
                .order_by("due_on", "id")
                .values("pk")[:1]
            ),
            waiting=Case(When(first_released_at__isnull=True, then=Value(1)), default=Value(0)),
        )
        .select_related("person", "plan", "broker")
        .order_by("-overdue", "-waiting", F("next_due_on").asc(nulls_last=True), "approved_at", "id")
    )
    if unfunded_only:
        accounts = accounts.filter(first_released_at__isnull=True)
    rows = []
    for account in accounts:
        approved_on = timezone.localdate(account.approved_at)
        rows.append(
            BudgetRow(
                account=account,
                approved_on=approved_on,
                days_since_approval=(today - approved_on).days,
                unfunded=account.first_released_at is None,
                overdue=account.overdue,
                due_soon=account.due_soon,
                next_due_on=account.next_due_on,
                next_instalment=account.next_instalment,
            )
        )
    return rows


def budget_row_data(row: BudgetRow) -> dict:
    account = row.account
    return {
        "id": account.pk,
        "budget": account.budget_id,
        "plan": account.plan_id,
        "person": account.person_id,
        "person_name": account.person.full_name,
        "broker": broker_data(account.broker),
        "approved": api_amount(account.approved),
        "released": api_amount(account.released),
        "paid": api_amount(account.paid),
        "balance": api_amount(row.balance),
        "approved_on": row.approved_on.isoformat(),
        "days_since_approval": row.days_since_approval,
        "unfunded": row.unfunded,
        "instalments_overdue": row.overdue,
        "instalments_due_soon": row.due_soon,
        "next_due_on": row.next_due_on.isoformat() if row.next_due_on else None,
    }


def managed_counts(*, user, organisation: Organisation, today: date | None = None) -> dict:
    """The broker's home page: how many budgets they manage, how many unfunded, instalments due."""
    today = today or timezone.localdate()
    accounts = accounts_managed_by(user=user, organisation=organisation).filter(
        closed_on__isnull=True, plan__status__in=IN_PLACE_STATUSES
    )
    due = Instalment.objects.for_org(organisation).filter(
        status=InstalmentStatus.DUE,
        account__in=accounts.filter(first_released_at__isnull=False).values("pk"),
    )
    return {
        "budgets": accounts.count(),
        "unfunded": accounts.filter(first_released_at__isnull=True).count(),
        "overdue": due.filter(due_on__lt=today).count(),
        "due_soon": due.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)).count(),
    }
