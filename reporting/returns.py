"""The PHB quarterly return to NHS England: its figures, and their CSV and XLSX files.

The return is per organisation and calendar quarter, for PHBs in place at quarter end (see
reporting/selectors.py). A quarter that has not ended yet is reported as at today, marked
`"provisional": true`; a quarter that has not started is refused.

**Markers of Progress** (the historic layout): each PHB in place falls in exactly one category,
assigned in this order:
1. `children`: the budget holder is under 18 on the quarter-end date (a person whose 18th birthday
   is the day after the quarter end is a child; on the quarter end itself, an adult);
2. `joint_funded`: the plan version has both NHS and social-care funding;
3. `nhs_funded_chc`: the holder's cohorts include `chc`;
4. `ltc_inc_mh`: every other adult PHB.
`total` is their sum, which is the number of PHBs in place.

**Breakdowns** (today's collection, aggregate standard DAPB2184), each twice: `received_ytd`, PHBs
first approved in the financial year to date (1 April to the quarter end, or today when
provisional), whether or not still in place; and `active`, PHBs in place at quarter end:
adults and children and young people (age on the quarter-end date); adults eligible for CHC
(adults in the `chc` cohort); by cohort (a PHB counts once in each of its holder's cohorts); by
management option.
"""

import csv
import io
from datetime import date

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from openpyxl import Workbook
from openpyxl.styles import Font

from phb.constants import Cohort
from phb.models import Organisation, PersonCohort
from support_plans.constants import Management

from .quarters import Quarter, birthday_cutoff
from .selectors import first_approvals, plans_in_place

MARKERS = [
    ("children", "Children (under 18)"),
    ("joint_funded", "Joint funded (NHS and social care)"),
    ("nhs_funded_chc", "NHS-funded continuing healthcare"),
    ("ltc_inc_mh", "Long-term conditions, including mental health"),
    ("total", "Total"),
]
MEASURES = [("received_ytd", "Received in financial year to date"), ("active", "Active at quarter end")]
BREAKDOWNS = [
    ("adults_and_children", "Adults and children and young people"),
    ("adults_eligible_for_chc", "Adults eligible for NHS continuing healthcare"),
    ("by_cohort", "By cohort"),
    ("by_management", "By management option"),
]
AGE_GROUPS = [("adults", "Adults"), ("children_and_young_people", "Children and young people")]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuarterNotStarted(ValueError):
    pass


def _conditions(as_of: date):
    child = Q(person__date_of_birth__gt=birthday_cutoff(as_of, 18))
    in_chc = Q(Exists(PersonCohort.objects.filter(person=OuterRef("person"), cohort=Cohort.CHC)))
    return child, in_chc


def markers_of_progress(plans, as_of: date) -> dict:
    child, in_chc = _conditions(as_of)
    category = Case(
        When(child, then=Value("children")),
        When(funded_nhs=True, funded_social_care=True, then=Value("joint_funded")),
        When(in_chc, then=Value("nhs_funded_chc")),
        default=Value("ltc_inc_mh"),
        output_field=CharField(),
    )
    rows = plans.annotate(category=category).values("category").annotate(count=Count("id")).order_by()
    counted = {row["category"]: row["count"] for row in rows}
    figures = {code: counted.get(code, 0) for code, _label in MARKERS if code != "total"}
    figures["total"] = sum(figures.values())
    return figures


def breakdown(plans, as_of: date) -> dict:
    child, in_chc = _conditions(as_of)
    ages = plans.aggregate(
        adults=Count("id", filter=~child),
        children_and_young_people=Count("id", filter=child),
        adults_chc=Count("id", filter=~child & in_chc),
    )
    cohort_rows = (
        plans.filter(person__cohorts__isnull=False)
        .values("person__cohorts__cohort")
        .annotate(count=Count("id", distinct=True))
        .order_by()
    )
    by_cohort = {row["person__cohorts__cohort"]: row["count"] for row in cohort_rows}
    management_rows = plans.values("management").annotate(count=Count("id")).order_by()
    by_management = {row["management"]: row["count"] for row in management_rows}
    return {
        "adults_and_children": {code: ages[code] for code, _label in AGE_GROUPS},
        "adults_eligible_for_chc": ages["adults_chc"],
        "by_cohort": {code: by_cohort.get(code, 0) for code in Cohort.values},
        "by_management": {code: by_management.get(code, 0) for code in Management.values},
    }


def return_figures(organisation: Organisation, quarter: Quarter, today: date) -> dict:
    """The JSON of the return (what the history stores and every format is made from)."""
    if quarter.start > today:
        raise QuarterNotStarted(f"{quarter} has not started yet.")
    provisional = quarter.end >= today
    as_of = min(quarter.end, today)
    active_plans = plans_in_place([organisation], as_of)
    received_plans = first_approvals([organisation], quarter.financial_year_start, as_of)
    markers = markers_of_progress(active_plans, as_of)
    received = breakdown(received_plans, as_of)
    active = breakdown(active_plans, as_of)
    figures = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "quarter": str(quarter),
        "financial_year": quarter.financial_year,
        "fy_quarter": quarter.fy_quarter,
        "period_start": quarter.start.isoformat(),
        "period_end": quarter.end.isoformat(),
        "as_of": as_of.isoformat(),
        "financial_year_start": quarter.financial_year_start.isoformat(),
        "provisional": provisional,
        **markers,
        "markers_of_progress": markers,
    }
    for code, _label in BREAKDOWNS:
        figures[code] = {"received_ytd": received[code], "active": active[code]}
    return figures


# --- Files


def csv_rows(figures: dict) -> list[tuple[str, str, object]]:
    """(section, measure, value) rows, e.g. ("markers_of_progress", "children", 3)."""
    rows: list[tuple[str, str, object]] = [
        ("return", "organisation_code", figures["organisation"]["code"]),
        ("return", "organisation_name", figures["organisation"]["name"]),
    ]
    for key in ("quarter", "financial_year", "fy_quarter", "period_start", "period_end", "as_of"):
        rows.append(("return", key, figures[key]))
    rows.append(("return", "provisional", "true" if figures["provisional"] else "false"))
    rows += [("markers_of_progress", code, figures[code]) for code, _label in MARKERS]
    for measure, _label in MEASURES:
        for code, _group in AGE_GROUPS:
            rows.append(
                (f"adults_and_children_{measure}", code, figures["adults_and_children"][measure][code])
            )
    for measure, _label in MEASURES:
        rows.append(("adults_eligible_for_chc", measure, figures["adults_eligible_for_chc"][measure]))
    for section in ("by_cohort", "by_management"):
        for measure, _label in MEASURES:
            for code, value in figures[section][measure].items():
                rows.append((f"{section}_{measure}", code, value))
    return rows


def render_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "measure", "value"])
    writer.writerows(csv_rows(figures))
    return out.getvalue()


def breakdown_rows(figures: dict) -> list[tuple[str, str, int, int]]:
    """(breakdown, measure, received in the year to date, active at quarter end) for the tables."""
    labels = {**dict(Cohort.choices), **dict(Management.choices), **dict(AGE_GROUPS)}
    rows = []
    for section, section_label in BREAKDOWNS:
        both = figures[section]
        if isinstance(both["active"], dict):
            for code in both["active"]:
                label = labels.get(code, code)
                rows.append((section_label, label, both["received_ytd"].get(code, 0), both["active"][code]))
        else:
            rows.append((section_label, "Adults", both["received_ytd"], both["active"]))
    return rows


def render_xlsx(figures: dict) -> bytes:
    workbook = Workbook()
    markers = workbook.active
    markers.title = "Markers of progress"
    bold = Font(bold=True)
    organisation = figures["organisation"]
    markers.append(["PHB quarterly return"])
    markers.append(["Organisation", f"{organisation['name']} ({organisation['code']})"])
    markers.append(["Quarter", figures["quarter"]])
    markers.append(["Financial year", figures["financial_year"]])
    markers.append(["Quarter of the financial year", figures["fy_quarter"]])
    markers.append(["Period", f"{figures['period_start']} to {figures['period_end']}"])
    markers.append(["As at", figures["as_of"]])
    markers.append(["Provisional", "Yes" if figures["provisional"] else "No"])
    markers.append([])
    markers.append(["Category", "PHBs in place at quarter end"])
    for code, label in MARKERS:
        markers.append([label, figures[code]])
    markers["A1"].font = bold
    markers.column_dimensions["A"].width = 48
    markers.column_dimensions["B"].width = 30

    sheet = workbook.create_sheet("Breakdowns")
    sheet.append(["Breakdown", "Measure", *(label for _code, label in MEASURES)])
    for cell in sheet[1]:
        cell.font = bold
    for row in breakdown_rows(figures):
        sheet.append(list(row))
    for column, width in zip("ABCD", (46, 42, 36, 26), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(figures: dict, extension: str) -> str:
    return f"phb-return-{figures['organisation']['code']}-{figures['quarter']}.{extension}"
