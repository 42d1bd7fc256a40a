"""The small data set path: the same story told in Python with bulk_create, for SQLite and tests.

Tiny sizes only (hundreds of people). Deterministic for a seed: every person draws from their
own `random.Random(seed, person)`. Each person is put through one scenario of the pathway in
turn, so that even a few hundred people cover every cohort, management option, approval tier,
plan, request, review and referral status. Costs and tiers come from the apps' own pure rules
(support_plans/costs.py, approvals/policy.py), so the stored figures are what the apps compute.
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from approvals import policy as rules
from support_plans import costs as plan_costs_rule

from . import spec

SCENARIOS = (
    "active",
    "active",
    "renewed",
    "renewing_pending",
    "closed",
    "unfunded",
    "pending",
    "draft",
    "declined_plan",
    "returned_then_active",
    "received",
    "declined",
    "withdrawn",
    "transferred",
    "conversation_only",
    "active",
)
APP_LABELS = ("phb", "referrals", "support_plans", "approvals", "payments", "reviews", "reporting")
CENTS = Decimal("0.01")


def _m(label):
    return apps.get_model(label)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, min(day.day, 28))


def _pick(rng, choices):
    total = sum(w for _v, w in choices)
    x = rng.random() * total
    for value, weight in choices:
        x -= weight
        if x < 0:
            return value
    return choices[-1][0]


def clear(force: bool = False) -> None:
    Organisation = _m("phb.Organisation")
    User = get_user_model()
    if Organisation.objects.exists() and not force:
        generated = User.objects.filter(username__startswith="bench_").exists()
        if not generated:
            raise RuntimeError("This database holds data not generated here: use --force to wipe it.")
    models = [m for label in APP_LABELS for m in apps.get_app_config(label).get_models()]
    with connection.constraint_checks_disabled():
        for model in models:
            model._base_manager.all()._raw_delete(model._base_manager.db)
        get_user_model()._base_manager.all().delete()


@transaction.atomic
def generate(*, orgs: int, people: int, seed: int, as_of: date, force: bool = False) -> dict:
    clear(force)
    rows: dict[str, list] = {}

    def add(label, **fields):
        rows.setdefault(label, []).append(_m(label)(**fields))

    layout = spec.layout(orgs, people)
    bench_hash = make_password(spec.BENCH_PASSWORD)
    start = _at(spec.PROGRAMME_START)
    tenant = {"created_at": start, "modified_at": start}
    staff: dict[int, dict[str, list[int]]] = {}
    for o in layout:
        add("phb.Organisation", id=o.id, code=o.code, name=o.name, region=o.region, population=o.population,
            ambition_target=spec.ambition(o.population), ambition_date=spec.AMBITION_DATE, **tenant)  # fmt: skip
        for t in range(o.teams):
            add(
                "phb.Team",
                id=o.team_base + t,
                organisation_id=o.id,
                name=f"Team {t + 1} ({o.code})",
                **tenant,
            )
        staff[o.id] = {}
        uid = o.user_base
        for kind, _n, roles in spec.STAFF_KINDS:
            for k in range(o.counts[kind]):
                username = f"bench_{o.code.lower()}" if kind == "bench" else f"g{o.code.lower()}_{kind}{k}"
                pool_index = k if kind in ("bench", "tl") else k + 1
                team = o.team_base + (pool_index // spec.CARE_COORDINATORS_PER_TEAM if kind != "tl" else k)
                add("auth.User", id=uid, username=username, email=f"{username}@example.nhs.uk",
                    password=bench_hash if kind == "bench" else "!" + str(seed) + username,
                    first_name=spec.GIVEN_NAMES_FEMALE[uid % len(spec.GIVEN_NAMES_FEMALE)],
                    last_name=spec.FAMILY_NAMES[uid % len(spec.FAMILY_NAMES)], date_joined=start)  # fmt: skip
                add("phb.Membership", id=uid, organisation_id=o.id, user_id=uid,
                    team_id=team if kind in ("bench", "cc", "tl") else None, **tenant)  # fmt: skip
                for index, role in enumerate(roles):
                    add("phb.MembershipRole", id=uid * 10 + index, organisation_id=o.id, membership_id=uid,
                        role=role, **tenant)  # fmt: skip
                staff[o.id].setdefault(kind, []).append(uid)
                uid += 1
        policy = spec.POLICIES[o.policy]
        add("approvals.ApprovalPolicy", id=o.id, organisation_id=o.id, version=1, effective_from=start,
            tiers=policy, note="Delegated limits agreed by the board", **tenant)  # fmt: skip
        add("reviews.ReviewPolicy", id=o.id, organisation_id=o.id, first_review_weeks=12,
            interval_weeks=(13, 26, 52)[o.id % 3], midpoint_and_end=o.id % 5 == 0, **tenant)  # fmt: skip
        for k, name in enumerate(spec.SUPPLIERS):
            add("support_plans.Supplier", id=o.id * 100 + k, organisation_id=o.id, name=name, **tenant)
        add("support_plans.FastTrackOffer", id=o.id * 10, organisation_id=o.id, name="Phone and SIM",
            description="Smartphone with a year of data", category="connectivity", amount=Decimal("180.00"),
            **tenant)  # fmt: skip
    counter = {"entry": 0}
    for o in layout:
        tiers = rules.validate_tiers(spec.POLICIES[o.policy])
        pool = staff[o.id]["bench"] + staff[o.id].get("cc", [])
        for i in range(o.first_person, o.last_person + 1):
            _person(add, rng=random.Random(seed * 1_000_003 + i), i=i, o=o, as_of=as_of, tiers=tiers,
                    pool=pool, staff=staff[o.id], n_orgs=len(layout), counter=counter)  # fmt: skip
    order = [
        "phb.Organisation", "phb.Team", "auth.User", "phb.Membership", "phb.MembershipRole",
        "approvals.ApprovalPolicy", "reviews.ReviewPolicy", "support_plans.Supplier",
        "support_plans.FastTrackOffer", "phb.Person", "phb.PersonCohort", "referrals.Referral",
        "referrals.Conversation", "support_plans.Budget", "support_plans.SupportPlan", "support_plans.PlanGoal",
        "support_plans.PlanItem", "support_plans.PlanRisk", "approvals.ApprovalRequest", "approvals.Decision",
        "payments.BudgetAccount", "payments.LedgerEntry", "payments.Instalment", "reviews.Review",
        "reviews.OutcomeMeasure", "reviews.GoalAttainment",
    ]  # fmt: skip
    counts = {}
    for label in order:
        objs = rows.get(label, [])
        _m(label).objects.bulk_create(objs, batch_size=500)
        counts[label] = len(objs)
    return counts


def _person(add, *, rng, i, o, as_of, tiers, pool, staff, n_orgs, counter):
    local = i - o.first_person
    scenario = SCENARIOS[local % len(SCENARIOS)]
    code, _w, lo, hi, months, _recurring = spec.COHORTS[(local // 2) % len(spec.COHORTS)]
    management = spec.MANAGEMENT[local % len(spec.MANAGEMENT)][0]
    second = spec.SECOND_COHORT.get(code)
    c2 = second[0] if second and rng.random() < second[1] / 1000 else None
    age = rng.randint(lo, hi)
    gender = "2" if code == "maternity" else _pick(rng, spec.GENDERS)
    cc_k = 1 + local % max(len(pool) - 1, 1) if len(pool) > 1 else 0
    cc = pool[cc_k]
    team = o.team_base + cc_k // spec.CARE_COORDINATORS_PER_TEAM
    team_lead = staff["tl"][min(cc_k // spec.CARE_COORDINATORS_PER_TEAM, len(staff["tl"]) - 1)]
    other_cc = pool[(cc_k + 1) % len(pool)]
    recent = scenario in ("received", "pending", "draft", "unfunded", "declined_plan")
    days_ago = rng.randint(30, 60) if recent else rng.randint(400, 2500)
    if scenario == "unfunded":
        days_ago = 120
    received = as_of - timedelta(days=days_ago)
    tenant = {"organisation_id": o.id, "created_at": _at(received), "modified_at": _at(received)}
    family = spec.FAMILY_NAMES[rng.randrange(len(spec.FAMILY_NAMES))]
    names = spec.GIVEN_NAMES_MALE if gender == "1" else spec.GIVEN_NAMES_FEMALE
    add("phb.Person", id=i, nhs_number=_nhs_number(i), given_name=names[rng.randrange(len(names))],
        family_name=family, date_of_birth=as_of - timedelta(days=int(age * 365.25) + rng.randrange(365)),
        gender=gender, ethnicity=_pick(rng, spec.ETHNICITIES), **tenant)  # fmt: skip
    add("phb.PersonCohort", id=i * 2, person_id=i, cohort=code, **tenant)
    if c2:
        add("phb.PersonCohort", id=i * 2 + 1, person_id=i, cohort=c2, **tenant)
    status = {
        "received": "received",
        "declined": "declined",
        "withdrawn": "withdrawn",
        "transferred": "transferred",
    }
    ref_status = status.get(scenario, "accepted")
    accepted = received + timedelta(days=2)
    add("referrals.Referral", id=i, person_id=i, source=_pick(rng, spec.SOURCES), cohort=code, received_on=received,
        status=ref_status, care_coordinator_id=cc if ref_status == "accepted" else None,
        team_id=team if ref_status == "accepted" else None,
        accepted_at=_at(accepted) if ref_status == "accepted" else None,
        closed_at=_at(received + timedelta(days=5)) if ref_status in ("declined", "withdrawn", "transferred") else None,
        status_reason="Not eligible" if ref_status == "declined" else "",
        transferred_to_id=1 + o.id % n_orgs if ref_status == "transferred" else None, **tenant)  # fmt: skip
    if ref_status != "accepted":
        return
    conv = accepted + timedelta(days=3)
    add("referrals.Conversation", id=i * 2, referral_id=i, person_id=i, held_on=conv,
        mode=_pick(rng, spec.CONVERSATION_MODES), participants=["person", "family_carer"],
        goals=["To stay living at home"], **{**tenant, "created_at": _at(conv)})  # fmt: skip
    if scenario == "conversation_only":
        return
    # Versions of the support plan: (start, outcome) in order.
    s1 = _add_months(conv + timedelta(days=20), 0)
    if scenario in ("pending", "draft"):
        s1 = as_of + timedelta(days=14)
    outcomes = {
        "active": ["approved"],
        "returned_then_active": ["approved"],
        "renewed": ["approved", "approved"],
        "renewing_pending": ["approved", "pending"],
        "closed": ["approved"],
        "unfunded": ["approved"],
        "pending": ["pending"],
        "draft": ["draft"],
        "declined_plan": ["declined"],
    }[scenario]
    if scenario in ("renewed", "renewing_pending"):
        s1 = _add_months(as_of, -13)
    if scenario == "unfunded":
        s1 = as_of - timedelta(days=60)
    profile = spec.ITEM_PROFILES[spec.COHORT_PROFILE[code]]
    n_items = 1 + rng.randrange(len(profile))
    # Scale amounts so that the tiers all occur: small, medium and large plans in turn.
    scale = (Decimal("0.05"), Decimal("0.4"), Decimal("1"))[(local // 3) % 3]
    base = [
        (
            cat,
            freq,
            max(Decimal(1), (Decimal(rng.randint(lo_a, hi_a)) * scale).quantize(Decimal(1))),
            desc,
            method,
        )
        for cat, freq, lo_a, hi_a, desc, method in profile[:n_items]
    ]
    budget_closed = as_of - timedelta(days=30) if scenario == "closed" else None
    plans = []
    for index, outcome in enumerate(outcomes):
        vnum = index + 1
        start = _add_months(s1, 12 * index)
        end = _add_months(start, months) - timedelta(days=1)
        submitted = (start - timedelta(days=10)) if outcome != "pending" else as_of - timedelta(days=2)
        pid = i * 3 + index
        lines = [
            plan_costs_rule.Line(amount=(amount * Decimal("1.03") ** index).quantize(CENTS), frequency=freq)
            for _c, freq, amount, _d, _m2 in base
        ]
        costs = plan_costs_rule.plan_costs(start, end, lines)
        tier_index, tier, measured = rules.choose_tier(tiers, costs)
        decided = _at(submitted, 9) + timedelta(days=1 + tier_index * 3)
        plans.append(dict(pid=pid, vnum=vnum, start=start, end=end, submitted=submitted, outcome=outcome,
                          costs=costs, tier_index=tier_index, tier=tier, measured=measured, decided=decided,
                          lines=lines))  # fmt: skip
    approved = [p for p in plans if p["outcome"] == "approved"]
    account_plan = approved[-1] if approved else None
    released_on = None
    if account_plan and scenario != "unfunded":
        released_on = min(approved[0]["decided"].date() + timedelta(days=5), as_of)
    add("support_plans.Budget", id=i, person_id=i, referral_id=i, closed_on=budget_closed,
        close_reason="goals_achieved" if budget_closed else "", **tenant)  # fmt: skip
    previous = None
    for p in plans:
        if p["outcome"] == "approved" and p is not account_plan:
            status = "superseded"
        elif p["outcome"] == "approved":
            status = "closed" if budget_closed else ("active" if released_on else "approved")
        else:
            status = {"pending": "submitted"}.get(p["outcome"], p["outcome"])
        later = [q for q in approved if q["vnum"] > p["vnum"]]
        superseded_at = later[0]["decided"] if status == "superseded" else None
        is_decided = p["outcome"] in ("approved", "declined")
        add("support_plans.SupportPlan", id=p["pid"], budget_id=i, person_id=i, referral_id=i, version=p["vnum"],
            previous_version_id=previous, status=status, care_coordinator_id=cc, start_date=p["start"],
            end_date=p["end"], management=management,
            funded_social_care=code in ("chc", "ld_autism", "s117") and local % 7 == 0,
            funded_education="ehcp" in (code, c2),
            agreed_on=p["submitted"] - timedelta(days=1) if status != "draft" else None,
            agreed_by="" if status == "draft" else ("representative" if age < 18 else "person"),
            cost_total=p["costs"].total, cost_weekly=p["costs"].weekly, cost_annual=p["costs"].annual,
            submitted_at=_at(p["submitted"], 9) if status != "draft" else None,
            decided_at=p["decided"] if is_decided else None,
            approved_at=p["decided"] if p["outcome"] == "approved" else None,
            activated_at=max(p["decided"], _at(released_on, 12)) if released_on and status in ("active", "closed", "superseded") else None,
            superseded_at=superseded_at, closed_at=_at(budget_closed, 16) if status == "closed" else None,
            return_comment="Please add how the budget helps with goal 2." if scenario == "returned_then_active" else "",
            **{**tenant, "created_at": _at(p["submitted"] - timedelta(days=2))})  # fmt: skip
        previous = p["pid"]
        for k in range(1 + p["pid"] % 3):
            add("support_plans.PlanGoal", id=p["pid"] * 3 + k, plan_id=p["pid"], description="To stay living at home",
                position=k, **tenant)  # fmt: skip
        for j, (category, freq, _amount, desc, method) in enumerate(base):
            add("support_plans.PlanItem", id=p["pid"] * 4 + j, plan_id=p["pid"], description=desc, category=category,
                amount=p["lines"][j].amount, frequency=freq, payment_method=method, position=j, **tenant)  # fmt: skip
        add("support_plans.PlanRisk", id=p["pid"], plan_id=p["pid"], risk="Support could break down",
            mitigation="An agency provides cover", **tenant)  # fmt: skip
        if status == "draft":
            continue
        tier = p["tier"]
        required = [{"role": s.role, "count": s.count} for s in tier.signoffs]
        request = {"pending": "pending", "declined": "declined"}.get(p["outcome"], "approved")
        common = dict(plan_id=p["pid"], person_id=i, policy_id=o.id, policy_version=1, tier=p["tier_index"] + 1,
                      basis=tier.basis, measured_amount=p["measured"], up_to=tier.up_to, required=required,
                      submitter_may_sign=tier.submitter_may_sign, submitted_by_id=cc)  # fmt: skip
        add("approvals.ApprovalRequest", id=p["pid"] * 2, submitted_at=_at(p["submitted"], 9), status=request,
            decided_at=p["decided"] if request != "pending" else None, **common, **tenant)  # fmt: skip
        if scenario == "returned_then_active":
            add("approvals.ApprovalRequest", id=p["pid"] * 2 + 1, submitted_at=_at(p["submitted"] - timedelta(days=7)),
                status="returned", decided_at=_at(p["submitted"] - timedelta(days=3)), **common, **tenant)  # fmt: skip
            add("approvals.Decision", id=p["pid"] * 8 + 5, request_id=p["pid"] * 2 + 1, user_id=other_cc,
                role=required[0]["role"] if required[0]["role"] == "care_coordinator" else "care_coordinator",
                decision="return", comment="Please add how the budget helps with goal 2.",
                at=_at(p["submitted"] - timedelta(days=3)), **tenant)  # fmt: skip
        if request == "pending":
            continue
        signers = {
            "care_coordinator": cc if tier.submitter_may_sign else other_cc,
            "team_lead": team_lead,
            "commissioner": staff["com"][local % len(staff["com"])],
            "phb_lead": staff["phb"][local % len(staff["phb"])],
            "lived_experience_reviewer": staff["lex"][local % len(staff["lex"])],
        }
        slots = [s.role for s in tier.signoffs for _ in range(s.count)]
        if request == "declined":
            slots = slots[:1]
        for s, role in enumerate(slots, start=1):
            add("approvals.Decision", id=p["pid"] * 8 + s, request_id=p["pid"] * 2,
                user_id=other_cc if request == "declined" and role == "care_coordinator" else signers[role],
                role=role, decision="decline" if request == "declined" else "approve",
                comment="Other funding is available" if request == "declined" else "",
                at=p["decided"], **tenant)  # fmt: skip
    if not account_plan:
        return
    approved_total = account_plan["costs"].total
    entries = []
    if released_on:
        entries.append(("release", approved_total, released_on, None))
        npay = 2 + rng.randrange(15)
        horizon = budget_closed or as_of
        for k in range(npay):
            amount = max(
                CENTS,
                (approved_total * Decimal("0.95") * Decimal(rng.uniform(0.4, 1)) / npay).quantize(CENTS),
            )
            entries.append(("payment", amount, released_on + (horizon - released_on) * k / npay, None))
        if local % 5 == 0 and len(entries) > 1:
            entries.append(
                ("refund", max(CENTS, (entries[1][1] / 5).quantize(CENTS)), entries[1][2], i * 20 + 1)
            )
    paid = sum((a for k, a, _d, _r in entries if k == "payment"), Decimal(0)) - sum(
        (a for k, a, _d, _r in entries if k == "refund"), Decimal(0)
    )
    released = sum((a for k, a, _d, _r in entries if k == "release"), Decimal(0))
    add("payments.BudgetAccount", id=i, budget_id=i, person_id=i, plan_id=account_plan["pid"], approved=approved_total,
        released=released, paid=paid, opened_at=approved[0]["decided"],
        first_released_at=_at(released_on, 12) if released_on else None,
        first_paid_at=_at(entries[1][2], 12) if len(entries) > 1 else None, closed_on=budget_closed, **tenant)  # fmt: skip
    for slot, (kind, amount, day, reverses) in enumerate(entries):
        add("payments.LedgerEntry", id=i * 20 + slot, account_id=i, plan_id=account_plan["pid"], kind=kind,
            amount=amount, entry_date=day, method="bank_transfer" if kind == "payment" else "",
            payee=spec.SUPPLIERS[slot % 20] if kind == "payment" else "", reference=f"PAY-{i * 20 + slot}",
            reverses_id=reverses, **tenant)  # fmt: skip
    first_recurring = next((j for j, b in enumerate(base) if b[1] != "one_off"), None)
    if first_recurring is not None and released_on and not budget_closed:
        for k in range(3):
            due = account_plan["start"] + timedelta(days=7 * k)
            add("payments.Instalment", id=account_plan["pid"] * 16 + k, account_id=i, plan_id=account_plan["pid"],
                item_id=account_plan["pid"] * 4 + first_recurring, due_on=due,
                amount=account_plan["lines"][first_recurring].amount,
                status="paid" if due <= as_of else "due", **tenant)  # fmt: skip
    # Reviews of the plan in place: completed, overdue and due.
    for k, (offset, state) in enumerate(((-200, "completed"), (-20, "scheduled"), (40, "scheduled"))):
        if budget_closed and state == "scheduled":
            state = "cancelled"
        due = as_of + timedelta(days=offset)
        rid = i * 4 + k
        add("reviews.Review", id=rid, budget_id=i, plan_id=account_plan["pid"], person_id=i,
            kind=("first", "scheduled", "on_request")[k], due_on=due, status=state,
            held_on=due if state == "completed" else None, completed_on=due if state == "completed" else None,
            decision="continue" if state == "completed" else "",
            **{**tenant, "created_at": _at(min(received, due - timedelta(days=60)))})  # fmt: skip
        if state == "completed":
            add("reviews.OutcomeMeasure", id=rid, review_id=rid, person_id=i, instrument="SWEMWBS",
                score=Decimal(rng.randint(14, 30)), recorded_on=due, **tenant)  # fmt: skip
            add("reviews.GoalAttainment", id=rid, review_id=rid, goal_id=account_plan["pid"] * 3, attainment="0",
                **tenant)  # fmt: skip


def _nhs_number(i: int) -> str:
    for d in (400_000_000 + 3 * i, 400_000_001 + 3 * i, 400_000_002 + 3 * i):
        digits = f"{d:09d}"
        check = 11 - sum(int(c) * (10 - k) for k, c in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
    raise ValueError(i)
