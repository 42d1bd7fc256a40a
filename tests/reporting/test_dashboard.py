"""Every dashboard figure against the hand-built data set (tests/reporting/conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest

from reporting.dashboard import organisation_dashboard
from support_plans.models import SupportPlan
from tests.factories import london, report_account, report_person, report_plan

from .conftest import AS_OF, PAST

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(world):
    return organisation_dashboard(world["org"], AS_OF)


@pytest.fixture
def earlier(world):
    return organisation_dashboard(world["org"], PAST)


def test_phbs_in_place_leave_out_closed_declined_superseded_draft_and_later_plans(today):
    assert today["in_place"] == 5


def test_by_cohort_counts_a_phb_once_in_each_of_its_holders_cohorts(today):
    cohorts = {code: n for code, n in today["by_cohort"].items() if n}
    assert cohorts == {"chc": 2, "s117": 1, "ccc": 1, "mental_health": 2}


def test_by_management_counts_the_version_in_place(today, earlier):
    assert today["by_management"] == {"direct_payment": 3, "notional": 1, "third_party": 1}
    # On PAST Hal's first (notional) version was in place, and Eve's budget was not yet closed.
    assert earlier["by_management"] == {"direct_payment": 2, "notional": 1, "third_party": 0}


def test_new_this_quarter_counts_first_approvals_only(today, earlier):
    assert (today["quarter"], today["new_this_quarter"]) == ("2024Q2", 3)  # Ben, Cara, Dev; not Hal's v2
    assert (earlier["quarter"], earlier["new_this_quarter"]) == ("2024Q1", 3)  # Alice, Eve, Hal v1


def test_an_earlier_date_reproduces_the_earlier_figures(earlier):
    # Plans approved later are left out; Eve's budget closed later is still counted.
    assert earlier["in_place"] == 3
    assert earlier["spend"]["total"] == "2100.00"
    assert earlier["spend"]["paid_to_date"] == "600.00"
    assert {code: n for code, n in earlier["by_cohort"].items() if n} == {
        "chc": 1,
        "ltc": 1,
        "mental_health": 1,
    }


def test_ambition_and_trajectory(today):
    ambition = today["ambition"]
    assert (ambition["target"], ambition["date"], ambition["in_place"]) == (200, "2027-03-31", 5)
    assert ambition["per_1000_population"] == "0.02"  # 5 x 1000 / 290,000
    assert ambition["target_per_1000"] == "0.69"
    points = [(p["quarter_end"], p["in_place"]) for p in ambition["trajectory"]]
    assert points[0] == ("2022-09-30", 0)
    assert points[-2:] == [("2024-03-31", 3), ("2024-06-30", 5)]
    assert len(points) == 8


def test_pipeline_counts_everything_up_to_the_date(today):
    assert today["pipeline"] == {
        "referrals": 4,
        "conversations": 2,
        "plans_submitted": 8,
        "plans_approved": 6,
        "funds_released": 5,
        "first_payment": 3,
    }


def test_timings_medians_and_90th_percentiles_in_days(today):
    timings = today["timings"]
    assert timings["referral_to_approval"] == {"median": 20.0, "p90": 28.0, "count": 3}
    assert timings["submission_to_decision"] == {"median": 2.0, "p90": 4.4, "count": 3}
    assert timings["approval_to_funds_released"] == {"median": 5.0, "p90": 22.0, "count": 5}
    assert timings["approval_to_first_payment"] == {"median": 27.0, "p90": 28.6, "count": 3}


def test_timings_on_an_earlier_date_only_count_journeys_completed_by_then(earlier):
    assert earlier["timings"]["referral_to_approval"] == {"median": 9.0, "p90": 9.0, "count": 1}
    assert earlier["timings"]["approval_to_funds_released"]["count"] == 3  # Alice, Eve, Hal


def test_timings_with_nothing_completed_are_empty(org):
    figures = organisation_dashboard(org, AS_OF)
    assert figures["timings"]["submission_to_decision"] == {"median": None, "p90": None, "count": 0}


def test_unfunded_list_names_approved_plans_waiting_for_funds_oldest_first(world, today):
    rows = today["unfunded_approved"]
    assert [(r["person"], r["days_waiting"], r["approved_on"]) for r in rows] == [
        (world["people"]["cara"].pk, 60, "2024-05-01")
    ]
    assert rows[0]["nhs_number"] == world["people"]["cara"].nhs_number


def test_unfunded_list_on_an_earlier_date(world):
    # On 10 May Ben (approved 15 April, funded 15 May) had waited 25 days; Cara only 9 (not over 14).
    rows = organisation_dashboard(world["org"], date(2024, 5, 10))["unfunded_approved"]
    assert [(r["person"], r["days_waiting"]) for r in rows] == [(world["people"]["ben"].pk, 25)]


def test_spend_from_the_approved_budget_per_person(today):
    spend = today["spend"]
    assert spend["total"] == "5100.00"
    assert spend["mean"] == "1020.00"
    assert spend["median"] == "1000.00"
    assert (spend["mode"], spend["mode_count"]) == ("1000.00", 2)
    assert spend["paid_to_date"] == "550.00"  # Alice 300 + 200 - 50 refund, Hal 100; Eve's closed budget out


def test_spend_per_person_sums_their_budgets(world):
    org = world["org"]
    person = report_person(org, cohorts=["ltc"])
    report_plan(org, person, approved=date(2024, 2, 1), cost_total="1000.00")
    report_plan(org, person, approved=date(2024, 2, 2), cost_total="1000.00")
    spend = organisation_dashboard(org, AS_OF)["spend"]
    # Now per person: 1000, 2000, 1000, 500, 600 and 2000: two people at 1000, two at 2000.
    assert (spend["total"], spend["people"], spend["median"]) == ("7100.00", 6, "1000.00")
    assert (spend["mode"], spend["mode_count"]) == ("2000.00", 2)


def test_spend_by_category_apportions_each_plan_by_its_items_totals_over_the_plan(today):
    # Alice's 2024 plan: £50 a week on 53 Mondays (2,650) and a £400 one-off, against her £1,000.
    assert today["spend"]["by_category"] == {
        "home_support": "2000.00",
        "therapies": "1500.00",
        "personal_assistant": "1468.85",  # Alice 1000 x 2650/3050 (868.85), Hal 600
        "transport": "131.15",  # Alice 1000 x 400/3050
    }
    by_category = sum(Decimal(amount) for amount in today["spend"]["by_category"].values())
    assert by_category == Decimal(today["spend"]["total"])


def test_demographics_age_band_by_gender_on_the_date(today):
    rows = {row["age_band"]: row for row in today["demographics"]["age_gender"]}
    assert rows["0-17"]["genders"] == {"1": 0, "2": 1, "9": 0, "X": 0}  # Cara, 18 the next day
    assert rows["18-24"]["genders"]["1"] == 1  # Dev, 18 on the day
    assert rows["25-34"]["genders"]["X"] == 1
    assert rows["35-44"]["genders"]["2"] == 1
    assert rows["45-64"]["total"] == 0
    assert rows["65+"]["genders"]["1"] == 1
    assert [row["age_band"] for row in today["demographics"]["age_gender"]] == [
        "0-17",
        "18-24",
        "25-34",
        "35-44",
        "45-64",
        "65+",
    ]


def test_demographics_ethnic_groups(today, earlier):
    assert today["demographics"]["ethnicity"] == {
        "White": 1,
        "Mixed": 1,
        "Asian": 1,
        "Black": 1,
        "Other": 0,
        "Not stated": 1,
    }
    assert earlier["demographics"]["ethnicity"]["Other"] == 1  # Eve (R, Chinese) before her budget closed


def test_reviews_due_overdue_and_completed_as_they_stood(today):
    # Eve's review, completed after the date, was overdue on it; the cancelled one and one
    # created later are left out.
    assert today["reviews"] == {"due": 1, "overdue": 2, "completed": 1}


def test_a_plan_approved_late_in_the_evening_counts_on_that_london_date(org):
    person = report_person(org)
    plan = report_plan(org, person, approved=london(date(2024, 6, 30), 23, 30))  # 22:30 UTC
    report_account(plan)
    assert organisation_dashboard(org, date(2024, 6, 30))["in_place"] == 1
    assert organisation_dashboard(org, date(2024, 6, 29))["in_place"] == 0


def test_a_budget_closed_on_the_date_is_no_longer_in_place_that_day(org):
    person = report_person(org)
    report_plan(org, person, approved=date(2024, 1, 1), closed_on=date(2024, 6, 30), status="closed")
    assert organisation_dashboard(org, date(2024, 6, 29))["in_place"] == 1
    assert organisation_dashboard(org, date(2024, 6, 30))["in_place"] == 0


def test_another_organisations_phbs_are_not_counted(world, other_org):
    figures = organisation_dashboard(other_org, AS_OF)
    assert figures["in_place"] == 1
    assert figures["spend"]["total"] == "999.00"


def test_spend_by_funding_stream_takes_the_amounts_given_else_the_one_stream_else_not_split(world):
    # Ben's plan gives its split; Cara's ticks NHS and social care without amounts; the rest are NHS.
    SupportPlan.objects.filter(pk=world["plans"]["ben"].pk).update(
        funding_nhs=Decimal("500.00"), funding_social_care=Decimal("1500.00")
    )
    spend = organisation_dashboard(world["org"], AS_OF)["spend"]
    assert spend["by_funding_stream"] == {
        "nhs": "2600.00",  # Alice 1,000 + Dev 500 + Hal 600 + Ben's 500
        "social_care": "1500.00",
        "education": "0.00",
        "not_split": "1000.00",  # Cara
    }
    assert sum(Decimal(v) for v in spend["by_funding_stream"].values()) == Decimal(spend["total"])
