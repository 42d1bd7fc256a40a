"""The support plans API: plans and their versions, actions, the person's PDF, suppliers, fast-track offers."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import dates, query, serializers
from phb.access import PERSON_DATA_ROLES
from phb.access_log import AccessKind, access_record
from phb.api import MoneyField, OrgScopedMixin
from phb.models import Person
from phb.visibility import Data
from referrals.models import Referral

from . import allocation, allocation_services, costs, selectors, services
from .constants import AgreedBy, CloseReason, Frequency, Management, PaymentMethod, PlanStatus
from .models import FastTrackOffer, Supplier, SupportPlan
from .pdf import plan_pdf

MAX_AMOUNT = costs.MAX_ITEM_AMOUNT


class AmountField(MoneyField):
    """An amount of money: more than £0, at most two decimal places, at most £1,000,000."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", MAX_AMOUNT)
        super().__init__(**kwargs)


def _organisation(serializer) -> object:
    return serializer.context["organisation"]


# --- Input


class GoalInput(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    how_budget_helps = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ItemInput(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    category = serializers.CharField(max_length=40)
    amount = AmountField()
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)
    supplier_id = serializers.IntegerField(required=False, allow_null=True)
    start_date = serializers.DateField(
        required=False, allow_null=True, validators=[dates.validator(label="The item's start date")]
    )
    end_date = serializers.DateField(
        required=False, allow_null=True, validators=[dates.validator(label="The item's end date")]
    )
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices, required=False, allow_blank=True, allow_null=True
    )

    def validate_category(self, value):
        # A caller checking many items (an import's rows) passes the codes, read once, in the context.
        codes = self.context.get("category_codes")
        if codes is None:
            codes = services.category_codes(_organisation(self))
        if value not in codes:
            raise serializers.ValidationError(f"Unknown spend category {value!r}.")
        return value

    def validate(self, data):
        problems = dates.period_problems(
            data.get("start_date"), data.get("end_date"), noun="item", max_years=None
        )
        if problems:
            raise serializers.ValidationError({"end_date": problems})
        supplier = None
        if data.get("supplier_id") is not None:
            supplier = Supplier.objects.for_org(_organisation(self)).filter(pk=data["supplier_id"]).first()
            if supplier is None:
                raise serializers.ValidationError({"supplier_id": ["No such supplier in this organisation."]})
        return {
            "description": data["description"],
            "category": data["category"],
            "amount": data["amount"],
            "frequency": data["frequency"],
            "supplier": supplier,
            "supplier_name": data.get("supplier") or (supplier.name if supplier else ""),
            "start_date": data.get("start_date"),
            "end_date": data.get("end_date"),
            "payment_method": data.get("payment_method") or "",
        }


class RiskInput(serializers.Serializer):
    risk = serializers.CharField(max_length=2000)
    mitigation = serializers.CharField(max_length=2000)


@extend_schema_field(
    {"oneOf": [{"type": "boolean"}, {"type": "string", "example": "1200.00"}], "nullable": True}
)
class FundingStreamField(serializers.Field):
    """A funding stream: true/false (contributes or not), or the amount it contributes; null means no."""

    def to_internal_value(self, data):
        if data is None or data is False:
            return (False, None)
        if data is True:
            return (True, None)
        amount = AmountField()
        return (True, amount.to_internal_value(data))


class FundingInput(serializers.Serializer):
    nhs = FundingStreamField(required=False, allow_null=True)
    social_care = FundingStreamField(required=False, allow_null=True)
    education = FundingStreamField(required=False, allow_null=True)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - {"nhs", "social_care", "education"}
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Unknown funding stream; use nhs, social_care or education."] for key in unknown}
                )
        return super().to_internal_value(data)


class AgreementInput(serializers.Serializer):
    agreed_on = serializers.DateField(
        required=False, allow_null=True, validators=[dates.validator(label="Date agreed", kind=dates.PAST)]
    )
    agreed_by = serializers.ChoiceField(choices=AgreedBy.choices, required=False, allow_blank=True)
    agreed_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PlanInput(serializers.Serializer):
    person = serializers.IntegerField()
    referral = serializers.IntegerField(required=False, allow_null=True)
    start_date = serializers.DateField(validators=[dates.validator(label="The plan's start date")])
    end_date = serializers.DateField(validators=[dates.validator(label="The plan's end date")])
    management = serializers.ChoiceField(choices=Management.choices)
    funding = FundingInput(required=False, allow_null=True)
    goals = GoalInput(many=True, required=False)
    # Refused before 10,000 items are validated one by one; the service holds the same limit.
    items = ItemInput(many=True, required=False, max_length=costs.MAX_ITEMS)
    risks = RiskInput(many=True, required=False)
    contingency = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    contacts = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    agreement = AgreementInput(required=False, allow_null=True)
    allocation_answers = serializers.DictField(
        child=serializers.CharField(max_length=40),
        required=False,
        allow_null=True,
        allow_empty=True,
        help_text='{"<question code>": "<answer code>"} for every question of the allocation questionnaire '
        "in force; null or {} skips it",
    )

    def validate_allocation_answers(self, value):
        if value is not None and len(value) > allocation.MAX_QUESTIONS:
            raise serializers.ValidationError(f"At most {allocation.MAX_QUESTIONS} answers.")
        return value

    def validate_person(self, value):
        person = Person.objects.for_org(_organisation(self)).filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError("No such person in this organisation.")
        return person

    def validate(self, data):
        plan = self.instance
        start = data.get("start_date", plan.start_date if plan else None)
        end = data.get("end_date", plan.end_date if plan else None)
        problems = dates.period_problems(start, end)
        if problems:
            raise serializers.ValidationError({"end_date": problems})
        if data.get("referral") is not None:
            person = data.get("person") or (plan.person if plan else None)
            referral = (
                Referral.objects.for_org(_organisation(self))
                .filter(pk=data["referral"], person=person)
                .first()
            )
            if referral is None:
                raise serializers.ValidationError({"referral": ["No such referral for this person here."]})
            data["referral"] = referral
        return data

    def service_fields(self) -> dict:
        """The validated body as the service's keyword arguments."""
        data = dict(self.validated_data)
        fields = {}
        funding = data.pop("funding", None)
        if funding is not None:
            # With a funding object, a stream left out (or null) does not contribute.
            for stream in ("nhs", "social_care", "education"):
                contributes, amount = funding.get(stream) or (False, None)
                fields[f"funded_{stream}"] = contributes
                fields[f"funding_{stream}"] = amount
        agreement = data.pop("agreement", None) or {}
        for name in ("agreed_on", "agreed_by", "agreed_by_name"):
            if name in agreement:
                fields[name] = agreement[name]
        data.pop("person", None)
        if self.instance is not None:
            data.pop("referral", None)
        return {**data, **fields}


class PatchInput(PlanInput):
    """PATCH: any of the plan's fields; goals, items and risks are replaced when given."""

    person = serializers.IntegerField(required=False)


class CloseInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)
    closed_on = serializers.DateField(validators=[dates.validator(label="Date closed")])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FastTrackInput(serializers.Serializer):
    offer = serializers.IntegerField()


# --- Output


class GoalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    how_budget_helps = serializers.CharField()


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    category = serializers.CharField()
    supplier = serializers.CharField(source="supplier_name")
    supplier_id = serializers.IntegerField(allow_null=True)
    amount = MoneyField()
    frequency = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    payment_method = serializers.CharField()


class RiskOutput(serializers.Serializer):
    risk = serializers.CharField()
    mitigation = serializers.CharField()


CostsOutput = inline_serializer(
    "PlanCosts",
    {"total": serializers.CharField(), "weekly": serializers.CharField(), "annual": serializers.CharField()},
)
RequiredOutput = inline_serializer(
    "RequiredSignoff", {"role": serializers.CharField(), "count": serializers.IntegerField()}, many=True
)
TierOutput = inline_serializer(
    "RequiredTier",
    {
        "tier": serializers.IntegerField(),
        "basis": serializers.CharField(),
        "measured_amount": serializers.CharField(),
        "required": RequiredOutput,
    },
    allow_null=True,
)
ApprovalOutput = inline_serializer(
    "PlanApproval",
    {
        "id": serializers.IntegerField(),
        "tier": serializers.IntegerField(),
        "basis": serializers.CharField(),
        "measured_amount": serializers.CharField(),
        "required": RequiredOutput,
        "status": serializers.CharField(),
        "decisions": serializers.ListField(child=serializers.DictField()),
    },
    allow_null=True,
)
AccountOutput = inline_serializer(
    "PlanAccount",
    {
        "approved": serializers.CharField(),
        "released": serializers.CharField(),
        "paid": serializers.CharField(),
        "balance": serializers.CharField(),
    },
    allow_null=True,
)


def approval_json(request) -> dict | None:
    if request is None:
        return None
    return {
        "id": request.pk,
        "tier": request.tier,
        "basis": request.basis,
        "measured_amount": f"{request.measured_amount:.2f}",
        "required": request.required,
        "status": request.status,
        "decisions": [
            {
                "user": decision.user.username,
                "role": decision.role,
                "decision": decision.decision,
                "comment": decision.comment,
                "at": decision.at.isoformat(),
            }
            for decision in request.decisions.all()
        ],
    }


class PlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    referral = serializers.IntegerField(source="referral_id", allow_null=True)
    budget = serializers.IntegerField(source="budget_id")
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    management = serializers.CharField()
    care_coordinator = serializers.SerializerMethodField()
    funding = serializers.SerializerMethodField()
    goals = GoalOutput(many=True)
    items = ItemOutput(many=True)
    risks = RiskOutput(many=True)
    contingency = serializers.CharField()
    contacts = serializers.CharField()
    agreement = serializers.SerializerMethodField()
    costs = serializers.SerializerMethodField()
    indicative_budget = serializers.SerializerMethodField(
        help_text="The indicative budget from the plan's allocation answers beside its costs; null when skipped"
    )
    allocation_answers = serializers.JSONField(allow_null=True)
    required_tier = serializers.SerializerMethodField()
    approval = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    return_comment = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    closed_on = serializers.DateField(source="budget.closed_on", allow_null=True)
    close_reason = serializers.CharField(source="budget.close_reason")

    @extend_schema_field(OpenApiTypes.STR)
    def get_care_coordinator(self, plan):
        return plan.care_coordinator.username if plan.care_coordinator else None

    @extend_schema_field(
        inline_serializer(
            "PlanFunding",
            {
                "nhs": serializers.BooleanField(),
                "social_care": serializers.BooleanField(),
                "education": serializers.BooleanField(),
                "nhs_amount": serializers.CharField(allow_null=True),
                "social_care_amount": serializers.CharField(allow_null=True),
                "education_amount": serializers.CharField(allow_null=True),
            },
        )
    )
    def get_funding(self, plan):
        data = {}
        for stream in ("nhs", "social_care", "education"):
            amount = getattr(plan, f"funding_{stream}")
            data[stream] = getattr(plan, f"funded_{stream}")
            data[f"{stream}_amount"] = f"{amount:.2f}" if amount is not None else None
        return data

    @extend_schema_field(
        inline_serializer(
            "PlanAgreement",
            {
                "agreed_on": serializers.DateField(allow_null=True),
                "agreed_by": serializers.CharField(),
                "agreed_by_name": serializers.CharField(),
            },
        )
    )
    def get_agreement(self, plan):
        return {
            "agreed_on": plan.agreed_on.isoformat() if plan.agreed_on else None,
            "agreed_by": plan.agreed_by,
            "agreed_by_name": plan.agreed_by_name,
        }

    @extend_schema_field(CostsOutput)
    def get_costs(self, plan):
        return {
            "total": f"{plan.cost_total:.2f}",
            "weekly": f"{plan.cost_weekly:.2f}",
            "annual": f"{plan.cost_annual:.2f}",
        }

    @extend_schema_field(
        inline_serializer(
            "PlanIndicativeBudget",
            {
                "points": serializers.IntegerField(),
                "amount": serializers.CharField(help_text="On the questionnaire's basis"),
                "basis": serializers.ChoiceField(choices=allocation.BASES),
                "for_plan_period": serializers.CharField(),
                "cost_total": serializers.CharField(),
                "difference": serializers.CharField(help_text="Cost total less the budget for the period"),
                "limit": serializers.CharField(help_text="The budget for the period plus the margin"),
                "margin_percent": serializers.CharField(),
                "over": serializers.BooleanField(),
                "questionnaire_version": serializers.IntegerField(),
            },
            allow_null=True,
        )
    )
    def get_indicative_budget(self, plan):
        return allocation_services.indicative_json(allocation_services.plan_indicative(plan))

    @extend_schema_field(TierOutput)
    def get_required_tier(self, plan):
        return selectors.required_tier(plan.organisation, selectors.plan_costs(plan))

    @extend_schema_field(ApprovalOutput)
    def get_approval(self, plan):
        return approval_json(selectors.latest_approval(plan))

    @extend_schema_field(AccountOutput)
    def get_account(self, plan):
        return selectors.account_summary(plan)

    @extend_schema_field(
        inline_serializer(
            "PlanVersion",
            {
                "id": serializers.IntegerField(),
                "version": serializers.IntegerField(),
                "status": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_versions(self, plan):
        return [{"id": v.pk, "version": v.version, "status": v.status} for v in selectors.plan_versions(plan)]


class PlanSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    budget = serializers.IntegerField(source="budget_id")
    version = serializers.IntegerField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    management = serializers.CharField()
    costs = serializers.SerializerMethodField()

    @extend_schema_field(CostsOutput)
    def get_costs(self, plan):
        return PlanOutput().get_costs(plan)


class SubmitOutput(PlanOutput):
    approval = serializers.SerializerMethodField()

    @extend_schema_field(ApprovalOutput)
    def get_approval(self, plan):
        return approval_json(self.context.get("approval_request")) or super().get_approval(plan)


def plan_json(organisation, pk: int) -> dict:
    plan = selectors.plan_detail_queryset(organisation=organisation).get(pk=pk)
    return PlanOutput(plan).data


def person_plans(person) -> list[dict]:
    """The person API's `plans`: every plan version of every budget the person holds."""
    plans = selectors.plan_list(organisation=person.organisation, person=person).order_by(
        "budget_id", "version"
    )
    return PlanSummaryOutput(plans, many=True).data


# --- Views


class PlanMixin(OrgScopedMixin):
    model = SupportPlan
    data = Data.PLANS

    def get_queryset(self):
        return selectors.plan_detail_queryset(organisation=self.organisation)

    def http_method_not_allowed(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.get_object()  # another organisation's plan is a 404 whatever the method
        return super().http_method_not_allowed(request, *args, **kwargs)

    def plan_input(self, serializer_class, data, instance=None, partial=False):
        serializer = serializer_class(
            instance=instance, data=data, partial=partial, context={"organisation": self.organisation}
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def answer(self, plan, code=status.HTTP_200_OK):
        return Response(plan_json(self.organisation, plan.pk), status=code)


class PlanListView(PlanMixin, generics.ListCreateAPIView):
    """Support plans of the organisation, newest first; `?person=` and `?status=` filter them."""

    input_rules = {
        "referral": "the id of a referral of the same person here",
        "person": "the id of a person recorded in this organisation",
        "funding": "each stream one of nhs, social_care or education",
    }

    required_roles = {"GET": PERSON_DATA_ROLES, "POST": selectors.PLAN_WRITERS}
    serializer_class = PlanSummaryOutput

    def get_queryset(self):
        params = self.request.query_params
        person = query.given(params, "person")
        status_code = query.given(params, "status")
        if person and not (person.isascii() and person.isdigit()):  # "¹".isdigit() is True
            raise serializers.ValidationError({"person": ["Give the person's id."]})
        if status_code and status_code not in PlanStatus.values:
            raise serializers.ValidationError(
                {"status": [f"Unknown status; use one of {', '.join(PlanStatus.values)}."]}
            )
        return selectors.plan_list(organisation=self.organisation, person=person or None, status=status_code)

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int, description="Only this person's plans"),
            OpenApiParameter("status", str, enum=PlanStatus.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PlanInput, responses={201: PlanOutput})
    def post(self, request, *args, **kwargs):
        serializer = self.plan_input(PlanInput, request.data)
        person = serializer.validated_data["person"]
        plan = services.plan_create(
            actor=request.user, organisation=self.organisation, person=person, **serializer.service_fields()
        )
        return self.answer(plan, status.HTTP_201_CREATED)


class PlanDetailView(PlanMixin, APIView):
    """One support plan version: status, version, costs, goals, items, approval, account, versions."""

    input_rules = {"referral": "the id of a referral of the same person here"}

    @extend_schema(responses=PlanOutput)
    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        log_plan_opened(request.user, plan, AccessKind.PLAN, channel="api")
        return Response(PlanOutput(plan).data)

    @extend_schema(request=PatchInput, responses=PlanOutput)
    def patch(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*selectors.PLAN_WRITERS)
        serializer = self.plan_input(PatchInput, request.data, instance=plan, partial=True)
        services.plan_update(actor=request.user, plan=plan, **serializer.service_fields())
        return self.answer(plan)


class PlanSubmitView(PlanMixin, APIView):
    """Submit a draft for sign-off; the answer names the approval tier and the sign-offs it needs."""

    @extend_schema(request=None, responses=SubmitOutput)
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*selectors.PLAN_WRITERS)
        approval_request = services.plan_submit(actor=request.user, plan=plan)
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(SubmitOutput(plan, context={"approval_request": approval_request}).data)


class PlanReviseView(PlanMixin, APIView):
    """Start a new draft version of an active plan (the active version stays in place until approved)."""

    @extend_schema(request=None, responses={201: PlanOutput})
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*selectors.PLAN_WRITERS)
        revision = services.plan_revise(actor=request.user, plan=plan)
        return self.answer(revision, status.HTTP_201_CREATED)


class PlanCloseView(PlanMixin, APIView):
    """Close the budget with a reason and date."""

    data = Data.ACCOUNTS

    @extend_schema(request=CloseInput, responses=PlanOutput)
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*selectors.PLAN_CLOSERS)
        serializer = CloseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_close(actor=request.user, plan=plan, **serializer.validated_data)
        return self.answer(plan)


class PDFRenderer(BaseRenderer):
    """Lets content negotiation accept `Accept: application/pdf`; the view writes the PDF itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class PlanPdfView(PlanMixin, APIView):
    """The person's copy of the plan, as a PDF (a client may ask for application/pdf or anything)."""

    renderer_classes = [PDFRenderer, JSONRenderer]

    def handle_exception(self, exc):
        # An error is a JSON body, whatever type the client asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        log_plan_opened(request.user, plan, AccessKind.PLAN_PDF, channel="api")
        return pdf_response(plan)


def log_plan_opened(user, plan, what: str, *, channel: str) -> None:
    access_record(
        actor=user,
        organisation=plan.organisation,
        what=what,
        obj=plan,
        person=plan.person,
        channel=channel,
        detail=f"version {plan.version}",
    )


def pdf_response(plan) -> HttpResponse:
    response = HttpResponse(plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="support-plan-{plan.pk}-v{plan.version}.pdf"'
    return response


class PlanFastTrackView(PlanMixin, APIView):
    """Add a preset fast-track offer to a draft plan in one step."""

    input_rules = {"offer": "the id of an active fast-track offer of this organisation"}

    @extend_schema(request=FastTrackInput, responses={201: PlanOutput})
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*selectors.PLAN_WRITERS)
        serializer = FastTrackInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = (
            selectors.fast_track_offers(organisation=self.organisation)
            .filter(pk=serializer.validated_data["offer"])
            .first()
        )
        if offer is None:
            raise serializers.ValidationError({"offer": ["No such fast-track offer in this organisation."]})
        services.plan_add_fast_track_offer(actor=request.user, plan=plan, offer=offer)
        return self.answer(plan, status.HTTP_201_CREATED)


ACTIVE_PARAMETER = OpenApiParameter(
    "active",
    {"type": "string", "enum": ["true", "false", "all"]},
    description="true (the default, what planning offers), false (retired ones) or all",
)


def _active_filter(params) -> bool | None:
    raw = params.get("active")
    if raw is None or raw == "true":
        return True
    if raw == "false":
        return False
    if raw == "all":
        return None
    raise serializers.ValidationError({"active": ["Use true, false or all."]})


class SupplierSerializer(serializers.ModelSerializer):
    typical_amount = AmountField(required=False, allow_null=True)
    typical_frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_blank=True)

    active = serializers.BooleanField(source="is_active", required=False, default=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "service",
            "category",
            "contact",
            "typical_amount",
            "typical_frequency",
            "active",
        ]
        validators = []

    def validate_category(self, value):
        if value and value not in services.category_codes(self.context["organisation"]):
            raise serializers.ValidationError(f"Unknown spend category {value!r}.")
        return value


class SupplierListView(OrgScopedMixin, generics.ListCreateAPIView):
    """The directory of suppliers and services the organisation has used; `?search=` finds them."""

    input_rules = {"name": "not a supplier and service already in the directory"}

    model = Supplier
    data = Data.CATALOGUE
    serializer_class = SupplierSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": selectors.SUPPLIER_WRITERS}

    def get_queryset(self):
        return selectors.supplier_search(
            organisation=self.organisation,
            query=self.request.query_params.get("search", ""),
            active=_active_filter(self.request.query_params),
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organisation": self.organisation}

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name, service or category"),
            ACTIVE_PARAMETER,
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("is_active", None)  # a supplier is added current; retiring it is a change
        supplier = services.supplier_create(actor=request.user, organisation=self.organisation, **data)
        return Response(SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)


class FastTrackOfferSerializer(serializers.ModelSerializer):
    amount = AmountField()
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, default=Frequency.ONE_OFF)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False, allow_blank=True)
    supplier = serializers.IntegerField(source="supplier_id", required=False, allow_null=True)
    active = serializers.BooleanField(source="is_active", required=False, default=True)

    class Meta:
        model = FastTrackOffer
        fields = [
            "id",
            "name",
            "description",
            "category",
            "amount",
            "frequency",
            "supplier",
            "payment_method",
            "is_active",
            "active",
        ]
        read_only_fields = ["is_active"]

    def validate_category(self, value):
        if value not in services.category_codes(self.context["organisation"]):
            raise serializers.ValidationError(f"Unknown spend category {value!r}.")
        return value

    def validate(self, data):
        if self.partial and "supplier_id" not in data:
            return data
        supplier_id = data.pop("supplier_id", None)
        data["supplier"] = None
        if supplier_id is not None:
            data["supplier"] = (
                Supplier.objects.for_org(self.context["organisation"]).filter(pk=supplier_id).first()
            )
            if data["supplier"] is None:
                raise serializers.ValidationError({"supplier": ["No such supplier in this organisation."]})
        return data


class FastTrackOfferListView(OrgScopedMixin, generics.ListCreateAPIView):
    """Preset offers a care coordinator adds to a plan in one step."""

    input_rules = {"supplier": "the id of a supplier of this organisation"}

    model = FastTrackOffer
    data = Data.CATALOGUE
    serializer_class = FastTrackOfferSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": selectors.OFFER_WRITERS}

    def get_queryset(self):
        return selectors.fast_track_offers(
            organisation=self.organisation, active=_active_filter(self.request.query_params)
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organisation": self.organisation}

    @extend_schema(parameters=[ACTIVE_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("is_active", None)
        offer = services.fast_track_offer_create(actor=request.user, organisation=self.organisation, **data)
        return Response(FastTrackOfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class _DirectoryEntryView(OrgScopedMixin, generics.RetrieveAPIView):
    """GET one entry (retired ones too); PATCH changes it, `{"active": false}` retires it."""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organisation": self.organisation}

    def patch(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.update_entry(entry, dict(serializer.validated_data))
        entry.refresh_from_db()
        return Response(self.get_serializer(entry).data)


class SupplierDetailView(_DirectoryEntryView):
    input_rules = {"name": "not a supplier and service already in the directory"}
    model = Supplier
    data = Data.CATALOGUE
    serializer_class = SupplierSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "PATCH": selectors.SUPPLIER_WRITERS}

    def get_queryset(self):
        return Supplier.objects.for_org(self.organisation)

    def update_entry(self, supplier, changes):
        services.supplier_update(actor=self.request.user, supplier=supplier, **changes)


class FastTrackOfferDetailView(_DirectoryEntryView):
    input_rules = {"supplier": "the id of a supplier of this organisation"}
    model = FastTrackOffer
    data = Data.CATALOGUE
    serializer_class = FastTrackOfferSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "PATCH": selectors.OFFER_WRITERS}

    def get_queryset(self):
        return selectors.fast_track_offers(organisation=self.organisation, active=None)

    def update_entry(self, offer, changes):
        services.fast_track_offer_update(actor=self.request.user, offer=offer, **changes)
