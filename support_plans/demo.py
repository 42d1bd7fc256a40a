"""Demo suppliers, fast-track offers and draft support plans for both organisations, through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from referrals.models import Referral
from referrals.selectors import standing_transfer

from . import allocation_services
from .models import AllocationQuestionnaire, Supplier
from .services import fast_track_offer_create, plan_create, supplier_create

# A resource allocation questionnaire in the shape of the ones councils and ICBs publish (needs in
# daily living, health, getting about, carers): each answer's points, at £40 a point a year.
QUESTIONNAIRE = [
    {
        "code": "daily_living",
        "text": "Help needed with washing, dressing and eating",
        "answers": [
            {"code": "none", "text": "None", "points": 0},
            {"code": "some", "text": "Some days", "points": 20},
            {"code": "daily", "text": "Every day", "points": 45},
            {"code": "constant", "text": "Through the day and night", "points": 90},
        ],
    },
    {
        "code": "health",
        "text": "Health needs managed at home",
        "answers": [
            {"code": "stable", "text": "Stable, occasional checks", "points": 5},
            {"code": "regular", "text": "Regular treatment or medication support", "points": 25},
            {"code": "complex", "text": "Complex needs (continuing healthcare)", "points": 60},
        ],
    },
    {
        "code": "getting_about",
        "text": "Getting about and taking part in the community",
        "answers": [
            {"code": "independent", "text": "Independently", "points": 0},
            {"code": "with_help", "text": "With help on some trips", "points": 10},
            {"code": "always_with_help", "text": "Always with someone", "points": 25},
        ],
    },
    {
        "code": "carers",
        "text": "Support from family or friends",
        "answers": [
            {"code": "strong", "text": "Most needs met by carers who can continue", "points": 0},
            {"code": "some", "text": "Some support, carers need breaks", "points": 15},
            {"code": "none", "text": "No support available", "points": 30},
        ],
    },
]
QUESTIONNAIRE_POUNDS_PER_POINT = "40.00"


def _demo_answers(index: int) -> dict | None:
    """Every other demo plan answers the questionnaire (a different person's needs each time)."""
    if index % 2:
        return None
    return {
        question["code"]: question["answers"][(index // 2 + position) % len(question["answers"])]["code"]
        for position, question in enumerate(QUESTIONNAIRE)
    }


# (name, service, category, contact, typical amount, typical frequency)
SUPPLIERS = [
    (
        "Better Leisure Centre",
        "Gym and swimming membership",
        "fitness_exercise",
        "0300 123 4567",
        "30.00",
        "monthly",
    ),
    (
        "Caring Hands PA Agency",
        "Personal assistant hours",
        "personal_assistant",
        "020 7946 0102",
        "16.50",
        "weekly",
    ),
    ("Connect Mobile", "Smartphone and SIM", "connectivity", "shop@connect.example", "250.00", "one_off"),
    ("Paint Pot Art Supplies", "Art materials", "arts_crafts", "0121 496 0077", "60.00", "one_off"),
    (
        "Calm Minds Counselling",
        "Talking therapy sessions",
        "therapies",
        "hello@calmminds.example",
        "45.00",
        "weekly",
    ),
    (
        "Open Door College",
        "Adult education courses",
        "education_training",
        "enrol@opendoor.example",
        "150.00",
        "one_off",
    ),
    ("Hillside Short Breaks", "Respite stays", "short_breaks", "0121 496 0555", "520.00", "weekly"),
    (
        "Access Cycles",
        "Adapted bicycles",
        "equipment_furniture",
        "sales@accesscycles.example",
        "980.00",
        "one_off",
    ),
    ("Community Cabs", "Taxi to appointments", "transport", "0800 123 999", "25.00", "weekly"),
    (
        "Green Fingers Allotment Society",
        "Allotment plot and tools",
        "social_leisure",
        "plots@greenfingers.example",
        "85.00",
        "annually",
    ),
]

OFFERS = [
    {
        "name": "Smartphone and SIM for 12 months",
        "description": "Smartphone with a 12-month SIM contract, to keep in touch",
        "category": "connectivity",
        "amount": Decimal("250.00"),
        "frequency": "one_off",
        "supplier": "Connect Mobile",
        "payment_method": "purchased_by_organisation",
    },
    {
        "name": "Gym membership",
        "description": "Gym and swimming membership",
        "category": "fitness_exercise",
        "amount": Decimal("30.00"),
        "frequency": "monthly",
        "supplier": "Better Leisure Centre",
        "payment_method": "paid_to_provider",
    },
]

# Plans of varied size for the approval tiers (£250 / £750 total; £400 a week):
# (management, months, items: (description, supplier, category, amount, frequency), goals if no conversation)
PLANS = [
    (
        "direct_payment",
        6,
        [
            (
                "Swimming pass for six months",
                "Better Leisure Centre",
                "fitness_exercise",
                "120.00",
                "one_off",
            ),
            ("Swimming costume and goggles", "", "fitness_exercise", "35.00", "one_off"),
        ],
        ["I want to get back to swimming twice a week"],
    ),
    (
        "direct_payment",
        6,
        [
            ("Laptop for an online course", "", "technical_equipment", "450.00", "one_off"),
            (
                "Introduction to bookkeeping course",
                "Open Door College",
                "education_training",
                "150.00",
                "one_off",
            ),
        ],
        ["I want to get a job working with numbers again"],
    ),
    (
        "notional",
        12,
        [("Adapted tricycle", "Access Cycles", "equipment_furniture", "980.00", "one_off")],
        ["I want to ride along the canal with my grandson"],
    ),
    (
        "third_party",
        12,
        [
            (
                "Personal assistant, 8 hours a week",
                "Caring Hands PA Agency",
                "personal_assistant",
                "132.00",
                "weekly",
            ),
            ("Taxi to the day centre", "Community Cabs", "transport", "25.00", "weekly"),
        ],
        ["Have someone I trust to help me with shopping", "Get to the day centre on Wednesdays"],
    ),
    (
        "third_party",
        12,
        [
            ("Respite stays at Hillside", "Hillside Short Breaks", "short_breaks", "520.00", "weekly"),
        ],
        ["Stay at home with my wife, not in a care home", "Give my wife a proper break"],
    ),
    (
        "direct_payment",
        12,
        [
            ("Gym membership", "Better Leisure Centre", "fitness_exercise", "30.00", "monthly"),
            ("Sketchbooks, paints and brushes", "Paint Pot Art Supplies", "arts_crafts", "60.00", "one_off"),
        ],
        ["I'd like to feel less alone at weekends", "Paint again, like I used to"],
    ),
    (
        "direct_payment",
        6,
        [("Counselling sessions, weekly", "Calm Minds Counselling", "therapies", "45.00", "weekly")],
        ["Talk to someone about what happened, so I can sleep again"],
    ),
    (
        "notional",
        12,
        [
            (
                "Allotment plot and tools",
                "Green Fingers Allotment Society",
                "social_leisure",
                "85.00",
                "annually",
            )
        ],
        ["Grow my own vegetables and get out of the flat"],
    ),
]

RISKS = [
    {
        "risk": "Support stops if the provider cannot staff a shift",
        "mitigation": "The agency has a named back-up worker",
    },
]


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, 28))


def _conversation_goals(referral) -> list[str]:
    goals: list[str] = []
    for conversation in referral.conversations.all():
        goals.extend(str(goal) for goal in conversation.goals or [])
    return goals


def seed(context) -> None:
    today = date.today()
    for organisation in context.organisations:
        staff = context.staff[organisation.code]
        coordinator = staff["care_coordinator"]
        commissioner = staff["commissioner"]
        suppliers: dict[str, Supplier] = {}
        for name, service, category, contact, amount, frequency in SUPPLIERS:
            supplier = Supplier.objects.for_org(organisation).filter(name=name, service=service).first()
            suppliers[name] = supplier or supplier_create(
                actor=coordinator,
                organisation=organisation,
                name=name,
                service=service,
                category=category,
                contact=contact,
                typical_amount=Decimal(amount),
                typical_frequency=frequency,
            )
        if not AllocationQuestionnaire.objects.for_org(organisation).exists():
            allocation_services.questionnaire_publish(
                actor=commissioner,
                organisation=organisation,
                questions=QUESTIONNAIRE,
                pounds_per_point=QUESTIONNAIRE_POUNDS_PER_POINT,
                basis="annual",
            )
        for offer in OFFERS:
            fast_track_offer_create(
                actor=commissioner,
                organisation=organisation,
                **{**offer, "supplier": suppliers[offer["supplier"]]},
            )
        referrals = list(
            Referral.objects.for_org(organisation)
            .filter(status="accepted")
            .select_related("person", "care_coordinator")
            .prefetch_related("conversations")
            .order_by("received_on", "id")
        )
        # A person transferred away is the receiver's to plan for.
        people = [
            person
            for person in context.people[organisation.code]
            if standing_transfer(organisation=organisation, person=person) is None
        ]
        for index, (management, months, items, goals) in enumerate(PLANS):
            referral = referrals[index] if index < len(referrals) else None
            person = referral.person if referral else people[index % len(people)]
            words = (_conversation_goals(referral) if referral else []) or goals
            start = today + timedelta(days=7)
            plan_create(
                actor=(referral.care_coordinator if referral and referral.care_coordinator else coordinator),
                organisation=organisation,
                person=person,
                referral=referral,
                start_date=start,
                end_date=_add_months(start, months) - timedelta(days=1),
                management=management,
                funded_nhs=True,
                funded_social_care=management == "third_party",
                contingency="If support breaks down, call the duty team and we will arrange cover within a day.",
                contacts=f"Duty team at {organisation.name}: 0300 555 0100 (9am to 5pm, Monday to Friday)",
                agreed_on=today,
                agreed_by="person",
                agreed_by_name=person.full_name,
                goals=[{"description": goal, "how_budget_helps": ""} for goal in words],
                items=[
                    {
                        "description": description,
                        "category": category,
                        "supplier": suppliers.get(supplier_name),
                        "supplier_name": supplier_name,
                        "amount": Decimal(amount),
                        "frequency": frequency,
                        "payment_method": "paid_to_provider" if supplier_name else "bank_transfer",
                    }
                    for description, supplier_name, category, amount, frequency in items
                ],
                risks=RISKS if management == "third_party" else [],
                allocation_answers=_demo_answers(index),
            )
        context.lines.append(
            f"{organisation.code}: {len(PLANS)} draft support plans, {len(SUPPLIERS)} suppliers, {len(OFFERS)} fast-track offers"
        )
