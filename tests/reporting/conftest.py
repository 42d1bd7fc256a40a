"""A hand-built data set with known answers for every figure of the dashboard and the return.

On AS_OF (30 June 2024, the end of 2024Q2) five PHBs are in place:

| holder | born       | in place version              | category       | cohorts       | management     | cost  |
|--------|------------|-------------------------------|----------------|---------------|----------------|-------|
| Alice  | 1980-05-17 | approved 2024-01-10           | nhs_funded_chc | chc           | direct_payment | 1000  |
| Ben    | 1950-01-01 | approved 2024-04-15, joint    | joint_funded   | chc, s117     | notional       | 2000  |
| Cara   | 2006-07-01 | approved 2024-05-01, joint    | children       | ccc           | third_party    | 1000  |
| Dev    | 2006-06-30 | approved 2024-06-01           | ltc_inc_mh     | mental_health | direct_payment | 500   |
| Hal    | 1990-03-03 | v2 approved 2024-04-20        | ltc_inc_mh     | mental_health | direct_payment | 600   |

Not in place on AS_OF: Eve (approved 2024-02-01, budget closed 2024-05-31: in place on PAST),
Fay (declined), Gus (submitted, and a draft), Hal's v1 (superseded 2024-04-20: in place on PAST),
Ian (approved 2024-07-15, after AS_OF). Cara turns 18 the day after the quarter end (a child);
Dev turns 18 on the quarter end itself (an adult).
"""

from datetime import date

import pytest

from phb.constants import Role
from tests.factories import (
    OrganisationFactory,
    london,
    member,
    report_account,
    report_approval_request,
    report_conversation,
    report_ledger_entry,
    report_person,
    report_plan,
    report_referral,
    report_review,
)

AS_OF = date(2024, 6, 30)
PAST = date(2024, 3, 31)


@pytest.fixture
def world(org, other_org):
    """The data set above in `org` (07T, London); one PHB in a second London organisation."""
    people = {
        "alice": report_person(org, born=date(1980, 5, 17), gender="2", ethnicity="A", cohorts=["chc"]),
        "ben": report_person(org, born=date(1950, 1, 1), gender="1", ethnicity="H", cohorts=["chc", "s117"]),
        "cara": report_person(org, born=date(2006, 7, 1), gender="2", ethnicity="M", cohorts=["ccc"]),
        "dev": report_person(
            org, born=date(2006, 6, 30), gender="1", ethnicity="Z", cohorts=["mental_health"]
        ),
        "eve": report_person(org, born=date(1970, 1, 1), gender="2", ethnicity="R", cohorts=["ltc"]),
        "fay": report_person(org, cohorts=["ltc"]),
        "gus": report_person(org, cohorts=["ltc"]),
        "hal": report_person(
            org, born=date(1990, 3, 3), gender="X", ethnicity="D", cohorts=["mental_health"]
        ),
        "ian": report_person(org, cohorts=["ltc"]),
    }
    referrals = {
        "alice": report_referral(org, people["alice"], received_on=date(2024, 1, 1)),
        "ben": report_referral(org, people["ben"], received_on=date(2024, 3, 16)),
        "cara": report_referral(org, people["cara"], received_on=date(2024, 4, 11)),
        "ian": report_referral(org, people["ian"], received_on=date(2024, 6, 1)),
    }
    report_conversation(referrals["alice"], held_on=date(2024, 1, 3))
    report_conversation(referrals["ben"], held_on=date(2024, 3, 20))
    report_conversation(referrals["ian"], held_on=date(2024, 7, 2))

    plans = {}
    plans["alice"] = report_plan(
        org,
        people["alice"],
        approved=date(2024, 1, 10),
        referral=referrals["alice"],
        cost_total="1000.00",
        items=[("personal_assistant", "50.00", "weekly"), ("transport", "400.00", "one_off")],
    )
    plans["ben"] = report_plan(
        org,
        people["ben"],
        approved=date(2024, 4, 15),
        referral=referrals["ben"],
        management="notional",
        funded_social_care=True,
        cost_total="2000.00",
        items=[("home_support", "2000.00", "one_off")],
    )
    plans["cara"] = report_plan(
        org,
        people["cara"],
        approved=date(2024, 5, 1),
        referral=referrals["cara"],
        management="third_party",
        funded_social_care=True,
        cost_total="1000.00",
        status="approved",
        items=[("therapies", "1000.00", "one_off")],
    )
    plans["dev"] = report_plan(
        org,
        people["dev"],
        approved=date(2024, 6, 1),
        cost_total="500.00",
        items=[("therapies", "500.00", "one_off")],
    )
    plans["eve"] = report_plan(
        org,
        people["eve"],
        approved=date(2024, 2, 1),
        closed_on=date(2024, 5, 31),
        status="closed",
        cost_total="700.00",
        items=[("fitness_exercise", "700.00", "one_off")],
    )
    plans["fay"] = report_plan(
        org, people["fay"], status="declined", submitted=date(2024, 3, 1), decided=date(2024, 3, 2)
    )
    plans["gus_submitted"] = report_plan(org, people["gus"], status="submitted", submitted=date(2024, 6, 20))
    plans["gus_draft"] = report_plan(org, people["gus"], status="draft")
    plans["hal_v1"] = report_plan(
        org,
        people["hal"],
        approved=date(2024, 1, 5),
        superseded=date(2024, 4, 20),
        management="notional",
        cost_total="400.00",
        items=[("fitness_exercise", "400.00", "one_off")],
    )
    plans["hal"] = report_plan(
        org,
        people["hal"],
        budget=plans["hal_v1"].budget,
        approved=date(2024, 4, 20),
        cost_total="600.00",
        items=[("personal_assistant", "600.00", "one_off")],
    )
    plans["ian"] = report_plan(
        org, people["ian"], approved=date(2024, 7, 15), submitted=date(2024, 7, 1), referral=referrals["ian"]
    )

    accounts = {
        "alice": report_account(plans["alice"], released=date(2024, 1, 20), paid=date(2024, 1, 25)),
        "ben": report_account(plans["ben"], released=date(2024, 5, 15)),
        "cara": report_account(plans["cara"]),
        "dev": report_account(plans["dev"], released=date(2024, 6, 5)),
        "eve": report_account(plans["eve"], released=date(2024, 2, 3), paid=date(2024, 3, 1)),
        "hal": report_account(plans["hal"], released=date(2024, 1, 10), paid=date(2024, 2, 1)),
    }
    report_ledger_entry(accounts["alice"], kind="release", amount="1000.00", on=date(2024, 1, 20))
    report_ledger_entry(accounts["alice"], kind="payment", amount="300.00", on=date(2024, 1, 25))
    report_ledger_entry(accounts["alice"], kind="payment", amount="200.00", on=date(2024, 5, 1))
    report_ledger_entry(accounts["alice"], kind="refund", amount="50.00", on=date(2024, 5, 10))
    report_ledger_entry(accounts["alice"], kind="payment", amount="75.00", on=date(2024, 7, 1))  # after AS_OF
    report_ledger_entry(accounts["eve"], kind="payment", amount="200.00", on=date(2024, 3, 1))
    report_ledger_entry(accounts["hal"], kind="payment", amount="100.00", on=date(2024, 2, 1))

    report_approval_request(
        plans["alice"], submitted=date(2024, 1, 8), decided=date(2024, 1, 10), status="approved"
    )
    report_approval_request(
        plans["ben"], submitted=date(2024, 4, 10), decided=date(2024, 4, 15), status="approved"
    )
    report_approval_request(
        plans["fay"],
        submitted=london(date(2024, 3, 1), 12),
        decided=london(date(2024, 3, 2), 0),
        status="declined",
    )
    report_approval_request(
        plans["ian"], submitted=date(2024, 7, 1), decided=date(2024, 7, 15), status="approved"
    )
    report_approval_request(
        plans["gus_submitted"], submitted=date(2024, 6, 20), decided=None, status="pending"
    )

    report_review(
        plans["alice"],
        due_on=date(2024, 4, 10),
        created=date(2024, 1, 10),
        status="completed",
        completed_on=date(2024, 4, 12),
    )
    report_review(plans["alice"], due_on=date(2024, 7, 10), created=date(2024, 4, 12))
    report_review(plans["hal"], due_on=date(2024, 6, 1), created=date(2024, 4, 20))
    report_review(
        plans["eve"],
        due_on=date(2024, 6, 20),
        created=date(2024, 2, 1),
        status="completed",
        completed_on=date(2024, 7, 5),
    )
    report_review(plans["dev"], due_on=date(2024, 9, 1), created=date(2024, 7, 2))
    report_review(plans["dev"], due_on=date(2024, 6, 10), created=date(2024, 6, 1), status="cancelled")

    # A second London organisation with one PHB; 15E (Midlands) has one too, outside the region.
    neighbour = OrganisationFactory(
        code="Q9L", name="NHS North Central London", region="London", population=10000, ambition_target=50
    )
    neighbour_person = report_person(neighbour, born=date(2000, 1, 1), cohorts=["wheelchair"])
    report_plan(neighbour, neighbour_person, approved=date(2024, 3, 1), cost_total="300.00")
    midlands_person = report_person(other_org, family_name="Zzmidlands", cohorts=["chc"])
    report_plan(other_org, midlands_person, approved=date(2024, 3, 1), cost_total="999.00")

    return {
        "org": org,
        "neighbour": neighbour,
        "people": people,
        "plans": plans,
        "accounts": accounts,
        "commissioner": member(org, Role.COMMISSIONER, username="commissioner"),
    }
