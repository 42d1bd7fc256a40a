"""Demo data for the embedded set-up: two organisations shaped like the field's examples.

`python manage.py seed_demo` calls `seed_kernel` and then each pathway app's `demo.seed(context)`
(if it has one), in pathway order, so every app adds its own stage of the demo.
"""

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.contrib.auth import get_user_model

from . import services
from .constants import Role
from .models import Membership, Organisation, Person, Team

DEMO_PASSWORD = "phb-demo-2026"
PATHWAY_APPS = [
    "referrals",
    "support_plans",
    "approvals",
    "payments",
    "providers",
    "reviews",
    "imports",
    "reporting",
    "holders",
]

ORGANISATIONS = [
    # City & Hackney: recovery budgets, one-off items; £250 care coordinator / £750 team lead / panel.
    {
        "code": "07T",
        "name": "NHS City and Hackney",
        "region": "London",
        "population": 290000,
        "ambition_target": 600,
        "ambition_date": date(2027, 3, 31),
        "prefix": "ch",
    },
    # Birmingham and Solihull: s117 aftercare; commissioner up to £400 a week / panel above.
    {
        "code": "15E",
        "name": "NHS Birmingham and Solihull",
        "region": "Midlands",
        "population": 1250000,
        "ambition_target": 2500,
        "ambition_date": date(2027, 3, 31),
        "prefix": "bs",
    },
]

STAFF = [
    ("care_coordinator", [Role.CARE_COORDINATOR], "Community mental health"),
    ("care_coordinator2", [Role.CARE_COORDINATOR], "Community mental health"),
    ("team_lead", [Role.TEAM_LEAD, Role.CARE_COORDINATOR], "Community mental health"),
    ("phb_lead", [Role.PHB_LEAD], None),
    ("reviewer", [Role.LIVED_EXPERIENCE_REVIEWER], None),
    ("commissioner", [Role.COMMISSIONER], None),
    ("commissioner2", [Role.COMMISSIONER], None),
    ("broker", [Role.BROKER], None),
    ("finance", [Role.FINANCE], None),
    ("admin", [Role.ORG_ADMIN], None),
    ("region", [Role.REGION_VIEWER], None),
]

# Demo logins that are no staff member's (providers/demo.py, and the like): printed with the staff.
OUTSIDE_STAFF_LOGINS = [
    ("provider", "provider login: Better Leisure Centre, paid by both organisations (/provider/)"),
    ("ch_budget_holder", "a budget holder of City and Hackney: their own view at /my/"),
]

PEOPLE = [
    ("9434765919", "Amara", "Okafor", date(1985, 4, 12), "2", "N", ["mental_health"]),
    ("9434765870", "Daniel", "Hughes", date(1972, 9, 3), "1", "A", ["s117", "mental_health"]),
    ("9434765862", "Priya", "Shah", date(1990, 1, 27), "2", "H", ["ltc"]),
    ("9434765854", "George", "Whitfield", date(1948, 6, 30), "1", "A", ["chc"]),
    ("9434765846", "Lily", "Brennan", date(2012, 11, 2), "2", "B", ["ccc", "ehcp"]),
    ("9434765838", "Mohammed", "Rahman", date(1967, 3, 15), "1", "K", ["chc", "end_of_life"]),
    ("9434765811", "Grace", "Mensah", date(1995, 8, 8), "2", "M", ["ld_autism"]),
    ("9434765803", "Tomasz", "Nowak", date(1980, 12, 19), "1", "C", ["wheelchair"]),
]


@dataclass
class DemoContext:
    organisations: list[Organisation] = field(default_factory=list)
    staff: dict[str, dict[str, object]] = field(default_factory=dict)  # org code -> username -> user
    people: dict[str, list[Person]] = field(default_factory=dict)  # org code -> people
    lines: list[str] = field(default_factory=list)  # what to print at the end


def _demo_member(organisation, *, username, roles, team=None, **details):
    """The demo's account in this organisation: created with the demo password the first time, and
    given a place here if it works elsewhere already (the shared broker); left as it is on a re-run."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return services.member_add(
            actor=None,
            organisation=organisation,
            username=username,
            roles=roles,
            team=team,
            password=DEMO_PASSWORD,
            **details,
        ).user
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        services.membership_open(actor=None, organisation=organisation, user=user, roles=roles, team=team)
    return user


def seed_kernel() -> DemoContext:
    User = get_user_model()
    context = DemoContext()
    if not User.objects.filter(username="superuser").exists():
        User.objects.create_superuser("superuser", "superuser@example.nhs.uk", DEMO_PASSWORD)
    # A broker serving both organisations, as in the field.
    for spec in ORGANISATIONS:
        spec = dict(spec)
        prefix = spec.pop("prefix")
        organisation = Organisation.objects.filter(code=spec["code"]).first() or services.organisation_create(
            actor=None, **spec
        )
        context.organisations.append(organisation)
        teams = {}
        staff = {}
        for suffix, roles, team_name in STAFF:
            team = None
            if team_name:
                team = (
                    teams.get(team_name)
                    or Team.objects.for_org(organisation).filter(name=team_name).first()
                    or services.team_create(actor=None, organisation=organisation, name=team_name)
                )
                teams[team_name] = team
            username = f"{prefix}_{suffix}"
            staff[suffix] = _demo_member(
                organisation,
                username=username,
                roles=roles,
                team=team,
                email=f"{username}@example.nhs.uk",
                first_name=suffix.replace("_", " ").replace("2", " two").title(),
                last_name=spec["name"].split()[-1],
            )
        staff["shared_broker"] = _demo_member(
            organisation,
            username="shared_broker",
            roles=[Role.BROKER],
            email="broker@example.org",
            first_name="Sam",
            last_name="Broker",
        )
        context.staff[organisation.code] = staff
        people = []
        for nhs, given, family, born, gender, ethnicity, cohorts in PEOPLE:
            person = Person.objects.for_org(organisation).filter(
                nhs_number=nhs
            ).first() or services.person_create(
                actor=staff["care_coordinator"],
                organisation=organisation,
                nhs_number=nhs,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                gender=gender,
                ethnicity=ethnicity,
                cohorts=cohorts,
            )
            people.append(person)
        context.people[organisation.code] = people
    return context


def seed_all() -> DemoContext:
    """The kernel, then each app's `prepare(context)` (what must exist before the pathway runs, such
    as a fund agreed in advance before the first approval), then each app's `seed(context)`."""
    context = seed_kernel()
    modules = []
    for app in PATHWAY_APPS:
        try:
            modules.append(import_module(f"{app}.demo"))
        except ModuleNotFoundError:
            continue
    for module in modules:
        if hasattr(module, "prepare"):
            module.prepare(context)
    for module in modules:
        module.seed(context)
    return context
