"""Reference data of the synthetic national data set: organisations, mixes, item profiles, staff layout.

Plain Python, shared by the PostgreSQL (SQL on the server) and the small ORM generators, so that
both draw from the same distributions. Figures are plausible, not official: populations are the
integrated care boards' registered populations rounded to 0.1 million (summing to ~58 million),
and the mixes follow the shape of NHS England's PHB collection (CHC and wheelchair budgets the
largest groups, children about 8%).
"""

from dataclasses import dataclass
from datetime import date

REGIONS = (
    "North East and Yorkshire",
    "North West",
    "Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

# (ODS code, name, region index, registered population in thousands). The first organisation is
# the benchmark's organisation (one of the two largest ICBs).
ORGANISATIONS = (
    ("QHM", "NHS North East and North Cumbria ICB", 0, 3000),
    ("QOQ", "NHS Humber and North Yorkshire ICB", 0, 1700),
    ("QF7", "NHS South Yorkshire ICB", 0, 1400),
    ("QWO", "NHS West Yorkshire ICB", 0, 2400),
    ("QE1", "NHS Lancashire and South Cumbria ICB", 1, 1800),
    ("QOP", "NHS Greater Manchester ICB", 1, 3000),
    ("QYG", "NHS Cheshire and Merseyside ICB", 1, 2700),
    ("QUA", "NHS Black Country ICB", 2, 1300),
    ("QHL", "NHS Birmingham and Solihull ICB", 2, 1300),
    ("QWU", "NHS Coventry and Warwickshire ICB", 2, 1000),
    ("QGH", "NHS Herefordshire and Worcestershire ICB", 2, 800),
    ("QOC", "NHS Shropshire, Telford and Wrekin ICB", 2, 500),
    ("QNC", "NHS Staffordshire and Stoke-on-Trent ICB", 2, 1200),
    ("QJ2", "NHS Derby and Derbyshire ICB", 2, 1100),
    ("QJM", "NHS Lincolnshire ICB", 2, 800),
    ("QK1", "NHS Leicester, Leicestershire and Rutland ICB", 2, 1100),
    ("QPM", "NHS Northamptonshire ICB", 2, 800),
    ("QT1", "NHS Nottingham and Nottinghamshire ICB", 2, 1100),
    ("QUE", "NHS Cambridgeshire and Peterborough ICB", 3, 900),
    ("QM7", "NHS Hertfordshire and West Essex ICB", 3, 1600),
    ("QHG", "NHS Bedfordshire, Luton and Milton Keynes ICB", 3, 1000),
    ("QMM", "NHS Norfolk and Waveney ICB", 3, 1100),
    ("QJG", "NHS Suffolk and North East Essex ICB", 3, 1000),
    ("QH8", "NHS Mid and South Essex ICB", 3, 1200),
    ("QMJ", "NHS North Central London ICB", 4, 1500),
    ("QMF", "NHS North East London ICB", 4, 2000),
    ("QRV", "NHS North West London ICB", 4, 2100),
    ("QKK", "NHS South East London ICB", 4, 1900),
    ("QWE", "NHS South West London ICB", 4, 1500),
    ("QU9", "NHS Buckinghamshire, Oxfordshire and Berkshire West ICB", 5, 1800),
    ("QNQ", "NHS Frimley ICB", 5, 800),
    ("QXU", "NHS Surrey Heartlands ICB", 5, 1100),
    ("QNX", "NHS Sussex ICB", 5, 1700),
    ("QKS", "NHS Kent and Medway ICB", 5, 1900),
    ("QRL", "NHS Hampshire and Isle of Wight ICB", 5, 1900),
    ("QOX", "NHS Bath and North East Somerset, Swindon and Wiltshire ICB", 6, 900),
    ("QUY", "NHS Bristol, North Somerset and South Gloucestershire ICB", 6, 1000),
    ("QR1", "NHS Gloucestershire ICB", 6, 700),
    ("QSL", "NHS Somerset ICB", 6, 600),
    ("QVV", "NHS Dorset ICB", 6, 800),
    ("QT6", "NHS Cornwall and the Isles of Scilly ICB", 6, 600),
    ("QJK", "NHS Devon ICB", 6, 1200),
)

# The primary cohort of a referral (weights in per mille) and the profile of its plan.
COHORTS = (
    # code, weight, min age, max age, months of a plan period, recurring budget?
    ("chc", 290, 40, 100, 12, True),
    ("wheelchair", 220, 10, 95, 12, False),
    ("mental_health", 100, 18, 70, 6, False),
    ("ltc", 90, 18, 90, 12, True),
    ("s117", 70, 18, 80, 12, True),
    ("ld_autism", 60, 14, 65, 12, True),
    ("end_of_life", 50, 45, 100, 3, True),
    ("ehcp", 40, 0, 17, 12, True),
    ("ccc", 30, 0, 17, 12, True),
    ("maternity", 25, 18, 45, 6, False),
    ("other", 25, 18, 85, 12, True),
)
# A second cohort for some people (per mille of people with that primary cohort).
SECOND_COHORT = {
    "chc": ("end_of_life", 120),
    "s117": ("mental_health", 400),
    "ld_autism": ("s117", 150),
    "ccc": ("ehcp", 300),
    "ehcp": ("ccc", 150),
    "mental_health": ("ltc", 80),
    "wheelchair": ("ltc", 150),
}

GENDERS = (("1", 460), ("2", 520), ("9", 5), ("X", 15))
# NHS Data Dictionary ethnic category, an England-like mix (per mille).
ETHNICITIES = (
    ("A", 730),
    ("B", 9),
    ("C", 62),
    ("D", 9),
    ("E", 4),
    ("F", 8),
    ("G", 7),
    ("H", 31),
    ("J", 27),
    ("K", 11),
    ("L", 16),
    ("M", 11),
    ("N", 25),
    ("P", 5),
    ("R", 5),
    ("S", 16),
    ("Z", 24),
)
SOURCES = (
    ("hospital_discharge", 220),
    ("care_coordinator", 200),
    ("gp", 180),
    ("other_team", 150),
    ("self", 110),
    ("voluntary_sector", 80),
    ("outreach", 60),
)
MANAGEMENT = (("direct_payment", 400), ("notional", 350), ("third_party", 250))
CLOSE_REASONS = (
    ("died", 300),
    ("goals_achieved", 250),
    ("no_longer_eligible", 180),
    ("moved", 100),
    ("declined_to_continue", 100),
    ("other", 70),
)
CONVERSATION_MODES = (("home_visit", 450), ("phone", 250), ("clinic", 150), ("video", 150))

GIVEN_NAMES_FEMALE = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophia",
    "Lily",
    "Freya",
    "Emily",
    "Ella",
    "Poppy",
    "Amara",
    "Priya",
    "Aisha",
    "Fatima",
    "Zainab",
    "Chloe",
    "Jessica",
    "Hannah",
    "Margaret",
    "Patricia",
    "Susan",
    "Jean",
    "Joan",
    "Mary",
    "Elizabeth",
    "Sarah",
    "Chidinma",
    "Ewa",
]
GIVEN_NAMES_MALE = [
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Charlie",
    "Jacob",
    "Thomas",
    "Muhammad",
    "Mohammed",
    "Daniel",
    "James",
    "William",
    "John",
    "David",
    "Peter",
    "Michael",
    "Robert",
    "Ahmed",
    "Arjun",
    "Kwame",
    "Tomasz",
    "Samuel",
    "Joseph",
    "Adam",
    "Ryan",
    "Ali",
]
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Miller",
    "Cox",
    "Marshall",
    "Simpson",
    "Anderson",
    "Okafor",
    "Mensah",
    "Nowak",
    "Rahman",
    "Shah",
    "Hussain",
]

SUPPLIERS = (
    "Helping Hands Home Care",
    "Caremark",
    "Bluebird Care",
    "Home Instead",
    "Sunrise PA Agency",
    "Local Leisure Trust",
    "Mobility Solutions Ltd",
    "Wheelfreedom CIC",
    "Community Arts Collective",
    "Peer Support Network",
    "Carers Breaks Trust",
    "Digital Inclusion Hub",
    "Talking Therapies Partnership",
    "Fit for Life Gyms",
    "Adult Learning Service",
    "Shopmobility",
    "Community Transport Scheme",
    "Respite Cottages",
    "Independent Living Centre",
    "Advocacy First",
)

# Plan items by profile: (category, frequency, min amount, max amount, description, payment method).
ITEM_PROFILES = {
    "care": (
        ("personal_assistant", "weekly", 250, 900, "Personal assistant hours", "bank_transfer"),
        ("home_support", "weekly", 50, 300, "Home support visits", "paid_to_provider"),
        ("short_breaks", "annually", 500, 3000, "Short breaks for the carer", "paid_to_provider"),
        ("equipment_furniture", "one_off", 100, 1500, "Specialist equipment", "purchased_by_organisation"),
    ),
    "s117": (
        ("personal_assistant", "weekly", 100, 500, "Support worker hours", "bank_transfer"),
        ("social_leisure", "monthly", 50, 200, "Community activities", "prepaid_card"),
        ("therapies", "fortnightly", 40, 120, "Counselling sessions", "paid_to_provider"),
        ("transport", "four_weekly", 20, 120, "Travel to activities", "prepaid_card"),
    ),
    "mental_health": (
        ("fitness_exercise", "one_off", 50, 400, "Gym membership", "prepaid_card"),
        ("technical_equipment", "one_off", 100, 600, "Laptop for a course", "purchased_by_organisation"),
        ("arts_crafts", "one_off", 30, 200, "Art materials", "prepaid_card"),
        ("therapies", "monthly", 40, 150, "Music therapy", "paid_to_provider"),
    ),
    "wheelchair": (
        (
            "equipment_furniture",
            "one_off",
            400,
            3500,
            "Wheelchair of the person's choice",
            "paid_to_provider",
        ),
        ("equipment_furniture", "one_off", 50, 400, "Wheelchair accessories", "paid_to_provider"),
        ("other", "annually", 100, 300, "Maintenance and repairs", "paid_to_provider"),
    ),
    "ltc": (
        ("home_support", "weekly", 40, 250, "Help at home", "paid_to_provider"),
        ("self_care_wellbeing", "monthly", 20, 100, "Self-management course", "prepaid_card"),
        ("transport", "monthly", 20, 80, "Taxi to appointments", "prepaid_card"),
        ("technical_equipment", "one_off", 50, 500, "Tablet and monitoring app", "purchased_by_organisation"),
    ),
    "ehcp": (
        ("education_training", "weekly", 30, 200, "Tutor support", "paid_to_provider"),
        ("personal_assistant", "weekly", 80, 300, "Personal assistant after school", "bank_transfer"),
        ("short_breaks", "annually", 300, 2000, "Short breaks", "paid_to_provider"),
        ("equipment_furniture", "one_off", 100, 1200, "Sensory equipment", "purchased_by_organisation"),
    ),
    "maternity": (
        ("self_care_wellbeing", "one_off", 50, 500, "Birth preparation classes", "prepaid_card"),
        ("therapies", "one_off", 100, 600, "Postnatal physiotherapy", "paid_to_provider"),
        ("other", "one_off", 20, 200, "Baby sling and feeding support", "prepaid_card"),
    ),
    "other": (
        ("connectivity", "monthly", 15, 40, "Phone and data contract", "bank_transfer"),
        ("social_leisure", "one_off", 50, 300, "Club membership", "prepaid_card"),
        ("transport", "weekly", 10, 40, "Bus pass top-up", "prepaid_card"),
    ),
}
COHORT_PROFILE = {
    "chc": "care",
    "ccc": "care",
    "ld_autism": "care",
    "end_of_life": "care",
    "s117": "s117",
    "mental_health": "mental_health",
    "wheelchair": "wheelchair",
    "ltc": "ltc",
    "ehcp": "ehcp",
    "maternity": "maternity",
    "other": "other",
}

# Approval policies, one shape per organisation in turn: the two field examples and a third.
_PANEL = [
    {"role": "lived_experience_reviewer", "count": 1},
    {"role": "phb_lead", "count": 1},
    {"role": "commissioner", "count": 1},
]
POLICIES = (
    # City & Hackney shape (total), scaled for budgets that include continuing healthcare.
    [
        {
            "up_to": "1000.00",
            "basis": "total",
            "signoffs": [{"role": "care_coordinator", "count": 1}],
            "submitter_may_sign": True,
        },
        {
            "up_to": "10000.00",
            "basis": "total",
            "signoffs": [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}],
            "submitter_may_sign": True,
        },
        {"up_to": None, "basis": "total", "signoffs": _PANEL, "submitter_may_sign": False},
    ],
    # Birmingham & Solihull shape (weekly).
    [
        {
            "up_to": "400.00",
            "basis": "weekly",
            "signoffs": [{"role": "commissioner", "count": 1}],
            "submitter_may_sign": False,
        },
        {"up_to": None, "basis": "weekly", "signoffs": _PANEL, "submitter_may_sign": False},
    ],
    # Annual basis with a team lead tier.
    [
        {
            "up_to": "5000.00",
            "basis": "annual",
            "signoffs": [{"role": "care_coordinator", "count": 1}],
            "submitter_may_sign": True,
        },
        {
            "up_to": "50000.00",
            "basis": "annual",
            "signoffs": [{"role": "team_lead", "count": 1}, {"role": "commissioner", "count": 1}],
            "submitter_may_sign": False,
        },
        {"up_to": None, "basis": "annual", "signoffs": _PANEL, "submitter_may_sign": False},
    ],
)

# Staff of each organisation: one care coordinator per this many people, eight per team.
PEOPLE_PER_CARE_COORDINATOR = 60
CARE_COORDINATORS_PER_TEAM = 8
# kind, number per organisation (care coordinators and team leads are sized by caseload), roles.
STAFF_KINDS = (
    (
        "bench",
        1,
        (
            "care_coordinator",
            "team_lead",
            "phb_lead",
            "lived_experience_reviewer",
            "commissioner",
            "broker",
            "finance",
            "org_admin",
        ),
    ),
    ("cc", None, ("care_coordinator",)),
    ("tl", None, ("team_lead", "care_coordinator")),
    ("phb", 2, ("phb_lead",)),
    ("lex", 3, ("lived_experience_reviewer",)),
    ("com", 3, ("commissioner",)),
    ("brk", 3, ("broker",)),
    ("fin", 2, ("finance",)),
    ("adm", 1, ("org_admin",)),
    ("reg", 1, ("region_viewer",)),
)
BENCH_PASSWORD = "bench-phb-2026"  # the benchmark users' password (every other user's is unusable)


@dataclass(frozen=True)
class OrgLayout:
    """Where one organisation's rows sit: people ids and staff user ids are contiguous ranges."""

    id: int
    code: str
    name: str
    region: str
    population: int
    policy: int
    first_person: int
    last_person: int
    user_base: int  # first user id; kinds follow in STAFF_KINDS order
    counts: dict
    team_base: int
    teams: int

    @property
    def people(self) -> int:
        return self.last_person - self.first_person + 1

    def base(self, kind: str) -> int:
        offset = self.user_base
        for name, _n, _roles in STAFF_KINDS:
            if name == kind:
                return offset
            offset += self.counts[name]
        raise KeyError(kind)

    @property
    def users(self) -> int:
        return sum(self.counts.values())


def organisations(n: int) -> list[tuple[str, str, str, int]]:
    """The first n organisations (code, name, region, population); synthetic ones beyond 42."""
    rows = []
    for index in range(n):
        if index < len(ORGANISATIONS):
            code, name, region, thousands = ORGANISATIONS[index]
        else:
            code, name, region, thousands = f"X{index:02d}", f"NHS Synthetic ICB {index}", index % 7, 900
        rows.append((code, name, REGIONS[region], thousands * 1000))
    return rows


def layout(n_orgs: int, n_people: int) -> list[OrgLayout]:
    """People shared out by population; staff sized by caseload; ids assigned in one pass."""
    orgs = organisations(n_orgs)
    total = sum(o[3] for o in orgs)
    result = []
    person, user, team = 1, 1, 1
    assigned = 0
    for index, (code, name, region, population) in enumerate(orgs):
        share = n_people - assigned if index == n_orgs - 1 else round(n_people * population / total)
        share = max(share, 0)
        assigned += share
        cc = max(2, -(-share // PEOPLE_PER_CARE_COORDINATOR))
        teams = -(-cc // CARE_COORDINATORS_PER_TEAM)
        counts = {}
        for kind, number, _roles in STAFF_KINDS:
            counts[kind] = number if number is not None else (cc - 1 if kind == "cc" else teams)
        result.append(
            OrgLayout(
                id=index + 1,
                code=code,
                name=name,
                region=region,
                population=population,
                policy=index % len(POLICIES),
                first_person=person,
                last_person=person + share - 1,
                user_base=user,
                counts=counts,
                team_base=team,
                teams=teams,
            )
        )
        person += share
        user += sum(counts.values())
        team += teams
    return result


def ambition(population: int) -> int:
    """The organisation's ambition: about 1.75 PHBs per 100 people of its population by 2035."""
    return population * 175 // 10000


AMBITION_DATE = date(2035, 3, 31)
PROGRAMME_START = date(2015, 1, 1)
