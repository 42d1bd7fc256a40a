"""The whole pathway through the REST API only, as the acceptance tests drive it on a live server.

A superuser sets up an organisation, its admin adds staff, and a person goes from referral to a
closed account under each of the two example policies from the field.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-42"
TODAY = date.today()


class Actor:
    """A signed-in API user (token auth, as an outside client would use)."""

    def __init__(self, username, password=PASSWORD):
        self.client = APIClient()
        response = self.client.post(
            "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
        )
        assert response.status_code == 200, response.content
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body=None, **headers):
        return self.client.post(f"/api/v1{path}", body or {}, format="json", **headers)

    def put(self, path, body):
        return self.client.put(f"/api/v1{path}", body, format="json")


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.json()


def set_up_organisation(code, name, tiers, staff):
    get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    root = Actor("root")
    ok(
        root.post(
            "/orgs/",
            {
                "code": code,
                "name": name,
                "region": "London",
                "population": 250000,
                "ambition_target": 500,
                "ambition_date": "2027-03-31",
            },
        ),
        201,
    )
    ok(
        root.post(
            f"/orgs/{code}/members/",
            {
                "username": "admin",
                "email": "admin@example.nhs.uk",
                "password": PASSWORD,
                "roles": ["org_admin"],
            },
        ),
        201,
    )
    admin = Actor("admin")
    for username, roles in staff.items():
        ok(
            admin.post(
                f"/orgs/{code}/members/",
                {
                    "username": username,
                    "email": f"{username}@example.nhs.uk",
                    "password": PASSWORD,
                    "roles": roles,
                },
            ),
            201,
        )
    commissioner = Actor("commissioner")
    policy = ok(commissioner.put(f"/orgs/{code}/approval-policy/", {"tiers": tiers}))
    assert len(policy["tiers"]) == len(tiers)
    return {username: Actor(username) for username in staff}


def referral_to_submitted_plan(code, coordinator, items, nhs_number="9434765919"):
    person = ok(
        coordinator.post(
            f"/orgs/{code}/people/",
            {
                "nhs_number": nhs_number,
                "given_name": "Amara",
                "family_name": "Okafor",
                "date_of_birth": "1985-04-12",
                "gender": "2",
                "ethnicity": "N",
                "cohorts": ["mental_health"],
            },
        ),
        201,
    )
    referral = ok(
        coordinator.post(
            f"/orgs/{code}/referrals/",
            {
                "person": person["id"],
                "source": "gp",
                "cohort": "mental_health",
                "received_on": str(TODAY - timedelta(days=20)),
                "notes": "Referred by her GP",
            },
        ),
        201,
    )
    ok(coordinator.post(f"/orgs/{code}/referrals/{referral['id']}/accept/", {}))
    ok(
        coordinator.post(
            f"/orgs/{code}/referrals/{referral['id']}/conversations/",
            {
                "held_on": str(TODAY - timedelta(days=10)),
                "mode": "home_visit",
                "participants": ["person"],
                "notes": "Talked about what helps",
                "goals": ["I want to get back to swimming"],
            },
        ),
        201,
    )
    plan = ok(
        coordinator.post(
            f"/orgs/{code}/plans/",
            {
                "person": person["id"],
                "referral": referral["id"],
                "start_date": str(TODAY),
                "end_date": str(TODAY + timedelta(days=364)),
                "management": "direct_payment",
                "goals": [{"description": "I want to get back to swimming"}],
                "items": items,
            },
        ),
        201,
    )
    assert plan["status"] == "draft"
    submitted = ok(coordinator.post(f"/orgs/{code}/plans/{plan['id']}/submit/"))
    assert submitted["status"] == "submitted"
    return person, plan, submitted["approval"]


def test_city_and_hackney_policy_from_referral_to_closed_account():
    tiers = [
        {
            "up_to": "250.00",
            "basis": "total",
            "signoffs": [{"role": "care_coordinator", "count": 1}],
            "submitter_may_sign": True,
        },
        {
            "up_to": "750.00",
            "basis": "total",
            "signoffs": [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}],
            "submitter_may_sign": True,
        },
        {
            "up_to": None,
            "basis": "total",
            "signoffs": [
                {"role": "lived_experience_reviewer", "count": 1},
                {"role": "phb_lead", "count": 1},
                {"role": "commissioner", "count": 1},
            ],
            "submitter_may_sign": False,
        },
    ]
    staff = set_up_organisation(
        "07T",
        "NHS City and Hackney",
        tiers,
        {
            "coordinator": ["care_coordinator"],
            "lead": ["team_lead"],
            "clinician": ["phb_lead"],
            "peer": ["lived_experience_reviewer"],
            "commissioner": ["commissioner"],
            "broker": ["broker"],
            "finance": ["finance"],
        },
    )
    coordinator = staff["coordinator"]
    items = [
        {
            "description": "Swimming lessons",
            "category": "fitness_exercise",
            "amount": "300.00",
            "frequency": "one_off",
            "payment_method": "bank_transfer",
        },
        {
            "description": "Art materials",
            "category": "arts_crafts",
            "amount": "150.00",
            "frequency": "one_off",
        },
    ]
    person, plan, approval = referral_to_submitted_plan("07T", coordinator, items)
    assert (approval["tier"], approval["basis"], approval["measured_amount"]) == (2, "total", "450.00")
    assert sorted((r["role"], r["count"]) for r in approval["required"]) == [
        ("care_coordinator", 1),
        ("team_lead", 1),
    ]

    # The submitter may sign this tier; the team lead co-signs; approved at the last sign-off.
    after_first = ok(
        coordinator.post(
            f"/orgs/07T/approvals/{approval['id']}/decisions/",
            {"decision": "approve", "role": "care_coordinator", "comment": "Meets goals"},
        ),
        201,
    )
    assert after_first["status"] == "pending"
    assert (
        staff["broker"]
        .post(
            f"/orgs/07T/approvals/{approval['id']}/decisions/",
            {"decision": "approve", "role": "team_lead", "comment": ""},
        )
        .status_code
        == 403
    )
    done = ok(
        staff["lead"].post(
            f"/orgs/07T/approvals/{approval['id']}/decisions/",
            {"decision": "approve", "role": "team_lead", "comment": "Agreed"},
        ),
        201,
    )
    assert done["status"] == "approved"
    assert ok(coordinator.get(f"/orgs/07T/plans/{plan['id']}/"))["status"] == "approved"

    # Money: release, pay (idempotently), never beyond the approved amount.
    ok(
        staff["finance"].post(
            f"/orgs/07T/plans/{plan['id']}/account/release/", {"amount": "450.00", "released_on": str(TODAY)}
        ),
        201,
    )
    payment = {
        "amount": "300.00",
        "paid_on": str(TODAY),
        "method": "bank_transfer",
        "payee": "Swim England",
        "reference": "INV-1",
    }
    first = staff["broker"].post(
        f"/orgs/07T/plans/{plan['id']}/payments/", payment, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201, first.content
    again = staff["broker"].post(
        f"/orgs/07T/plans/{plan['id']}/payments/", payment, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.json() == first.json()
    clash = staff["broker"].post(
        f"/orgs/07T/plans/{plan['id']}/payments/", {**payment, "amount": "1.00"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert clash.status_code == 409
    over = staff["broker"].post(
        f"/orgs/07T/plans/{plan['id']}/payments/", {**payment, "amount": "150.01"}, HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert over.status_code == 409
    assert (
        coordinator.post(
            f"/orgs/07T/plans/{plan['id']}/payments/", payment, HTTP_IDEMPOTENCY_KEY="k-3"
        ).status_code
        == 403
    )
    account = ok(coordinator.get(f"/orgs/07T/plans/{plan['id']}/account/"))
    assert (account["approved"], account["released"], account["paid"], account["balance"]) == (
        "450.00",
        "450.00",
        "300.00",
        "150.00",
    )
    assert ok(coordinator.get(f"/orgs/07T/plans/{plan['id']}/"))["status"] == "active"

    # Reviews: scheduled when the plan starts; one on request; completed with measures.
    reviews = ok(coordinator.get("/orgs/07T/reviews/", status="due"))
    assert reviews["count"] >= 1
    requested = ok(
        coordinator.post(
            f"/orgs/07T/plans/{plan['id']}/reviews/", {"kind": "on_request", "due_on": str(TODAY)}
        ),
        201,
    )
    bad = coordinator.post(
        f"/orgs/07T/reviews/{requested['id']}/complete/",
        {
            "held_on": str(TODAY),
            "measures": [{"instrument": "SWEMWBS", "score": 36}],
            "goals": [],
            "decision": "continue",
            "notes": "",
        },
    )
    assert bad.status_code == 400
    goal_id = ok(coordinator.get(f"/orgs/07T/plans/{plan['id']}/"))["goals"][0]["id"]
    ok(
        coordinator.post(
            f"/orgs/07T/reviews/{requested['id']}/complete/",
            {
                "held_on": str(TODAY),
                "measures": [{"instrument": "SWEMWBS", "score": 24}, {"instrument": "ReQoL-10", "score": 30}],
                "goals": [{"goal": goal_id, "attainment": 1}],
                "decision": "continue",
                "notes": "Going well",
            },
        )
    )

    # Reporting sees it; the person's record shows the whole story.
    dashboard = ok(staff["commissioner"].get("/orgs/07T/dashboard/"))
    assert dashboard["in_place"] == 1
    quarter = f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"
    phb_return = ok(staff["commissioner"].get("/orgs/07T/returns/phb/", quarter=quarter, format="json"))
    assert phb_return["total"] == 1 and phb_return["ltc_inc_mh"] == 1 and phb_return["provisional"] is True
    record = ok(coordinator.get(f"/orgs/07T/people/{person['id']}/"))
    assert record["referrals"] and record["plans"] and record["timeline"]

    # Close the account with a reason.
    closed = ok(
        coordinator.post(
            f"/orgs/07T/plans/{plan['id']}/close/", {"reason": "goals_achieved", "closed_on": str(TODAY)}
        )
    )
    assert closed["status"] == "closed"


def test_birmingham_and_solihull_weekly_policy_with_a_panel():
    tiers = [
        {
            "up_to": "400.00",
            "basis": "weekly",
            "signoffs": [{"role": "commissioner", "count": 1}],
            "submitter_may_sign": False,
        },
        {
            "up_to": None,
            "basis": "weekly",
            "signoffs": [
                {"role": "phb_lead", "count": 1},
                {"role": "commissioner", "count": 1},
                {"role": "lived_experience_reviewer", "count": 1},
            ],
            "submitter_may_sign": False,
        },
    ]
    staff = set_up_organisation(
        "15E",
        "NHS Birmingham and Solihull",
        tiers,
        {
            "coordinator": ["care_coordinator"],
            "clinician": ["phb_lead"],
            "peer": ["lived_experience_reviewer"],
            "commissioner": ["commissioner"],
            "commissioner2": ["commissioner"],
        },
    )
    small = [
        {
            "description": "Personal assistant",
            "category": "personal_assistant",
            "amount": "350.00",
            "frequency": "weekly",
        }
    ]
    _, small_plan, small_approval = referral_to_submitted_plan("15E", staff["coordinator"], small)
    assert (small_approval["tier"], small_approval["basis"], small_approval["measured_amount"]) == (
        1,
        "weekly",
        "350.00",
    )
    done = ok(
        staff["commissioner"].post(
            f"/orgs/15E/approvals/{small_approval['id']}/decisions/",
            {"decision": "approve", "role": "commissioner", "comment": "Within limit"},
        ),
        201,
    )
    assert done["status"] == "approved"

    large = [
        {
            "description": "Care agency",
            "category": "personal_assistant",
            "amount": "1040.00",
            "frequency": "fortnightly",
        }
    ]
    _, _, large_approval = referral_to_submitted_plan(
        "15E", staff["coordinator"], large, nhs_number="9434765870"
    )
    assert (large_approval["tier"], large_approval["measured_amount"]) == (2, "520.00")
    waiting = ok(staff["peer"].get("/orgs/15E/approvals/", status="pending", mine="true"))
    assert [a["id"] for a in waiting["results"]] == [large_approval["id"]]
    for username, role in (("peer", "lived_experience_reviewer"), ("clinician", "phb_lead")):
        assert (
            ok(
                staff[username].post(
                    f"/orgs/15E/approvals/{large_approval['id']}/decisions/",
                    {"decision": "approve", "role": role, "comment": ""},
                ),
                201,
            )["status"]
            == "pending"
        )
    declined = ok(
        staff["commissioner2"].post(
            f"/orgs/15E/approvals/{large_approval['id']}/decisions/",
            {
                "decision": "decline",
                "role": "commissioner",
                "comment": "Not in line with the s117 aftercare plan",
            },
        ),
        201,
    )
    assert declined["status"] == "declined"
    again = staff["commissioner"].post(
        f"/orgs/15E/approvals/{large_approval['id']}/decisions/",
        {"decision": "approve", "role": "commissioner", "comment": ""},
    )
    assert again.status_code == 409
    assert ok(staff["coordinator"].get(f"/orgs/15E/plans/{small_plan['id']}/"))["status"] == "approved"
