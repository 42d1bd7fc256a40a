"""The approvals API: the approval policy (and its preview), approval requests and their decisions."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import query, serializers
from phb.access import PERSON_DATA_ROLES
from phb.api import MoneyField, OrgScopedMixin, WithdrawScheduledVersionAPIView
from phb.constants import Role
from phb.exceptions import NotPermitted
from phb.visibility import Data, shows_case_summary

from . import policy as rules
from . import selectors, services, slots
from .constants import DecisionKind, RequestStatus
from .models import ApprovalPolicy, ApprovalRequest
from .slots import SlotState

POLICY_EDITORS = {Role.COMMISSIONER, Role.ORG_ADMIN}
MAX_AMOUNT = Decimal("1000000.00")


# --- Serializers


class SignoffSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    count = serializers.IntegerField(min_value=1)


class TierSerializer(serializers.Serializer):
    up_to = serializers.CharField(allow_null=True, help_text='"250.00", or null on the last tier')
    basis = serializers.ChoiceField(choices=["total", "weekly", "annual"])
    signoffs = SignoffSerializer(many=True)
    submitter_may_sign = serializers.BooleanField(default=False)


class PolicyVersionSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True)
    warnings = serializers.SerializerMethodField(
        help_text="Tiers that need more distinct holders of a role than the organisation has"
    )

    class Meta:
        model = ApprovalPolicy
        fields = ["id", "version", "effective_from", "tiers", "note", "warnings"]

    def get_warnings(self, policy) -> list[str]:
        return selectors.policy_warnings(organisation=policy.organisation_id, tiers=policy.tiers)


class OpenSlotSerializer(serializers.Serializer):
    role = serializers.CharField()
    remaining = serializers.IntegerField(help_text="Sign-offs of this role still to be given")
    eligible = serializers.IntegerField(help_text="Distinct members who could still give one under the rules")
    count = serializers.IntegerField(help_text="Same as remaining (earlier name)")


class ApprovalPolicySerializer(PolicyVersionSerializer):
    """The version in force, and the versions scheduled to take effect later (soonest first)."""

    scheduled = serializers.SerializerMethodField()

    class Meta(PolicyVersionSerializer.Meta):
        fields = [*PolicyVersionSerializer.Meta.fields, "scheduled"]

    @extend_schema_field(PolicyVersionSerializer(many=True))
    def get_scheduled(self, policy) -> list[dict]:
        return PolicyVersionSerializer(services.policies_scheduled(policy.organisation), many=True).data


class ApprovalPolicyWriteSerializer(serializers.Serializer):
    # Checked field by field by approvals/policy.py (the one home of the rule), not here.
    tiers = serializers.JSONField(help_text="The ordered tiers; see TierSerializer")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    effective_from = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today (the default) or a later date"
    )


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    user_name = serializers.SerializerMethodField()
    role = serializers.CharField()
    decision = serializers.CharField()
    comment = serializers.CharField()
    at = serializers.DateTimeField()

    def get_user_name(self, decision) -> str:
        return decision.user.get_full_name() or decision.user.username


class ApprovalRequestSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    person = serializers.IntegerField(source="person_id")
    submitted_by = serializers.IntegerField(source="submitted_by_id")
    submitted_by_name = serializers.SerializerMethodField()
    measured_amount = MoneyField()
    up_to = MoneyField(allow_null=True)
    required = SignoffSerializer(many=True)
    signoffs_given = serializers.SerializerMethodField()
    signoffs_needed = serializers.SerializerMethodField()
    open_slots = serializers.SerializerMethodField()
    stuck = serializers.SerializerMethodField(
        help_text="True when some open slot has fewer eligible than remaining"
    )
    decisions = DecisionSerializer(many=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "plan",
            "person",
            "status",
            "tier",
            "basis",
            "measured_amount",
            "up_to",
            "required",
            "submitter_may_sign",
            "signoffs_given",
            "signoffs_needed",
            "open_slots",
            "stuck",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "decided_at",
            "policy_version",
            "decisions",
        ]

    def get_submitted_by_name(self, request) -> str:
        return request.submitted_by.get_full_name() or request.submitted_by.username

    def get_signoffs_given(self, request) -> int:
        return rules.slots_count(request.required, selectors.facts_of(request))[0]

    def get_signoffs_needed(self, request) -> int:
        return rules.slots_count(request.required, selectors.facts_of(request))[1]

    def _slot_state(self, request) -> SlotState:
        # One read of the organisation's role holders per answer, however many requests it lists.
        states = self.context.setdefault("slot_states", {})
        if request.pk not in states:
            holders = self.context.setdefault("role_holders", {})
            if request.organisation_id not in holders:
                holders[request.organisation_id] = slots.role_holders(organisation=request.organisation_id)
            states[request.pk] = slots.slot_state(request, holders[request.organisation_id])
        return states[request.pk]

    @extend_schema_field(OpenSlotSerializer(many=True))
    def get_open_slots(self, request) -> list[dict]:
        return [{**slot.as_json(), "count": slot.remaining} for slot in self._slot_state(request).open_slots]

    def get_stuck(self, request) -> bool:
        return self._slot_state(request).stuck


class CaseSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="First name and family initial")
    age_band = serializers.CharField()
    cohorts = serializers.ListField(child=serializers.CharField())
    goals = serializers.ListField(child=serializers.DictField())
    items = serializers.ListField(child=serializers.DictField())
    costs = serializers.DictField(child=serializers.CharField())
    tier = serializers.IntegerField()
    basis = serializers.CharField()
    measured_amount = serializers.CharField()


class CaseRequestSerializer(ApprovalRequestSerializer):
    """A request as a lay panel member sees it: the `case` summary instead of the person."""

    case = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSerializer.Meta):
        fields = [f for f in ApprovalRequestSerializer.Meta.fields if f != "person"] + ["case"]

    @extend_schema_field(CaseSerializer)
    def get_case(self, request) -> dict:
        summary = selectors.case_summary(request)
        summary.pop("cohort_labels")
        return summary


def request_serializer_for(view):
    """A lay panel member gets the case summary; everyone else the request with its person.
    (The schema shows the full request: drf-spectacular asks without an organisation.)"""
    if getattr(view, "swagger_fake_view", False):
        return ApprovalRequestSerializer
    return CaseRequestSerializer if shows_case_summary(view.org_context) else ApprovalRequestSerializer


def approval_summary(request: ApprovalRequest | None) -> dict | None:
    """The approval part of a plan (support_plans' submit answer and plan detail may use it)."""
    if request is None:
        return None
    return {
        "id": request.pk,
        "status": request.status,
        "tier": request.tier,
        "basis": request.basis,
        "measured_amount": f"{request.measured_amount:.2f}",
        "up_to": None if request.up_to is None else f"{request.up_to:.2f}",
        "required": request.required,
        "submitter_may_sign": request.submitter_may_sign,
        "policy_version": request.policy_version,
        "submitted_at": request.submitted_at.isoformat() if request.submitted_at else None,
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
    }


class DecisionWriteSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DecisionKind.choices)
    role = serializers.ChoiceField(choices=Role.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data):
        if data["decision"] in (DecisionKind.DECLINE, DecisionKind.RETURN) and not data["comment"].strip():
            raise ValidationError({"comment": ["Say why: a comment is needed to decline or return a plan."]})
        return data


class PreviewQuerySerializer(serializers.Serializer):
    total = MoneyField(required=False, min_value=Decimal("0"), max_value=MAX_AMOUNT, default=Decimal("0"))
    weekly = MoneyField(required=False, min_value=Decimal("0"), max_value=MAX_AMOUNT, default=Decimal("0"))
    annual = MoneyField(required=False, min_value=Decimal("0"), max_value=MAX_AMOUNT * 52, allow_null=True)


PreviewSerializer = inline_serializer(
    "ApprovalPolicyPreview",
    {
        "tier": serializers.IntegerField(),
        "basis": serializers.CharField(),
        "measured_amount": serializers.CharField(),
        "up_to": serializers.CharField(allow_null=True),
        "required": SignoffSerializer(many=True),
        "submitter_may_sign": serializers.BooleanField(),
        "summary": serializers.CharField(),
        "policy_version": serializers.IntegerField(),
    },
)


def preview(tiers: list[rules.Tier], total: Decimal, weekly: Decimal, annual: Decimal | None) -> dict:
    """Which tier a plan of these costs would fall in, and in words."""
    annual = annual if annual is not None else (weekly * 52).quantize(rules.PENNY)
    index, tier, amount = rules.choose_tier(tiers, {"total": total, "weekly": weekly, "annual": annual})
    needs = rules.describe_signoffs(tier.signoffs, services.role_label)
    return {
        "tier": index + 1,
        "basis": tier.basis,
        "measured_amount": f"{amount:.2f}",
        "up_to": None if tier.up_to is None else f"{tier.up_to:.2f}",
        "required": [{"role": s.role, "count": s.count} for s in tier.signoffs],
        "submitter_may_sign": tier.submitter_may_sign,
        "summary": f"A plan of £{total:,.2f} total / £{weekly:,.2f} a week would need {needs} (tier {index + 1}).",
        "explanation": rules.explain_tier(tiers, index, amount, services.role_label),
    }


# --- Views


class ApprovalPolicyView(OrgScopedMixin, APIView):
    """GET (any member): the policy in force. PUT (commissioner, org admin): a new version, in force now."""

    model = ApprovalPolicy
    data = Data.POLICY
    required_roles = {"GET": None, "HEAD": None, "OPTIONS": None, "PUT": POLICY_EDITORS}
    input_rules = {"tiers": "a list of tiers as the answer shows them, held to the approval policy's rules"}

    def _in_force(self) -> ApprovalPolicy:
        policy = services.policy_in_force(self.organisation)
        if policy is None:
            raise NotFound("This organisation has no approval policy yet.")
        return policy

    @extend_schema(responses=ApprovalPolicySerializer)
    def get(self, request, *args, **kwargs):
        return Response(ApprovalPolicySerializer(self._in_force()).data)

    @extend_schema(request=ApprovalPolicyWriteSerializer, responses=ApprovalPolicySerializer)
    def put(self, request, *args, **kwargs):
        """A new version: in force now, or scheduled from `effective_from` (the answer is then the version
        in force, with the new one under `scheduled`)."""
        serializer = ApprovalPolicyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_publish(
            actor=request.user,
            organisation=self.organisation,
            tiers=serializer.validated_data["tiers"],
            note=serializer.validated_data["note"],
            effective_on=serializer.validated_data["effective_from"],
        )
        shown = services.policy_in_force(self.organisation) or policy
        return Response(ApprovalPolicySerializer(shown).data, status=status.HTTP_200_OK)


class ScheduledPolicyView(WithdrawScheduledVersionAPIView):
    """DELETE (commissioner, org admin): withdraw a version scheduled for a later date, before it starts."""

    model = ApprovalPolicy
    required_roles = POLICY_EDITORS

    def withdraw(self, version) -> None:
        services.policy_withdraw(actor=self.request.user, policy=version)


class ApprovalPolicyPreviewView(OrgScopedMixin, APIView):
    """Which tier a plan of these costs would fall in under the policy in force, and who signs."""

    model = ApprovalPolicy
    data = Data.POLICY
    required_roles = None

    @extend_schema(
        parameters=[
            OpenApiParameter("total", OpenApiTypes.STR, description="Plan total, e.g. 600.00"),
            OpenApiParameter("weekly", OpenApiTypes.STR, description="Weekly cost, e.g. 120.00"),
            OpenApiParameter("annual", OpenApiTypes.STR, description="Annual cost (default weekly x 52)"),
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                description="Judge against this version (a scheduled one, say); default the one in force",
            ),
        ],
        responses=PreviewSerializer,
    )
    def get(self, request, *args, **kwargs):
        version = request.query_params.get("version")
        if version is not None:
            if not version.isdecimal():
                raise ValidationError({"version": ["Give a version number."]})
            policy = (
                ApprovalPolicy.objects.for_org(self.organisation)
                .filter(version=int(version), withdrawn_at__isnull=True)
                .first()
            )
        else:
            policy = services.policy_in_force(self.organisation)
        if policy is None:
            raise NotFound(
                "No such approval policy version."
                if version
                else "This organisation has no approval policy yet."
            )
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        answer = preview(
            rules.validate_tiers(policy.tiers), data["total"], data["weekly"], data.get("annual")
        )
        return Response({**answer, "policy_version": policy.version})


class ApprovalListView(OrgScopedMixin, generics.ListAPIView):
    """Approval requests, oldest first. `?status=pending&mine=true`: those waiting for a sign-off
    the user may fill (a role they hold, a slot still open, not already decided, submitter rule)."""

    model = ApprovalRequest
    data = Data.APPROVALS
    serializer_class = ApprovalRequestSerializer
    required_roles = PERSON_DATA_ROLES

    def get_serializer_class(self):
        return request_serializer_for(self)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=RequestStatus.values),
            OpenApiParameter("mine", OpenApiTypes.BOOL),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        status_filter = query.given(self.request.query_params, "status")
        if status_filter and status_filter not in RequestStatus.values:
            raise ValidationError({"status": [f"Choose one of: {', '.join(RequestStatus.values)}."]})
        mine = query.flag(self.request.query_params, "mine")
        if not mine:
            requests = selectors.request_list(organisation=self.organisation, status=status_filter)
        elif status_filter not in (None, RequestStatus.PENDING):
            # Only a pending request waits for anyone's sign-off.
            return ApprovalRequest.objects.none()
        else:
            requests = selectors.requests_waiting_for(
                organisation=self.organisation, user=self.request.user, roles=self.org_context.roles
            )
        return selectors.with_case(requests) if shows_case_summary(self.org_context) else requests


class ApprovalDetailView(OrgScopedMixin, generics.RetrieveAPIView):
    """One approval request: its tier snapshot and every decision (who, role, when, comment)."""

    model = ApprovalRequest
    data = Data.APPROVALS
    serializer_class = ApprovalRequestSerializer

    def get_serializer_class(self):
        return request_serializer_for(self)

    def get_queryset(self):
        requests = selectors.request_list(organisation=self.organisation)
        return selectors.with_case(requests) if shows_case_summary(self.org_context) else requests


class DecisionCreateView(OrgScopedMixin, APIView):
    """GET: the request's decisions, oldest first. POST: approve, decline or return a pending request
    as one of the roles it needs from you. Decisions are immutable: there is no PUT, PATCH or DELETE."""

    model = ApprovalRequest
    data = Data.APPROVALS

    def get_queryset(self):
        if self.request.method == "POST":
            # The service reads the request again under its lock, with all it needs for the answer.
            return ApprovalRequest.objects.for_org(self.organisation)
        return selectors.request_list(organisation=self.organisation)

    @extend_schema(responses=DecisionSerializer(many=True))
    def get(self, request, *args, **kwargs):
        approval_request = self.get_object()
        return Response(DecisionSerializer(approval_request.decisions.all(), many=True).data)

    @extend_schema(request=DecisionWriteSerializer, responses={201: ApprovalRequestSerializer})
    def post(self, request, *args, **kwargs):
        approval_request = self.get_object()
        needed_roles = {signoff["role"] for signoff in approval_request.required}
        if not self.org_context.has_role(*needed_roles):
            raise NotPermitted("This request needs no sign-off from any role you hold.")
        serializer = DecisionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = self.org_context.membership
        decided = services.decision_record(
            actor=request.user,
            request=approval_request,
            actor_roles=membership.role_codes if membership is not None else set(),
            **serializer.validated_data,
        )
        answer = request_serializer_for(self)
        return Response(answer(decided).data, status=status.HTTP_201_CREATED)
