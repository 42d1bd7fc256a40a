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
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from openpyxl import Workbook
from openpyxl.styles import Font

from phb.constants import Cohort
from phb.models import Organisation, PersonCohort
from support_plans.constants import Management

from . import live
from .cache import cached
from .dashboard import funding_streams, funding_sums
from .quarters import Quarter, birthday_cutoff
from .selectors import (
    NEVER_IN_PLACE,
    Organisations,
    end_of_day,
    first_approval_q,
    in_place_q,
    organisation_plans,
    without_jit,
)

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
FUNDING_LABELS = {
    "nhs": "NHS",
    "social_care": "Social care",
    "education": "Education",
    "not_split": "Several streams, not split",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuarterNotStarted(ValueError):
    pass


def marker(*, child: bool, joint_funded: bool, chc: bool) -> str:
    """The Markers of Progress category of one PHB: the first that applies, in the order of the return."""
    if child:
        return "children"
    if joint_funded:
        return "joint_funded"
    if chc:
        return "nhs_funded_chc"
    return "ltc_inc_mh"


def _counted_per_organisation(organisations: Organisations, quarter: Quarter, as_of: date) -> dict:
    """{organisation id: {count name: n}} for both measures, from two grouped queries whatever the
    number of organisations: one by (child, joint funded, CHC, management option), one by cohort.

    The first gives at most 24 groups per organisation, which are added up here into the markers
    and the breakdowns; the database does the counting over the plans.
    """
    measures = {
        "active": in_place_q(as_of),
        "received_ytd": first_approval_q(quarter.financial_year_start, as_of),
    }
    # Both measures are versions approved by the as-of date (the index range they share); the rows
    # counted in neither are left out before the joins and the grouping.
    plans = (
        organisation_plans(organisations)
        .filter(approved_at__lt=end_of_day(as_of))
        .exclude(status__in=NEVER_IN_PLACE)
        .filter(measures["active"] | measures["received_ytd"])
    )
    counts = {measure: Count("id", filter=condition) for measure, condition in measures.items()}
    groups = (
        plans.annotate(
            child=ExpressionWrapper(
                Q(person__date_of_birth__gt=birthday_cutoff(as_of, 18)), output_field=BooleanField()
            ),
            joint_funded=ExpressionWrapper(
                Q(funded_nhs=True, funded_social_care=True), output_field=BooleanField()
            ),
            chc=Exists(PersonCohort.objects.filter(person=OuterRef("person"), cohort=Cohort.CHC)),
        )
        .values("organisation", "management", "child", "joint_funded", "chc")
        .annotate(**counts)
        .order_by()
    )
    counted: dict = {}
    for group in groups:
        figures = counted.setdefault(group["organisation"], defaultdict(int))
        category = marker(child=group["child"], joint_funded=group["joint_funded"], chc=group["chc"])
        figures[f"marker_{category}"] += group["active"]
        for measure in measures:
            figures[f"{measure}_children_and_young_people" if group["child"] else f"{measure}_adults"] += (
                group[measure]
            )
            if group["chc"] and not group["child"]:
                figures[f"{measure}_adults_chc"] += group[measure]
            figures[f"{measure}_management_{group['management']}"] += group[measure]

    cohort_rows = (
        plans.filter(person__cohorts__isnull=False)
        .values("organisation", "person__cohorts__cohort")
        .annotate(
            **{
                measure: Count("id", distinct=True, filter=condition)
                for measure, condition in measures.items()
            }
        )
        .order_by()
    )
    for row in cohort_rows:
        figures = counted.setdefault(row["organisation"], defaultdict(int))
        for measure in measures:
            figures[f"{measure}_cohort_{row['person__cohorts__cohort']}"] = row[measure]
    funding = (
        organisation_plans(organisations)
        .values("organisation")
        .annotate(**funding_sums(measures["active"]))
        .order_by()
    )
    for row in funding:
        counted.setdefault(row["organisation"], defaultdict(int))["funding"] = funding_streams(row)
    return counted


def _add_group(figures: dict, measure: str, key: str, count: int) -> None:
    """Add one live-summary group ("child|joint|chc|management") to a return's counts."""
    child, joint, chc, management = key.split(live.SEP)
    if measure == "active":
        figures[f"marker_{marker(child=child == '1', joint_funded=joint == '1', chc=chc == '1')}"] += count
    figures[f"{measure}_children_and_young_people" if child == "1" else f"{measure}_adults"] += count
    if chc == "1" and child != "1":
        figures[f"{measure}_adults_chc"] += count
    figures[f"{measure}_management_{management}"] += count


def _counted_live(organisation: Organisation, quarter: Quarter, as_of: date) -> dict:
    """The same counts as _counted_per_organisation for today, from the live summaries."""
    live.redate(organisation.pk, as_of)
    summary = live.read(organisation.pk, as_of)
    figures: dict = defaultdict(int)
    for key, (count, _amount) in summary.keys("active").items():
        _add_group(figures, "active", key, count)
    for key, (count, _amount) in summary.keys("active_cohort").items():
        figures[f"active_cohort_{key}"] += count
    since, until = quarter.financial_year_start.isoformat(), as_of.isoformat()
    for key, (count, _amount) in live.dated(summary, "first").items():
        day, group = key.split(live.SEP, 1)
        if since <= day <= until:
            _add_group(figures, "received_ytd", group, count)
    for key, (count, _amount) in live.dated(summary, "first_cohort").items():
        day, cohort = key.split(live.SEP, 1)
        if since <= day <= until:
            figures[f"received_ytd_cohort_{cohort}"] += count
    figures["funding"] = {
        stream: f"{summary.amount('funding', stream):.2f}" for stream in live.FUNDING_STREAMS
    }
    return figures


def _breakdowns(counted: dict, measure: str) -> dict:
    def get(name: str) -> int:
        return counted.get(f"{measure}_{name}", 0)

    return {
        "adults_and_children": {code: get(code) for code, _label in AGE_GROUPS},
        "adults_eligible_for_chc": get("adults_chc"),
        "by_cohort": {code: get(f"cohort_{code}") for code in Cohort.values},
        "by_management": {code: get(f"management_{code}") for code in Management.values},
    }


def _figures(
    organisation: Organisation, quarter: Quarter, as_of: date, provisional: bool, counted: dict
) -> dict:
    markers = {code: counted.get(f"marker_{code}", 0) for code, _label in MARKERS if code != "total"}
    markers["total"] = sum(markers.values())
    received = _breakdowns(counted, "received_ytd")
    active = _breakdowns(counted, "active")
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
    # Spend by funding stream of the PHBs active at quarter end (reporting/live.py funding_shares).
    figures["spend_by_funding_stream"] = counted.get("funding") or {
        stream: "0.00" for stream in live.FUNDING_STREAMS
    }
    return figures


def returns_figures(organisations: Organisations, quarter: Quarter, today: date) -> dict:
    """{organisation id: the JSON of its return} for many organisations at once (the quarterly job):
    the same two grouped queries as for one organisation, grouped by organisation."""
    if quarter.start > today:
        raise QuarterNotStarted(f"{quarter} has not started yet.")
    organisations = list(organisations)
    provisional = quarter.end >= today
    as_of = min(quarter.end, today)
    with without_jit():
        counted = _counted_per_organisation(organisations, quarter, as_of)
    return {
        organisation.pk: _figures(organisation, quarter, as_of, provisional, counted.get(organisation.pk, {}))
        for organisation in organisations
    }


def return_figures(organisation: Organisation, quarter: Quarter, today: date) -> dict:
    """The JSON of the return (what the history stores and every format is made from)."""
    as_of = min(quarter.end, today)
    if quarter.start <= today <= quarter.end and live.is_built(organisation):
        # The quarter in progress, as at today: from the live summaries.
        return _figures(organisation, quarter, today, True, _counted_live(organisation, quarter, today))
    return cached(
        "return",
        [organisation.pk],
        (str(quarter), as_of.isoformat(), quarter.end >= today),
        lambda: returns_figures([organisation], quarter, today)[organisation.pk],
    )


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
    for code, value in figures.get("spend_by_funding_stream", {}).items():
        rows.append(("spend_by_funding_stream", code, value))
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
    if figures.get("spend_by_funding_stream"):
        markers.append([])
        markers.append(["Funding stream", "Spend of PHBs in place at quarter end (£)"])
        for code, amount in figures["spend_by_funding_stream"].items():
            markers.append([FUNDING_LABELS.get(code, code), Decimal(amount)])
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
