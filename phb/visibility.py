"""Who may see and change what: the role-by-data table (DESIGN.md "Least privilege"), in one place.

Caldicott principle 3, "use the minimum necessary": each role reaches the kinds of data its job
needs and no more. Every page and endpoint under an organisation declares the kind of data it shows
(`data = Data.PEOPLE`); the two view bases (`phb.api.OrgScopedMixin`, `phb.mixins.OrgViewMixin`)
consult this table as they consult the organisation: a role without a grant is a 403, and a grant
that reaches only some rows (`Grant.only`) filters lists and refuses any other row with a 403. A
user holding several roles gets the union of their grants. Nothing else re-decides this.

Some grants reach only some rows of a kind (a `Scope`):
- `panel`: a commissioner sees a person's record or plan only when they hold a slot on that
  person's approval request (a request whose tier needs the commissioner's sign-off);
- `on_account`: finance sees the people and plans that have a budget account;
- `managed`: a broker reaches every budget account, ledger and fund but those of a budget naming
  another broker (the budget's broker holds a django-guardian grant on its account);
- `managed_on_account`: ... and the people and plans on the accounts they reach
  (payments/broker_selectors.py);
- `slots`: a lay panel member (lived-experience reviewer) sees only the requests with a slot for
  their role, as a case summary without identifiers (`shows_case_summary`).
The filters of each scope live in the app that owns the rows, named here by dotted path so that the
kernel imports no later stage (as `phb/flow.py` does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string

from .constants import Role

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Data:
    """The kinds of data a page or endpoint shows."""

    ORGANISATION = "organisation"  # the organisation's name and the home page: every member
    OWN = "own"  # a member's own things (their notifications): every member, only their own rows
    POLICY = "policy"  # the approval and review policies
    PEOPLE = "people"  # the person record: NHS number, date of birth, address, contacts
    REFERRALS = "referrals"  # referrals, conversations and their notes, caseloads
    PLANS = "plans"  # support plans and their PDF
    APPROVALS = "approvals"  # approval requests and their decisions
    ACCOUNTS = "accounts"  # budget accounts, the ledger, payments and their export, closing a budget
    REVIEWS = "reviews"  # reviews: outcome measures, what is and is not working
    CATALOGUE = "catalogue"  # suppliers and fast-track offers: no person data
    DASHBOARDS = "dashboards"  # the organisation's own dashboard and return (exact, some person-level)
    REGION = "region"  # the region roll-up: aggregates under disclosure control
    SETTINGS = "settings"  # the organisation's settings
    STAFF = "staff"  # staff accounts, their roles and teams
    ACCESS_LOG = "access_log"  # who opened which person's record
    IMPORTS = "imports"  # uploaded spreadsheets of people and their budgets, before and after import

    ALL = (
        ORGANISATION,
        OWN,
        POLICY,
        PEOPLE,
        REFERRALS,
        PLANS,
        APPROVALS,
        ACCOUNTS,
        REVIEWS,
        CATALOGUE,
        DASHBOARDS,
        REGION,
        SETTINGS,
        STAFF,
        ACCESS_LOG,
        IMPORTS,
    )
    # Kinds that identify a person or hold their clinical record (what an org admin never sees).
    PERSON_LEVEL = (PEOPLE, REFERRALS, PLANS, ACCOUNTS, REVIEWS, IMPORTS)


class Scope:
    PANEL = "panel"
    ON_ACCOUNT = "on_account"
    MANAGED = "managed"
    MANAGED_ON_ACCOUNT = "managed_on_account"
    SLOTS = "slots"


@dataclass(frozen=True)
class Grant:
    """A role's reach into one kind of data: read it, also change it, every row or only a scope."""

    write: bool = False
    only: str | None = None


READ = Grant()
WRITE = Grant(write=True)

_EVERY_MEMBER = {Data.ORGANISATION: READ, Data.OWN: WRITE, Data.POLICY: READ}
# Care coordinators, team leads and PHB leads: the organisation's people and pathway. Which of them
# submits, signs or pays is decided by each action's own rule (approvals/policy.py, payments).
_PATHWAY = {
    **_EVERY_MEMBER,
    Data.PEOPLE: WRITE,
    Data.REFERRALS: WRITE,
    Data.PLANS: WRITE,
    Data.APPROVALS: WRITE,
    Data.ACCOUNTS: WRITE,
    Data.REVIEWS: WRITE,
    Data.CATALOGUE: WRITE,
    Data.STAFF: READ,
}
# Finance and brokers: accounts and the people on them.
_MONEY = {
    **_EVERY_MEMBER,
    Data.ACCOUNTS: WRITE,
    Data.PEOPLE: Grant(only=Scope.ON_ACCOUNT),
    Data.PLANS: Grant(only=Scope.ON_ACCOUNT),
    Data.CATALOGUE: WRITE,
}
# Brokers: only the budgets they manage, once a budget names its broker.
_BROKER = {
    **_MONEY,
    Data.ACCOUNTS: Grant(write=True, only=Scope.MANAGED),
    Data.PEOPLE: Grant(only=Scope.MANAGED_ON_ACCOUNT),
    Data.PLANS: Grant(only=Scope.MANAGED_ON_ACCOUNT),
}

VISIBILITY: dict[str, dict[str, Grant]] = {
    Role.CARE_COORDINATOR: _PATHWAY,
    Role.TEAM_LEAD: _PATHWAY,
    Role.PHB_LEAD: {**_PATHWAY, Data.DASHBOARDS: READ},
    # A lay panel member: the requests they are asked to sign, as a case summary, nothing else.
    Role.LIVED_EXPERIENCE_REVIEWER: {**_EVERY_MEMBER, Data.APPROVALS: Grant(write=True, only=Scope.SLOTS)},
    # Requests, policy, dashboards and returns; the release of funds (API.md); a person's record and
    # plan only where they sit on that person's panel.
    Role.COMMISSIONER: {
        **_EVERY_MEMBER,
        Data.POLICY: WRITE,
        Data.APPROVALS: WRITE,
        Data.PEOPLE: Grant(only=Scope.PANEL),
        Data.PLANS: Grant(only=Scope.PANEL),
        Data.ACCOUNTS: WRITE,
        Data.CATALOGUE: WRITE,
        Data.DASHBOARDS: READ,
        Data.SETTINGS: WRITE,
        # Bringing in the caseload and its budgets from the organisation's spreadsheets.
        Data.IMPORTS: WRITE,
    },
    Role.BROKER: _BROKER,
    Role.FINANCE: {**_MONEY, Data.DASHBOARDS: READ},
    # Staff, teams, settings and policies, and (as the information governance lead would) the
    # access log; no person-level record.
    Role.ORG_ADMIN: {
        **_EVERY_MEMBER,
        Data.POLICY: WRITE,
        Data.STAFF: WRITE,
        Data.SETTINGS: WRITE,
        Data.CATALOGUE: WRITE,
        Data.ACCESS_LOG: READ,
    },
    # Aggregates only.
    Role.REGION_VIEWER: {**_EVERY_MEMBER, Data.REGION: READ},
}

# Which rows each scope reaches, per model: a function of the roles holding the scoped grant that
# returns a Q over that model. Resolved on first use.
SCOPE_FILTERS: dict[tuple[str, str], str] = {
    (Scope.PANEL, "phb.person"): "approvals.selectors.people_on_panel_of",
    (Scope.PANEL, "support_plans.supportplan"): "approvals.selectors.plans_on_panel_of",
    (Scope.SLOTS, "approvals.approvalrequest"): "approvals.selectors.requests_with_slot_for",
    (Scope.ON_ACCOUNT, "phb.person"): "payments.selectors.people_on_an_account",
    (Scope.ON_ACCOUNT, "support_plans.supportplan"): "payments.selectors.plans_on_an_account",
    (Scope.MANAGED, "support_plans.supportplan"): "payments.broker_selectors.plans_not_naming_another",
    (Scope.MANAGED_ON_ACCOUNT, "phb.person"): "payments.broker_selectors.managed_people",
    (Scope.MANAGED_ON_ACCOUNT, "support_plans.supportplan"): "payments.broker_selectors.managed_plans",
    (Scope.MANAGED, "payments.budgetaccount"): "payments.broker_selectors.managed_accounts",
    (Scope.MANAGED, "payments.ledgerentry"): "payments.broker_selectors.managed_entries",
    (Scope.MANAGED, "payments.instalment"): "payments.broker_selectors.managed_entries",
    (Scope.MANAGED, "payments.fund"): "payments.broker_selectors.all_funds",
}

# The sections other apps add to the person's page and API, by app label, and the data they show.
SECTION_DATA = {
    "referrals": Data.REFERRALS,
    "support_plans": Data.PLANS,
    "approvals": Data.APPROVALS,
    "payments": Data.ACCOUNTS,
    "reviews": Data.REVIEWS,
}


@dataclass(frozen=True)
class Reach:
    """What a set of roles may do with one kind of data: the union of their grants.

    `scopes` is None when some role reaches every row of the organisation; otherwise it maps each
    scope to the roles holding it.
    """

    read: bool
    write: bool
    scopes: dict[str, frozenset[str]] | None


def reach(roles: Iterable[str], data: str) -> Reach:
    grants = [(role, VISIBILITY.get(role, {}).get(data)) for role in roles]
    grants = [(role, grant) for role, grant in grants if grant is not None]
    if not grants:
        return Reach(read=False, write=False, scopes={})
    write = any(grant.write for _, grant in grants)
    if any(grant.only is None for _, grant in grants):
        return Reach(read=True, write=write, scopes=None)
    scopes: dict[str, set[str]] = {}
    for role, grant in grants:
        scopes.setdefault(grant.only, set()).add(role)
    return Reach(read=True, write=write, scopes={k: frozenset(v) for k, v in scopes.items()})


def roles_allowed(data: str, *, write: bool = False) -> frozenset[str]:
    """The roles whose grant on this kind of data allows reading it (or changing it)."""
    return frozenset(
        role for role, grants in VISIBILITY.items() if data in grants and (grants[data].write or not write)
    )


def roles_for_view(data: str | None, method: str, required: Iterable[str] | None) -> Iterable[str] | None:
    """The roles that may use a view showing `data` with this HTTP method: the table's, narrowed
    by the view's own `required_roles` (who may do a particular action). A view that declares no
    data kind keeps its own rule (tests/test_visibility.py lists any such view as a failure)."""
    if data is None:
        return required
    allowed = roles_allowed(data, write=method.upper() not in SAFE_METHODS)
    return allowed if required is None else allowed & frozenset(required)


def may_read(context, data: str) -> bool:
    return reach(context.roles, data).read


def may_write(context, data: str) -> bool:
    return reach(context.roles, data).write


@cache
def _scope_filter(scope: str, model_label: str):
    path = SCOPE_FILTERS.get((scope, model_label))
    if path is None:
        raise ImproperlyConfigured(f"No filter says which {model_label} rows the '{scope}' scope reaches.")
    return import_string(path)


def restrict(queryset: QuerySet, context, data: str | None) -> QuerySet:
    """The rows of `queryset` (already scoped to the organisation) the user may see."""
    if data is None:
        return queryset
    found = reach(context.roles, data)
    if not found.read:
        return queryset.none()
    if found.scopes is None:
        return queryset
    label = queryset.model._meta.label_lower
    condition = Q(pk__in=[])
    for scope, roles in sorted(found.scopes.items()):
        condition |= _scope_filter(scope, label)(roles, context)
    return queryset.filter(condition)


def check_object(context, data: str | None, obj) -> None:
    """403 unless the user's grants reach this row (a row of another organisation is a 404 before)."""
    if data is None:
        return
    found = reach(context.roles, data)
    if found.read and found.scopes is None:
        return
    visible = found.read and restrict(type(obj).objects.filter(pk=obj.pk), context, data).exists()
    if not visible:
        raise PermissionDenied("Your roles in this organisation do not give you access to this record.")


def shows_case_summary(context) -> bool:
    """True for someone who sees approval requests only as a case summary (a lay panel member)."""
    found = reach(context.roles, Data.APPROVALS)
    return found.read and found.scopes is not None and Scope.SLOTS in found.scopes


def section_visible(context, app_label: str) -> bool:
    data = SECTION_DATA.get(app_label)
    return data is None or may_read(context, data)
