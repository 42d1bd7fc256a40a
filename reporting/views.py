"""Reporting pages: the commissioner dashboard, the PHB quarterly return and the region roll-up."""

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from phb.constants import Cohort, Gender, Role
from phb.exceptions import InvalidInput
from phb.mixins import OrgViewMixin
from phb.visibility import Data
from support_plans import selectors as plan_selectors
from support_plans.constants import Management, SpendCategory
from support_plans.models import OrganisationSpendCategory, SupportPlan

from . import disclosure, returns, services
from .charts import bar_chart
from .constants import DASHBOARD_ROLES, RETURN_ROLES
from .dashboard import organisation_dashboard, region_dashboard
from .models import QuarterlyReturn
from .quarters import quarter_containing
from .selectors import region_organisations_for

TIMING_LABELS = [
    ("referral_to_approval", "Referral to approval"),
    ("submission_to_decision", "Submission to decision"),
    ("approval_to_funds_released", "Approval to release of funds"),
    ("approval_to_release_from_fund", "Approval to release of funds: from a fund agreed in advance"),
    ("approval_to_release_by_hand", "Approval to release of funds: released by hand"),
    ("approval_to_first_payment", "Approval to first payment"),
]
PIPELINE_LABELS = [
    ("referrals", "Referrals received"),
    ("conversations", "Conversations held"),
    ("plans_submitted", "Plans submitted"),
    ("plans_approved", "Plans approved"),
    ("funds_released", "Funds released"),
    ("first_payment", "First payment made"),
]
REVIEW_LABELS = [("due", "Due"), ("overdue", "Overdue"), ("completed", "Completed")]


def _as_of(request) -> date:
    try:
        return services.as_of_from(request.GET.get("as_of"))
    except InvalidInput:
        messages.error(request, "As of: enter a real date, for example 2025-03-31. Showing today instead.")
        return services.today_local()


# The funding streams a plan's cost is split between (support plans), and a plan's whole cost where
# several streams are ticked without amounts.
FUNDING_STREAM_LABELS = (
    ("nhs", "NHS"),
    ("social_care", "Social care"),
    ("education", "Education"),
    ("not_split", "Several streams, amounts not given"),
)


def _panels(figures: dict, organisation=None) -> dict:
    """Charts and table rows for the page, made from the same figures the API returns."""
    cohorts = [(label, figures["by_cohort"][code]) for code, label in Cohort.choices]
    management = [(label, figures["by_management"][code]) for code, label in Management.choices]
    category_labels = dict(SpendCategory.choices)
    if organisation is not None:
        category_labels.update(
            OrganisationSpendCategory.objects.for_org(organisation).values_list("code", "label")
        )
    categories = [
        (category_labels.get(code, code), amount) for code, amount in figures["spend"]["by_category"].items()
    ]
    streams = [
        (label, figures["spend"]["by_funding_stream"].get(code))
        for code, label in FUNDING_STREAM_LABELS
        if code in figures["spend"].get("by_funding_stream", {})
    ]
    trajectory = [(point["quarter_end"], point["in_place"]) for point in figures["ambition"]["trajectory"]]
    pipeline = [(label, figures["pipeline"][code]) for code, label in PIPELINE_LABELS]
    age_bands = [(row["age_band"], row["total"]) for row in figures["demographics"]["age_gender"]]
    ethnicity = list(figures["demographics"]["ethnicity"].items())
    reviews = [(label, figures["reviews"][code]) for code, label in REVIEW_LABELS]
    return {
        "cohorts": {"rows": cohorts, "chart": bar_chart("PHBs in place by cohort", cohorts)},
        "management": {
            "rows": management,
            "chart": bar_chart("PHBs in place by management option", management),
        },
        "trajectory": {
            "rows": trajectory,
            "chart": bar_chart("PHBs in place at each quarter end", trajectory),
        },
        "pipeline": {"rows": pipeline, "chart": bar_chart("Pipeline", pipeline)},
        "categories": {"rows": categories, "chart": bar_chart("Spend by category", categories, money=True)},
        "funding_streams": {
            "rows": streams,
            "chart": bar_chart("Spend by funding stream", streams, money=True),
        },
        "age_bands": {"rows": age_bands, "chart": bar_chart("Budget holders by age band", age_bands)},
        "ethnicity": {"rows": ethnicity, "chart": bar_chart("Budget holders by ethnic group", ethnicity)},
        "reviews": {"rows": reviews, "chart": bar_chart("Reviews", reviews)},
        "ambition_intro": _ambition_sentence(figures["ambition"]),
        "timings": [(label, figures["timings"][code]) for code, label in TIMING_LABELS],
        "genders": Gender.choices,
        "age_gender": [
            (row["age_band"], [row["genders"][code] for code, _label in Gender.choices], row["total"])
            for row in figures["demographics"]["age_gender"]
        ],
    }


def _ambition_sentence(ambition: dict) -> str:
    target = f"Ambition: {ambition['target']} PHBs"
    if ambition["date"]:
        target += f" by {date.fromisoformat(ambition['date']):%-d %B %Y}"
    if ambition["target_per_1000"]:
        target += f" ({ambition['target_per_1000']} per 1,000 population)"
    now = f"{ambition['in_place']} in place now"
    if ambition["per_1000_population"]:
        now += f" ({ambition['per_1000_population']} per 1,000 population)"
    return f"{target}. {now}."


UNFUNDED_ROWS = 25


class DashboardPageView(OrgViewMixin, TemplateView):
    """The commissioner dashboard: each panel a chart with its data table beside it."""

    template_name = "reporting/dashboard.html"
    model = SupportPlan
    data = Data.DASHBOARDS
    required_roles = DASHBOARD_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = _as_of(self.request)
        figures = organisation_dashboard(self.organisation, on)
        context.update({"figures": figures, "as_of": on, "panels": _panels(figures, self.organisation)})
        # The longest waits first; all of them on asking (hundreds in a large organisation).
        waiting = figures["unfunded_approved"]
        context["show_all_unfunded"] = self.request.GET.get("unfunded") == "all"
        context["unfunded_rows"] = waiting if context["show_all_unfunded"] else waiting[:UNFUNDED_ROWS]
        # Its own block, apart from the dated figures: the plans in hand now against their indicative budgets.
        context["indicative"] = plan_selectors.indicative_comparison(organisation=self.organisation)
        return context


class ReturnsPageView(OrgViewMixin, TemplateView):
    """Pick a quarter, see its PHB return, download it as CSV or XLSX; the history of returns built."""

    template_name = "reporting/returns.html"
    model = QuarterlyReturn
    data = Data.DASHBOARDS
    required_roles = RETURN_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = services.today_local()
        current = quarter_containing(today)
        choices = [current]
        for _ in range(7):
            choices.append(choices[-1].previous())
        chosen = None
        figures = None
        if self.request.GET.get("quarter"):
            try:
                chosen = services.quarter_from(self.request.GET["quarter"])
                figures = returns.return_figures(self.organisation, chosen, today)
            except (InvalidInput, returns.QuarterNotStarted):
                context["quarter_error"] = f"Choose a quarter that has started, like {current.previous()}."
                chosen = None
        context.update(
            {
                "choices": [str(q) for q in choices],
                "chosen": str(chosen) if chosen else str(current.previous()),
                "figures": figures,
                "markers": [(label, figures[code]) for code, label in returns.MARKERS] if figures else [],
                "breakdown_rows": returns.breakdown_rows(figures) if figures else [],
                "history": QuarterlyReturn.objects.for_org(self.organisation).select_related("created_by")[
                    :40
                ],
            }
        )
        return context


class ReturnDownloadView(OrgViewMixin, View):
    """Build the return (kept in the history) and download it as a CSV or XLSX file."""

    model = QuarterlyReturn
    data = Data.DASHBOARDS
    required_roles = RETURN_ROLES

    def get(self, request, org):
        quarter = services.quarter_from(request.GET.get("quarter"))
        extension = request.GET.get("file", "csv")
        if extension not in ("csv", "xlsx"):
            raise InvalidInput(file=["Choose CSV or XLSX."])
        built = services.return_build(actor=request.user, organisation=self.organisation, quarter=quarter)
        if extension == "csv":
            response = HttpResponse(returns.render_csv(built.figures), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                returns.render_xlsx(built.figures), content_type=returns.XLSX_CONTENT_TYPE
            )
        response["Content-Disposition"] = (
            f'attachment; filename="{returns.filename(built.figures, extension)}"'
        )
        return response

    def get_error_redirect_url(self) -> str:
        return reverse("reporting:returns", kwargs={"org": self.organisation.code})


class RegionDashboardPageView(OrgViewMixin, TemplateView):
    """The region roll-up for region viewers: aggregate figures only, never person-level data."""

    template_name = "reporting/region.html"
    model = SupportPlan
    data = Data.REGION
    required_roles = {Role.REGION_VIEWER}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = _as_of(self.request)
        region = self.organisation.region
        organisations = region_organisations_for(self.request.user, region)
        figures = disclosure.region_figures(region_dashboard(region, organisations, on))
        context.update({"figures": figures, "as_of": on, "region": region, "panels": _panels(figures)})
        return context
