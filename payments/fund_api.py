"""The funds API: set up a fund agreed in advance, read its figures, top it up or reduce it, close it."""

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from phb import serializers
from phb.api import MoneyField, OrgScopedMixin
from phb.constants import Cohort, Role
from phb.exceptions import InvalidInput
from phb.models import Team
from phb.visibility import Data
from support_plans.models import Supplier, SupportPlan

from . import fund_selectors as selectors
from . import fund_services as services
from . import funds
from .api import LedgerEntrySerializer
from .constants import EntryKind, FundEntryKind, FundStatus
from .models import Fund, LedgerEntry
from .selectors import entry_data

VIEW_ROLES = {Role.COMMISSIONER, Role.FINANCE, Role.BROKER}
CHANGE_ROLES = set(services.FUND_ROLES)
MIN_AMOUNT = Decimal("0.01")


def _financial_year(value: str) -> str:
    if not funds.is_financial_year(value):
        raise serializers.ValidationError(funds.YEAR_MESSAGE)
    return value


class HeldBySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FundSerializer(serializers.Serializer):
    """Documents `fund_selectors.fund_data`."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    financial_year = serializers.CharField()
    amount = MoneyField(help_text="Allocated: the allocation plus top-ups less reductions")
    committed = MoneyField(help_text="The approved plans' amounts for the year")
    released = MoneyField()
    paid = MoneyField(help_text="Paid out in the year from the budgets the fund released")
    remaining = MoneyField(help_text="Allocated less committed: room for further approvals")
    status = serializers.ChoiceField(choices=FundStatus.choices)
    held_by = HeldBySerializer(allow_null=True)
    cohorts = serializers.ListField(child=serializers.ChoiceField(choices=Cohort.choices))
    teams = serializers.ListField(child=serializers.IntegerField())
    weekly_rate = MoneyField(help_text="Committed per week so far this year")
    weekly_commitment_to_year_end = MoneyField(
        allow_null=True, help_text="Committed and not yet paid, per week from today to the year's end"
    )
    runs_out_on = serializers.DateField(allow_null=True, help_text="At the current weekly rate")
    runs_out_before_year_end = serializers.BooleanField()
    year_end = serializers.DateField()


class FundCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    financial_year = serializers.CharField(max_length=7, validators=[_financial_year])
    amount = MoneyField(min_value=MIN_AMOUNT, max_value=services.MAX_FUND)
    held_by = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A supplier (brokerage partner); empty: the organisation",
    )
    cohorts = serializers.ListField(
        child=serializers.ChoiceField(choices=Cohort.choices), required=False, default=list
    )
    teams = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class FundEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FundEntryKind.choices)
    amount = MoneyField()
    entry_date = serializers.DateField()
    reason = serializers.CharField()
    plan = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class FundAdjustSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[FundEntryKind.TOP_UP, FundEntryKind.REDUCTION])
    amount = MoneyField(min_value=MIN_AMOUNT, max_value=services.MAX_FUND)
    reason = serializers.CharField(max_length=2000)


class _FundMixin(OrgScopedMixin):
    model = Fund

    def get_queryset(self):
        return selectors.fund_list(organisation=self.organisation)

    def actor_roles(self) -> set[str]:
        membership = self.org_context.membership
        return membership.role_codes if membership is not None else set()


class FundListView(_FundMixin, generics.GenericAPIView):
    """GET: the organisation's funds. POST (commissioner, finance): set money aside for a year."""

    input_rules = {
        "held_by": "the id of a team of this organisation",
        "financial_year": "a financial year like 2026-27",
    }

    data = Data.ACCOUNTS

    required_roles = {"GET": VIEW_ROLES, "POST": CHANGE_ROLES}

    def get_serializer_class(self):
        return FundCreateSerializer if self.request.method == "POST" else FundSerializer

    @extend_schema(responses={200: FundSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        today = timezone.localdate()
        return self.get_paginated_response([selectors.fund_data(f, today) for f in page])

    @extend_schema(request=FundCreateSerializer, responses={201: FundSerializer})
    def post(self, request, *args, **kwargs):
        serializer = FundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        held_by = None
        if data["held_by"] is not None:
            held_by = Supplier.objects.for_org(self.organisation).filter(pk=data["held_by"]).first()
            if held_by is None:
                raise InvalidInput(held_by=["No such supplier in this organisation."])
        teams = list(Team.objects.for_org(self.organisation).filter(pk__in=data["teams"]))
        if len(teams) != len(set(data["teams"])):
            raise InvalidInput(teams=["No such team in this organisation."])
        fund = services.fund_create(
            actor=request.user,
            organisation=self.organisation,
            name=data["name"],
            financial_year=data["financial_year"],
            amount=data["amount"],
            held_by=held_by,
            cohorts=data["cohorts"],
            teams=teams,
            actor_roles=self.actor_roles(),
        )
        return Response(selectors.fund_data(fund), status=status.HTTP_201_CREATED)


class FundDetailView(_FundMixin, generics.GenericAPIView):
    """A fund: allocated, committed, released, paid, remaining; the weekly commitment and run-out date."""

    data = Data.ACCOUNTS

    serializer_class = FundSerializer
    required_roles = VIEW_ROLES

    @extend_schema(responses={200: FundSerializer})
    def get(self, request, *args, **kwargs):
        return Response(selectors.fund_data(self.get_object()))


class FundEntryListView(_FundMixin, generics.GenericAPIView):
    """GET: the fund's entries, oldest first. POST (commissioner, finance): a top-up or reduction, with a reason."""

    data = Data.ACCOUNTS

    required_roles = {"GET": VIEW_ROLES, "POST": CHANGE_ROLES}

    def get_serializer_class(self):
        return FundAdjustSerializer if self.request.method == "POST" else FundEntrySerializer

    @extend_schema(responses={200: FundEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.fund_entries(self.get_object()))
        return self.get_paginated_response([selectors.fund_entry_data(e) for e in page])

    @extend_schema(request=FundAdjustSerializer, responses={201: FundEntrySerializer})
    def post(self, request, *args, **kwargs):
        fund = self.get_object()
        serializer = FundAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.fund_adjust(
            actor=request.user, fund=fund, actor_roles=self.actor_roles(), **serializer.validated_data
        )
        return Response(selectors.fund_entry_data(entry), status=status.HTTP_201_CREATED)


class FundCloseView(_FundMixin, generics.GenericAPIView):
    """Close a fund (commissioner, finance): no further approvals draw on it."""

    data = Data.ACCOUNTS

    serializer_class = FundSerializer
    required_roles = CHANGE_ROLES

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Another organisation's fund is not found, whatever the method.
        self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: FundSerializer})
    def post(self, request, *args, **kwargs):
        fund = services.fund_close(actor=request.user, fund=self.get_object(), actor_roles=self.actor_roles())
        return Response(selectors.fund_data(fund))


class ReleaseWaitingFromFundView(OrgScopedMixin, generics.GenericAPIView):
    """A plan approved while no fund had room: release its money for the year from a fund now
    (finance, commissioner); 409 naming why when still no fund can."""

    model = SupportPlan
    data = Data.ACCOUNTS
    serializer_class = LedgerEntrySerializer
    required_roles = CHANGE_ROLES

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Another organisation's plan is not found, whatever the method.
        self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(request=None, responses={201: LedgerEntrySerializer})
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        membership = self.org_context.membership
        commitment = services.fund_release_waiting(
            actor=request.user, plan=plan, actor_roles=membership.role_codes if membership else set()
        )
        release = LedgerEntry.objects.filter(
            account_id=commitment.account_id, kind=EntryKind.RELEASE, fund_id=commitment.fund_id
        ).latest("id")
        return Response(entry_data(release), status=status.HTTP_201_CREATED)
