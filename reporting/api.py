"""The reporting API: the commissioner dashboard, the PHB quarterly return and the region roll-up."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import query, serializers
from phb.api import FileDownloadMixin, OrgScopedMixin
from phb.exceptions import InvalidInput
from phb.money import api_amount
from phb.visibility import Data
from support_plans.models import SupportPlan
from support_plans.selectors import indicative_comparison

from . import disclosure, returns, services
from .constants import DASHBOARD_ROLES, RETURN_ROLES
from .dashboard import organisation_dashboard, region_dashboard
from .models import QuarterlyReturn
from .selectors import region_organisations_for

FORMATS = ("json", "csv", "xlsx")

# What `as_of` is held to beyond its format (phb/schema.py states it in the 400 answer).
AS_OF_RULE = {"as_of": "a date from 2000 to 2099"}
AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="The date the figures are for (YYYY-MM-DD); default today"
)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "enum": ["*"]}],
        "description": 'A count rounded to the nearest 5, or "*" for 1 to 7 (disclosure control)',
    }
)
class PublishedCountField(serializers.Field):
    pass


def _figures_schema(name: str, person_level: bool):
    # The region roll-up's counts are under disclosure control (reporting/disclosure.py).
    count = serializers.IntegerField if person_level else PublishedCountField
    fields = {
        "as_of": serializers.DateField(),
        "in_place": count(),
        "new_this_quarter": count(),
        "quarter": serializers.CharField(),
        "by_cohort": serializers.DictField(child=count()),
        "by_management": serializers.DictField(child=count()),
        "pipeline": serializers.DictField(child=count()),
        "timings": serializers.DictField(child=serializers.DictField()),
        "spend": serializers.DictField(
            help_text="total, mean, median, mode, mode_count, by_category, paid_to_date"
        ),
        "demographics": serializers.DictField(help_text="age_gender, ethnicity"),
        "reviews": serializers.DictField(child=count()),
        "ambition": serializers.DictField(
            help_text="target, date, in_place, per_1000_population, trajectory"
        ),
    }
    if person_level:
        fields["organisation"] = serializers.DictField(child=serializers.CharField())
        fields["unfunded_after_days"] = serializers.IntegerField()
        fields["unfunded_approved"] = serializers.ListField(child=serializers.DictField())
        fields["indicative"] = serializers.DictField(
            help_text="plans, over, within, total_difference, margin_percent: the current plans (today, "
            "whatever as_of) with an indicative budget, over it by more than the organisation's margin or "
            "within it, and their costs less their indicative budgets in total"
        )
    else:
        fields["region"] = serializers.CharField()
        fields["organisations"] = serializers.ListField(child=serializers.DictField())
    return inline_serializer(name, fields)


class DashboardView(OrgScopedMixin, APIView):
    """The commissioner dashboard for a date: every figure as it stood on `as_of`."""

    model = SupportPlan
    data = Data.DASHBOARDS
    required_roles = DASHBOARD_ROLES
    input_rules = AS_OF_RULE

    @extend_schema(parameters=[AS_OF], responses=_figures_schema("Dashboard", person_level=True))
    def get(self, request, org):
        on = services.as_of_from(query.given(request.query_params, "as_of"))
        # The page's block of plans against their indicative budgets, as it shows it: plans current now.
        indicative = indicative_comparison(organisation=self.organisation)
        return Response(
            {
                **organisation_dashboard(self.organisation, on),
                "indicative": {
                    **indicative,
                    "total_difference": api_amount(indicative["total_difference"]),
                    "margin_percent": api_amount(indicative["margin_percent"]),
                },
            }
        )


class ReturnCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return returns.render_csv(data).encode("utf-8")


class ReturnXLSXRenderer(BaseRenderer):
    media_type = returns.XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return returns.render_xlsx(data)


class ReturnView(FileDownloadMixin, OrgScopedMixin, APIView):
    """Build the PHB quarterly return (stored in the history) as JSON, CSV or XLSX."""

    input_rules = {"quarter": "a quarter that has started"}

    model = QuarterlyReturn
    data = Data.DASHBOARDS
    required_roles = RETURN_ROLES
    renderer_classes = [JSONRenderer, ReturnCSVRenderer, ReturnXLSXRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarter",
                {"type": "string", "pattern": r"^[2-9]\d{3}Q[1-4]$"},
                required=True,
                description="Calendar quarter from 2000 onwards, like 2014Q3",
            ),
            OpenApiParameter("format", str, enum=FORMATS, description="json (default), csv or xlsx"),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, returns.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, org):
        if self.unknown_format:
            raise InvalidInput(format=[f"Choose one of: {', '.join(FORMATS)}."])
        quarter = services.quarter_from(request.query_params.get("quarter"))
        built = services.return_build(actor=request.user, organisation=self.organisation, quarter=quarter)
        figures = {**built.figures, "id": built.pk, "built_at": built.created_at.isoformat()}
        response = Response(figures)
        extension = request.accepted_renderer.format
        if extension in ("csv", "xlsx"):
            response["Content-Disposition"] = f'attachment; filename="{returns.filename(figures, extension)}"'
        return response


class QuarterlyReturnSerializer(serializers.ModelSerializer):
    built_by = serializers.CharField(source="created_by.username", default=None)
    total = serializers.SerializerMethodField()

    class Meta:
        model = QuarterlyReturn
        fields = [
            "id",
            "quarter",
            "period_start",
            "period_end",
            "provisional",
            "built_by_job",
            "built_by",
            "created_at",
            "total",
        ]

    def get_total(self, quarterly_return) -> int | None:
        return quarterly_return.figures.get("total")


class ReturnHistoryView(OrgScopedMixin, generics.ListAPIView):
    """The PHB quarterly returns built for this organisation, newest quarter first."""

    model = QuarterlyReturn
    data = Data.DASHBOARDS
    required_roles = RETURN_ROLES
    serializer_class = QuarterlyReturnSerializer

    def get_queryset(self):
        return QuarterlyReturn.objects.for_org(self.organisation).select_related("created_by")


class RegionDashboardView(APIView):
    """Region roll-up for region viewers: aggregates across the region's organisations, no person data."""

    permission_classes = [IsAuthenticated]
    input_rules = AS_OF_RULE

    @extend_schema(parameters=[AS_OF], responses=_figures_schema("RegionDashboard", person_level=False))
    def get(self, request, region):
        organisations = region_organisations_for(request.user, region)
        if organisations is None:
            raise Http404("No such region.")
        on = services.as_of_from(query.given(request.query_params, "as_of"))
        # The figures leave the organisations: published under disclosure control.
        return Response(disclosure.region_figures(region_dashboard(region, organisations, on)))
