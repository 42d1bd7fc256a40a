"""The reporting API: dashboard, quarterly return (JSON, CSV, XLSX), history and the region roll-up."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from phb.constants import Role
from phb.models import Person
from reporting.models import QuarterlyReturn
from reporting.quarters import quarter_containing
from reporting.services import today_local
from tests.factories import member, report_account, report_person, report_plan, report_review

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

DASHBOARD = "/api/v1/orgs/07T/dashboard/"
RETURN = "/api/v1/orgs/07T/returns/phb/"
HISTORY = "/api/v1/orgs/07T/returns/phb/history/"
REGION = "/api/v1/regions/London/dashboard/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def region_viewer(world):
    return member(world["org"], Role.REGION_VIEWER, username="regionviewer")


# --- Dashboard


def test_dashboard_needs_credentials(api, world):
    assert api(None).get(DASHBOARD).status_code == 401


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.BROKER, Role.REGION_VIEWER])
def test_dashboard_is_refused_to_roles_without_it(api, world, role):
    assert api(member(world["org"], role)).get(DASHBOARD).status_code == 403


def test_dashboard_of_another_organisation_is_404(api, world, outsider):
    assert api(outsider).get(DASHBOARD).status_code == 404


@pytest.mark.parametrize("as_of", ["yesterday", "2024-13-01", "2024-02-30", "30/06/2024", "20240630"])
def test_dashboard_bad_date_is_400_naming_as_of(api, world, as_of):
    response = api(world["commissioner"]).get(DASHBOARD, {"as_of": as_of})
    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PHB_LEAD, Role.FINANCE])
def test_dashboard_for_a_date(api, world, role):
    response = api(member(world["org"], role)).get(DASHBOARD, {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2024-06-30"
    assert body["in_place"] == 5
    assert body["spend"]["total"] == "5100.00"
    assert body["spend"]["mode"] == "1000.00" and body["spend"]["mode_count"] == 2
    assert body["timings"]["submission_to_decision"] == {"median": 2.0, "p90": 4.4, "count": 3}
    assert [row["person"] for row in body["unfunded_approved"]] == [world["people"]["cara"].pk]
    assert body["reviews"] == {"due": 1, "overdue": 2, "completed": 1}
    assert body["ambition"]["per_1000_population"] == "0.02"
    assert body["new_this_quarter"] == 3
    assert body["demographics"]["ethnicity"]["Asian"] == 1


def test_dashboard_defaults_to_today(api, world):
    body = api(world["commissioner"]).get(DASHBOARD).json()
    assert body["as_of"] == today_local().isoformat()
    assert body["in_place"] == 6  # Ian's plan, approved after AS_OF, is in place today


def _grow(org, n, offset):
    """n more PHBs with account, payment-free release, items and a review each."""
    for i in range(n):
        person = report_person(
            org, born=date(1960 + i % 50, 1 + i % 12, 1), cohorts=["ltc", "chc"][: 1 + i % 2]
        )
        plan = report_plan(
            org,
            person,
            approved=date(2024, 1 + i % 5, 1 + i % 27),
            cost_total=f"{100 + offset + i}.00",
            items=[("therapies", "10.00", "weekly"), ("transport", "50.00", "one_off")],
        )
        report_account(plan, released=date(2024, 6, 1) if i % 2 else None)
        report_review(plan, due_on=date(2024, 5, 1 + i % 28), created=date(2024, 1, 1))


def _queries_for(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD, {"as_of": AS_OF.isoformat()}).status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_rows(api, world, django_assert_max_num_queries):
    client = api(world["commissioner"])
    _grow(world["org"], 3, 0)
    small = _queries_for(client)
    _grow(world["org"], 40, 1000)
    larger = _queries_for(client)
    assert larger == small
    with django_assert_max_num_queries(small):
        client.get(DASHBOARD, {"as_of": AS_OF.isoformat()})


# --- Quarterly return


def test_return_needs_credentials(api, world):
    assert api(None).get(RETURN, {"quarter": "2024Q2"}).status_code == 401


@pytest.mark.parametrize("role", [Role.CARE_COORDINATOR, Role.FINANCE, Role.REGION_VIEWER])
def test_return_is_refused_to_roles_without_it(api, world, role):
    assert api(member(world["org"], role)).get(RETURN, {"quarter": "2024Q2"}).status_code == 403


def test_return_of_another_organisation_is_404(api, world, outsider):
    assert api(outsider).get(RETURN, {"quarter": "2024Q2"}).status_code == 404


@pytest.mark.parametrize("quarter", [None, "2024Q5", "Q2", "2024-Q2", "2999Q1"])
def test_return_bad_quarter_is_400_naming_quarter(api, world, quarter):
    params = {"quarter": quarter} if quarter else {}
    response = api(world["commissioner"]).get(RETURN, params)
    assert response.status_code == 400
    assert "quarter" in response.json()
    assert not QuarterlyReturn.objects.exists()


def test_return_bad_format_is_400_naming_format(api, world):
    response = api(world["commissioner"]).get(RETURN, {"quarter": "2024Q2", "format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.json()


def test_return_as_json_is_built_and_kept_in_the_history(api, world):
    response = api(world["commissioner"]).get(RETURN, {"quarter": "2024Q2", "format": "json"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("children", "joint_funded", "nhs_funded_chc", "ltc_inc_mh", "total")} == {
        "children": 1,
        "joint_funded": 1,
        "nhs_funded_chc": 1,
        "ltc_inc_mh": 2,
        "total": 5,
    }
    assert body["by_management"]["active"] == {"direct_payment": 3, "notional": 1, "third_party": 1}
    assert body["by_cohort"]["received_ytd"]["ccc"] == 1
    assert (body["quarter"], body["financial_year"], body["fy_quarter"], body["provisional"]) == (
        "2024Q2",
        "2024-25",
        1,
        False,
    )
    assert QuarterlyReturn.objects.get(pk=body["id"]).created_by == world["commissioner"]


def test_return_as_csv(api, world):
    response = api(world["commissioner"]).get(RETURN, {"quarter": "2024Q2", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="phb-return-07T-2024Q2.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["markers_of_progress", "children", "1"] in rows
    assert ["markers_of_progress", "total", "5"] in rows


def test_return_as_xlsx(api, world):
    response = api(world["commissioner"]).get(RETURN, {"quarter": "2024Q2", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert 'filename="phb-return-07T-2024Q2.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    markers = {row[0]: row[1] for row in workbook["Markers of progress"].iter_rows(values_only=True) if row}
    assert markers["Total"] == 5 and markers["Children (under 18)"] == 1


def test_csv_errors_are_still_json(api, world):
    response = api(world["commissioner"]).get(RETURN, {"quarter": "nope", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "quarter" in response.json()


def test_this_quarters_return_is_provisional(api, world):
    quarter = quarter_containing(today_local())
    body = api(world["commissioner"]).get(RETURN, {"quarter": str(quarter)}).json()
    assert body["provisional"] is True
    assert body["as_of"] == today_local().isoformat()


# --- History


def test_history_needs_credentials_role_and_membership(api, world, outsider):
    assert api(None).get(HISTORY).status_code == 401
    assert api(member(world["org"], Role.BROKER)).get(HISTORY).status_code == 403
    assert api(outsider).get(HISTORY).status_code == 404


def test_history_lists_the_returns_built_here_only(api, world, outsider):
    api(world["commissioner"]).get(RETURN, {"quarter": "2024Q2"})
    api(world["commissioner"]).get(RETURN, {"quarter": "2024Q1", "format": "csv"})
    api(outsider).get("/api/v1/orgs/15E/returns/phb/", {"quarter": "2024Q2"})
    body = api(world["commissioner"]).get(HISTORY).json()
    assert body["count"] == 2
    assert [r["quarter"] for r in body["results"]] == ["2024Q2", "2024Q1"]
    assert body["results"][0]["total"] == 5 and body["results"][0]["built_by"] == "commissioner"


# --- Region roll-up


def test_region_dashboard_needs_credentials(api, world):
    assert api(None).get(REGION).status_code == 401


def test_region_dashboard_is_404_without_the_region_viewer_role_there(api, world, outsider):
    assert api(world["commissioner"]).get(REGION).status_code == 404
    assert api(outsider).get(REGION).status_code == 404  # region viewer, but in the Midlands


def test_region_dashboard_of_another_or_unknown_region_is_404(api, region_viewer):
    assert api(region_viewer).get("/api/v1/regions/Midlands/dashboard/").status_code == 404
    assert api(region_viewer).get("/api/v1/regions/Atlantis/dashboard/").status_code == 404


def test_region_dashboard_bad_date_is_400(api, region_viewer):
    response = api(region_viewer).get(REGION, {"as_of": "31-12-2024"})
    assert response.status_code == 400 and "as_of" in response.json()


def test_region_dashboard_publishes_small_figures_suppressed(api, world, region_viewer):
    """Issue 13, finding 10: six PHBs across the region (5 + 1) are all small numbers."""
    body = api(region_viewer).get(REGION, {"as_of": AS_OF.isoformat()}).json()
    assert body["region"] == "London"
    assert body["in_place"] == "*"  # 6: 5 in 07T and 1 in the neighbour, the Midlands not counted
    assert body["spend"]["total"] == "*" and body["spend"]["mean"] == "*" and body["spend"]["median"] == "*"
    assert body["spend"]["mode"] == "*" and body["spend"]["mode_count"] == "*"
    assert body["by_cohort"]["wheelchair"] == "*"
    assert body["by_cohort"]["maternity"] == 0
    assert body["ambition"]["target"] == 250
    by_code = {o["code"]: o for o in body["organisations"]}
    assert set(by_code) == {"07T", "Q9L"}
    assert by_code["07T"]["in_place"] == "*" and by_code["Q9L"]["in_place"] == "*"
    assert by_code["Q9L"]["per_1000_population"] == "*"


def test_region_dashboard_has_no_person_level_data(api, world, region_viewer):
    body = api(region_viewer).get(REGION, {"as_of": AS_OF.isoformat()}).json()
    assert "unfunded_approved" not in body
    text = json.dumps(body)
    for person in Person.objects.all():
        assert person.nhs_number not in text
        assert person.given_name not in text
        assert person.family_name not in text
    assert not {"person", "plan", "nhs_number", "unfunded_approved"} & _all_keys(body)


def _all_keys(value) -> set:
    if isinstance(value, dict):
        return set(value) | set().union(*(_all_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_all_keys(v) for v in value)) if value else set()
    return set()


def test_a_region_viewer_cannot_reach_person_data_of_their_organisation(api, world, region_viewer):
    client = api(region_viewer)
    person = world["people"]["alice"]
    plan = world["plans"]["alice"]
    assert client.get("/api/v1/orgs/07T/people/").status_code == 403
    assert client.get(f"/api/v1/orgs/07T/people/{person.pk}/").status_code == 403
    assert client.get(DASHBOARD).status_code == 403  # it lists people waiting for funds
    assert client.get(RETURN, {"quarter": "2024Q2"}).status_code == 403
    assert client.get(f"/api/v1/orgs/07T/plans/{plan.pk}/").status_code in (403, 404)


@pytest.mark.parametrize("as_of", ["0001-01-01", "1999-12-31", "2100-01-01"])
def test_a_date_outside_the_years_reported_is_a_400_naming_as_of(as_of, api, org):
    from phb.constants import Role
    from tests.factories import member

    commissioner = member(org, Role.COMMISSIONER, username="dates")
    response = api(commissioner).get("/api/v1/orgs/07T/dashboard/", {"as_of": as_of})
    assert response.status_code == 400
    assert "as_of" in response.json()
