"""The reviews API: review policy, review lists, requesting a review and completing one."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from phb import dates, query, serializers
from phb.access import PERSON_DATA_ROLES
from phb.api import OrgScopedMixin, WithdrawScheduledVersionAPIView
from phb.constants import Role
from phb.visibility import Data
from support_plans.constants import CloseReason
from support_plans.models import SupportPlan

from . import selectors, services
from .constants import ReviewDecision, ReviewKind
from .models import Review, ReviewPolicy

# Who books and holds reviews: the care coordinator, their team lead, the PHB lead clinician.
REVIEW_ROLES = {Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD}
POLICY_ROLES = {Role.COMMISSIONER, Role.ORG_ADMIN}


# --- Serializers


class ReviewPolicySerializer(serializers.Serializer):
    first_review_weeks = serializers.IntegerField(min_value=1, max_value=52, required=False)
    interval_weeks = serializers.IntegerField(min_value=1, max_value=104, required=False)
    reminder_days_before = serializers.IntegerField(min_value=0, max_value=60, required=False)
    escalate_days_after = serializers.IntegerField(min_value=0, max_value=90, required=False)
    midpoint_and_end = serializers.BooleanField(
        required=False, help_text="Time-limited recovery budgets: review at the start, midpoint and end"
    )
    effective_from = serializers.DateField(
        required=False, allow_null=True, write_only=True, help_text="Today (the default) or a later date"
    )


class ReviewPolicyVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    effective_from = serializers.DateTimeField(allow_null=True)
    first_review_weeks = serializers.IntegerField()
    interval_weeks = serializers.IntegerField()
    reminder_days_before = serializers.IntegerField()
    escalate_days_after = serializers.IntegerField()
    midpoint_and_end = serializers.BooleanField()


class ReviewPolicyAnswerSerializer(ReviewPolicyVersionSerializer):
    """The version in force (version 0: the national defaults), and those scheduled to take effect later."""

    scheduled = ReviewPolicyVersionSerializer(many=True)


class MeasureSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=40, help_text="ReQoL-10, WEMWBS or SWEMWBS")
    score = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)


class GoalAttainmentSerializer(serializers.Serializer):
    goal = serializers.IntegerField(help_text="Id of a goal of the reviewed plan")
    attainment = serializers.StringOrIntegerField(max_length=4, help_text="-2 to 2 (a number or a string)")


class ReviewSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    decision = serializers.CharField(allow_null=True, read_only=True)
    days_overdue = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "budget",
            "person",
            "person_name",
            "kind",
            "status",
            "due_on",
            "days_overdue",
            "requested_by",
            "held_on",
            "completed_on",
            "decision",
            "working",
            "not_working",
            "notes",
            "measures",
            "goals",
        ]
        read_only_fields = fields

    def to_representation(self, review):
        data = super().to_representation(review)
        data["decision"] = review.decision or None
        return data

    def get_days_overdue(self, review) -> int:
        if review.status != "scheduled":
            return 0
        return max(0, (timezone.localdate() - review.due_on).days)

    def get_measures(self, review) -> list[dict]:
        return [
            {"instrument": m.instrument, "score": f"{m.score:.2f}", "recorded_on": m.recorded_on}
            for m in review.measures.all()
        ]

    def get_goals(self, review) -> list[dict]:
        return [{"goal": g.goal_id, "attainment": int(g.attainment)} for g in review.goal_attainments.all()]


class ReviewRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[ReviewKind.ON_REQUEST], default=ReviewKind.ON_REQUEST)
    due_on = serializers.DateField(validators=[dates.validator(label="The date of the review")])
    requested_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReviewCompleteSerializer(serializers.Serializer):
    held_on = serializers.DateField(
        validators=[dates.validator(label="Date the review was held", kind=dates.PAST)]
    )
    measures = MeasureSerializer(many=True, required=False, default=list)
    goals = GoalAttainmentSerializer(many=True, required=False, default=list)
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    working = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    not_working = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, required=False, allow_null=True, allow_blank=True, default=None
    )


def _reviews(organisation):
    return (
        Review.objects.for_org(organisation)
        .select_related("person")
        .prefetch_related("measures", "goal_attainments")
    )


# --- Views


class ReviewPolicyView(OrgScopedMixin, generics.GenericAPIView):
    """The organisation's review policy (the defaults until it sets one)."""

    model = ReviewPolicy
    data = Data.POLICY
    serializer_class = ReviewPolicySerializer
    required_roles = {"GET": None, "PUT": POLICY_ROLES}

    def get_object(self):
        return services.review_policy_get(self.organisation)

    def _answer(self):
        in_force = services.review_policy_get(self.organisation)
        return Response(
            {
                **_policy_version(in_force),
                "scheduled": [
                    _policy_version(p) for p in services.review_policies_scheduled(self.organisation)
                ],
            }
        )

    @extend_schema(responses=ReviewPolicyAnswerSerializer)
    def get(self, request, *args, **kwargs):
        return self._answer()

    @extend_schema(request=ReviewPolicySerializer, responses=ReviewPolicyAnswerSerializer)
    def put(self, request, *args, **kwargs):
        """A new version: in force now, or scheduled from `effective_from` (then listed under `scheduled`)."""
        serializer = ReviewPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.review_policy_update(
            actor=request.user,
            organisation=self.organisation,
            effective_on=data.pop("effective_from", None),
            **data,
        )
        return self._answer()


def _policy_version(policy) -> dict:
    return {
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat() if policy.pk else None,
        **{name: getattr(policy, name) for name in services.POLICY_FIELDS},
    }


class ScheduledReviewPolicyView(WithdrawScheduledVersionAPIView):
    """DELETE (commissioner, org admin): withdraw a review policy version before it starts."""

    model = ReviewPolicy
    required_roles = POLICY_ROLES

    def withdraw(self, version) -> None:
        services.review_policy_withdraw(actor=self.request.user, policy=version)


class ReviewListView(OrgScopedMixin, generics.ListAPIView):
    """Reviews: `?status=due` (scheduled, not yet overdue), `overdue`, `completed`; `?mine=true`
    keeps the plans you coordinate."""

    model = Review
    data = Data.REVIEWS
    serializer_class = ReviewSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(selectors.LIST_STATUSES)),
            OpenApiParameter("mine", OpenApiTypes.BOOL),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        status_filter = query.given(self.request.query_params, "status")
        if status_filter and status_filter not in selectors.LIST_STATUSES:
            raise serializers.ValidationError(
                {"status": [f"Use one of: {', '.join(selectors.LIST_STATUSES)}."]}
            )
        mine = query.flag(self.request.query_params, "mine")
        reviews = selectors.review_list(
            organisation=self.organisation,
            status=status_filter,
            coordinator=self.request.user if mine else None,
        )
        return reviews.prefetch_related("measures", "goal_attainments")


class ReviewDetailView(OrgScopedMixin, generics.RetrieveAPIView):
    model = Review
    data = Data.REVIEWS
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return _reviews(self.organisation)


class PlanReviewsView(OrgScopedMixin, generics.GenericAPIView):
    """GET: the plan's reviews. POST: book a review the person, a carer or staff asked for."""

    model = SupportPlan
    data = Data.REVIEWS
    serializer_class = ReviewRequestSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": REVIEW_ROLES}

    @extend_schema(responses=ReviewSerializer(many=True))
    def get(self, request, *args, **kwargs):
        """Paginated like every list of the API."""
        plan = self.get_object()
        reviews = _reviews(self.organisation).filter(budget_id=plan.budget_id)
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(request=ReviewRequestSerializer, responses={201: ReviewSerializer})
    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_request(
            actor=request.user, plan=plan, due_on=data["due_on"], requested_by=data["requested_by"]
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewCompleteView(OrgScopedMixin, generics.GenericAPIView):
    """POST: record a held review (measures, goal attainment) and the decision; answers the review."""

    model = Review
    data = Data.REVIEWS
    serializer_class = ReviewCompleteSerializer
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": REVIEW_ROLES}

    def get_queryset(self):
        return _reviews(self.organisation)

    @extend_schema(responses=ReviewSerializer)
    def get(self, request, *args, **kwargs):
        return Response(ReviewSerializer(self.get_object()).data)

    @extend_schema(request=ReviewCompleteSerializer, responses=ReviewSerializer)
    def post(self, request, *args, **kwargs):
        review = self.get_object()
        serializer = ReviewCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_complete(
            actor=request.user,
            review=review,
            held_on=data["held_on"],
            measures=data["measures"],
            goals=data["goals"],
            decision=data["decision"],
            notes=data["notes"],
            working=data["working"],
            not_working=data["not_working"],
            close_reason=data["close_reason"] or None,
        )
        return Response(ReviewSerializer(_reviews(self.organisation).get(pk=review.pk)).data)
