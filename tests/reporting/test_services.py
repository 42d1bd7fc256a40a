"""The PHB quarterly return: its categories, breakdowns, files, history and the quarterly job."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from phb.exceptions import InvalidInput
from phb.models import AuditEvent, Organisation
from reporting import returns, services
from reporting.models import QuarterlyReturn
from reporting.quarters import Quarter
from reporting.tasks import build_quarterly_returns
from tests.factories import report_person, report_plan

pytestmark = pytest.mark.django_db

Q2_2024 = Quarter(2024, 2)
AFTER_Q2 = date(2024, 8, 15)


@pytest.fixture
def q2(world):
    return services.return_build(
        actor=world["commissioner"], organisation=world["org"], quarter=Q2_2024, today=AFTER_Q2
    )


def test_markers_of_progress_at_quarter_end(q2):
    figures = q2.figures
    assert {k: figures[k] for k in ("children", "joint_funded", "nhs_funded_chc", "ltc_inc_mh", "total")} == {
        "children": 1,  # Cara: joint funded, but a child first; 18 the day after the quarter end
        "joint_funded": 1,  # Ben: adult CHC with joint funding counts as joint funded
        "nhs_funded_chc": 1,  # Alice
        "ltc_inc_mh": 2,  # Dev (18 on the quarter-end date: an adult) and Hal
        "total": 5,
    }


def test_the_return_describes_its_period(q2, world):
    figures = q2.figures
    assert figures["quarter"] == "2024Q2"
    assert (figures["financial_year"], figures["fy_quarter"]) == ("2024-25", 1)
    assert (figures["period_start"], figures["period_end"]) == ("2024-04-01", "2024-06-30")
    assert figures["organisation"] == {"code": "07T", "name": world["org"].name}
    assert figures["provisional"] is False
    assert (q2.quarter, q2.period_end, q2.provisional) == ("2024Q2", date(2024, 6, 30), False)


def test_breakdowns_received_in_the_year_to_date_and_active(q2):
    figures = q2.figures
    assert figures["adults_and_children"] == {
        "received_ytd": {"adults": 2, "children_and_young_people": 1},  # Ben, Dev; Cara
        "active": {"adults": 4, "children_and_young_people": 1},
    }
    assert figures["adults_eligible_for_chc"] == {"received_ytd": 1, "active": 2}
    nonzero = {m: {k: v for k, v in figures["by_cohort"][m].items() if v} for m in ("received_ytd", "active")}
    assert nonzero == {
        "received_ytd": {"chc": 1, "s117": 1, "ccc": 1, "mental_health": 1},
        "active": {"chc": 2, "s117": 1, "ccc": 1, "mental_health": 2},
    }
    assert figures["by_management"] == {
        "received_ytd": {"direct_payment": 1, "notional": 1, "third_party": 1},
        "active": {"direct_payment": 3, "notional": 1, "third_party": 1},
    }


def test_received_in_the_year_runs_from_april_so_q1_counts_the_previous_financial_year(world):
    built = services.return_build(
        actor=None, organisation=world["org"], quarter=Quarter(2024, 1), today=AFTER_Q2
    )
    figures = built.figures
    assert (figures["financial_year"], figures["fy_quarter"]) == ("2023-24", 4)
    # In place on 31 March 2024: Alice (CHC), Eve (closed later) and Hal's first version.
    assert (figures["nhs_funded_chc"], figures["ltc_inc_mh"], figures["total"]) == (1, 2, 3)
    assert figures["adults_and_children"]["received_ytd"] == {"adults": 3, "children_and_young_people": 0}


def test_a_quarter_not_ended_yet_is_provisional_as_at_today(world):
    built = services.return_build(
        actor=None, organisation=world["org"], quarter=Quarter(2024, 3), today=AFTER_Q2
    )
    assert built.figures["provisional"] is True and built.provisional is True
    assert built.figures["as_of"] == "2024-08-15"
    assert built.figures["total"] == 6  # Ian, approved 15 July, joins
    # Ages are on the as-at date: Cara turned 18 on 1 July, so she is an adult by 15 August.
    assert built.figures["adults_and_children"]["received_ytd"] == {
        "adults": 4,
        "children_and_young_people": 0,
    }
    assert built.figures["children"] == 0


def test_the_last_day_of_the_quarter_is_still_provisional(world):
    built = services.return_build(
        actor=None, organisation=world["org"], quarter=Q2_2024, today=date(2024, 6, 30)
    )
    assert built.figures["provisional"] is True


def test_a_quarter_not_started_is_refused_naming_quarter(world):
    with pytest.raises(InvalidInput) as error:
        services.return_build(actor=None, organisation=world["org"], quarter=Quarter(2024, 4), today=AFTER_Q2)
    assert "quarter" in error.value.details


def test_building_a_return_keeps_it_in_the_history_and_the_audit_trail(q2, world):
    assert QuarterlyReturn.objects.filter(organisation=world["org"]).count() == 1
    assert q2.created_by == world["commissioner"] and q2.built_by_job is False
    assert AuditEvent.objects.filter(action="quarterly_return_built", object_id=str(q2.pk)).count() == 1


def test_csv_has_a_row_per_section_and_measure(q2):
    rows = list(csv.reader(io.StringIO(returns.render_csv(q2.figures))))
    assert rows[0] == ["section", "measure", "value"]
    values = {(section, measure): value for section, measure, value in rows[1:]}
    assert values[("markers_of_progress", "children")] == "1"
    assert values[("markers_of_progress", "joint_funded")] == "1"
    assert values[("markers_of_progress", "nhs_funded_chc")] == "1"
    assert values[("markers_of_progress", "ltc_inc_mh")] == "2"
    assert values[("markers_of_progress", "total")] == "5"
    assert values[("return", "quarter")] == "2024Q2"
    assert values[("return", "financial_year")] == "2024-25"
    assert values[("return", "provisional")] == "false"
    assert values[("adults_and_children_received_ytd", "children_and_young_people")] == "1"
    assert values[("adults_eligible_for_chc", "active")] == "2"
    assert values[("by_cohort_active", "chc")] == "2"
    assert values[("by_cohort_received_ytd", "ltc")] == "0"
    assert values[("by_management_active", "direct_payment")] == "3"
    assert values[("by_management_received_ytd", "third_party")] == "1"


def test_xlsx_has_markers_of_progress_and_breakdowns_sheets(q2):
    workbook = load_workbook(io.BytesIO(returns.render_xlsx(q2.figures)))
    assert workbook.sheetnames == ["Markers of progress", "Breakdowns"]
    markers = {row[0]: row[1] for row in workbook["Markers of progress"].iter_rows(values_only=True) if row}
    assert markers["Quarter"] == "2024Q2"
    assert markers["Provisional"] == "No"
    assert markers["Children (under 18)"] == 1
    assert markers["Joint funded (NHS and social care)"] == 1
    assert markers["NHS-funded continuing healthcare"] == 1
    assert markers["Long-term conditions, including mental health"] == 2
    assert markers["Total"] == 5
    breakdowns = list(workbook["Breakdowns"].iter_rows(values_only=True))
    assert breakdowns[0] == (
        "Breakdown",
        "Measure",
        "Received in financial year to date",
        "Active at quarter end",
    )
    found = {(row[0], row[1]): (row[2], row[3]) for row in breakdowns[1:]}
    assert found[("Adults and children and young people", "Children and young people")] == (1, 1)
    assert found[("Adults eligible for NHS continuing healthcare", "Adults")] == (1, 2)
    assert found[("By cohort", "Adult NHS continuing healthcare")] == (1, 2)
    assert found[("By management option", "Direct payment")] == (1, 3)


def test_quarterly_job_builds_last_quarter_for_every_organisation_once(world, settings):
    first = services.returns_build_for_last_quarter(today=AFTER_Q2)
    assert first == Organisation.objects.count() == 3
    assert services.returns_build_for_last_quarter(today=AFTER_Q2) == 0
    built = QuarterlyReturn.objects.filter(quarter="2024Q2")
    assert built.count() == 3 and all(r.built_by_job and not r.provisional for r in built)
    assert built.get(organisation=world["org"]).figures["total"] == 5


def test_quarterly_job_skips_an_organisation_whose_return_was_already_sent(world):
    services.return_build(actor=None, organisation=world["org"], quarter=Q2_2024, today=AFTER_Q2)
    assert services.returns_build_for_last_quarter(today=AFTER_Q2) == 2


def test_quarterly_job_does_not_count_a_provisional_return_as_built(world):
    services.return_build(actor=None, organisation=world["org"], quarter=Q2_2024, today=date(2024, 6, 30))
    assert services.returns_build_for_last_quarter(today=AFTER_Q2) == 3


def test_the_celery_task_runs_the_job_and_is_idempotent(org):
    person = report_person(org)
    report_plan(org, person, approved=date(2020, 1, 1))
    assert build_quarterly_returns.delay().get() == 1
    assert build_quarterly_returns.delay().get() == 0
    assert QuarterlyReturn.objects.get(organisation=org).figures["total"] == 1


def test_returns_for_all_organisations_at_once_equal_each_organisations_own(world):
    organisations = list(Organisation.objects.order_by("code"))
    together = returns.returns_figures(organisations, Q2_2024, AFTER_Q2)
    assert together == {o.pk: returns.return_figures(o, Q2_2024, AFTER_Q2) for o in organisations}
    assert together[world["org"].pk]["total"] == 5


def test_the_returns_figures_take_as_many_queries_for_all_organisations_as_for_one(world):
    organisations = list(Organisation.objects.all())
    with CaptureQueriesContext(connection) as one:
        returns.returns_figures([world["org"]], Q2_2024, AFTER_Q2)
    with CaptureQueriesContext(connection) as every:
        returns.returns_figures(organisations, Q2_2024, AFTER_Q2)
    assert len(every.captured_queries) == len(one.captured_queries) <= 5  # two counts (+ SET LOCAL jit)


@pytest.mark.parametrize(
    ("child", "joint_funded", "chc", "category"),
    [
        (True, True, True, "children"),
        (False, True, True, "joint_funded"),
        (False, False, True, "nhs_funded_chc"),
        (False, False, False, "ltc_inc_mh"),
    ],
)
def test_markers_of_progress_take_the_first_category_that_applies(child, joint_funded, chc, category):
    assert returns.marker(child=child, joint_funded=joint_funded, chc=chc) == category
