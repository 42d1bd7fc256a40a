"""The indicative budget API: the allocation questionnaire (versioned) and an estimate from answers."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import serializers
from phb.api import OrgScopedMixin, WithdrawScheduledVersionAPIView
from phb.constants import Role
from phb.visibility import Data

from . import allocation as rules
from . import allocation_services as services
from .models import AllocationQuestionnaire
from .selectors import PLAN_WRITERS

QUESTIONNAIRE_EDITORS = {Role.COMMISSIONER, Role.ORG_ADMIN}


class AnswerSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    points = serializers.IntegerField(min_value=0)


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    answers = AnswerSerializer(many=True)


class QuestionnaireVersionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True)
    pounds_per_point = serializers.SerializerMethodField()
    points_range = serializers.SerializerMethodField()

    class Meta:
        model = AllocationQuestionnaire
        fields = ["id", "version", "effective_from", "questions", "pounds_per_point", "basis", "points_range"]

    def get_pounds_per_point(self, questionnaire) -> str:
        return f"{questionnaire.pounds_per_point:.2f}"

    @extend_schema_field(
        inline_serializer(
            "PointsRange", {"low": serializers.IntegerField(), "high": serializers.IntegerField()}
        )
    )
    def get_points_range(self, questionnaire) -> dict:
        low, high = rules.points_range(services.parsed(questionnaire))
        return {"low": low, "high": high}


class QuestionnaireSerializer(QuestionnaireVersionSerializer):
    """The version in force, the organisation's margin, and the versions scheduled to start later."""

    margin_percent = serializers.SerializerMethodField()
    scheduled = serializers.SerializerMethodField()

    class Meta(QuestionnaireVersionSerializer.Meta):
        fields = [*QuestionnaireVersionSerializer.Meta.fields, "margin_percent", "scheduled"]

    def get_margin_percent(self, questionnaire) -> str:
        return f"{questionnaire.organisation.indicative_margin_percent:.2f}"

    @extend_schema_field(QuestionnaireVersionSerializer(many=True))
    def get_scheduled(self, questionnaire) -> list[dict]:
        return QuestionnaireVersionSerializer(
            services.questionnaires_scheduled(questionnaire.organisation_id), many=True
        ).data


@extend_schema_field(QuestionSerializer(many=True))
class QuestionsField(serializers.JSONField):
    """The ordered questions as typed: checked question by question by support_plans/allocation.py
    (the one home of the rule), which names each problem by its place (`questions[2].code`)."""


class QuestionnaireWriteSerializer(serializers.Serializer):
    questions = QuestionsField(help_text="The ordered questions, each with its answers and their points")
    pounds_per_point = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=rules.MAX_POUNDS_PER_POINT,
        help_text='More than 0, in pennies at most: "25.00"',
    )
    basis = serializers.ChoiceField(choices=rules.BASIS_CHOICES)
    effective_from = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today (the default) or a later date"
    )


class EstimateInput(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(max_length=40), help_text='{"<question code>": "<answer code>"}'
    )

    def validate_answers(self, value):
        if len(value) > rules.MAX_QUESTIONS:
            raise serializers.ValidationError(f"At most {rules.MAX_QUESTIONS} answers.")
        return value


EstimateOutput = inline_serializer(
    "AllocationEstimate",
    {
        "points": serializers.IntegerField(),
        "indicative_budget": serializers.CharField(help_text="On the basis: a year or a week"),
        "basis": serializers.ChoiceField(choices=rules.BASIS_CHOICES),
        "version": serializers.IntegerField(),
    },
)


def _in_force(organisation) -> AllocationQuestionnaire:
    questionnaire = services.questionnaire_in_force(organisation)
    if questionnaire is None:
        raise NotFound("This organisation has no allocation questionnaire yet.")
    return questionnaire


class AllocationView(OrgScopedMixin, APIView):
    """GET (any member): the questionnaire in force. PUT (commissioner, org admin): a new version."""

    model = AllocationQuestionnaire
    data = Data.POLICY
    required_roles = {"GET": None, "HEAD": None, "OPTIONS": None, "PUT": QUESTIONNAIRE_EDITORS}
    input_rules = {
        "questions": (
            f"1 to {rules.MAX_QUESTIONS} questions with codes unique among them, each with answers of"
            f" codes unique within the question and whole points from 0 to {rules.MAX_POINTS:,}"
        )
    }

    @extend_schema(responses=QuestionnaireSerializer)
    def get(self, request, *args, **kwargs):
        return Response(QuestionnaireSerializer(_in_force(self.organisation)).data)

    @extend_schema(request=QuestionnaireWriteSerializer, responses=QuestionnaireSerializer)
    def put(self, request, *args, **kwargs):
        """A new version: in force now, or scheduled from `effective_from` (the answer is then the
        version in force, with the new one under `scheduled`)."""
        serializer = QuestionnaireWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        published = services.questionnaire_publish(
            actor=request.user,
            organisation=self.organisation,
            questions=data["questions"],
            pounds_per_point=data["pounds_per_point"],
            basis=data["basis"],
            effective_on=data["effective_from"],
        )
        shown = services.questionnaire_in_force(self.organisation) or published
        return Response(QuestionnaireSerializer(shown).data, status=status.HTTP_200_OK)


class ScheduledQuestionnaireView(WithdrawScheduledVersionAPIView):
    """DELETE (commissioner, org admin): withdraw a version scheduled for a later date, before it starts."""

    model = AllocationQuestionnaire
    required_roles = QUESTIONNAIRE_EDITORS

    def withdraw(self, version) -> None:
        services.questionnaire_withdraw(actor=self.request.user, questionnaire=version)


class EstimateView(OrgScopedMixin, APIView):
    """The points and indicative budget a complete set of answers gives under the version in force."""

    model = AllocationQuestionnaire
    # A calculation over the questionnaire: it stores nothing and shows no person's data, so it is
    # a read of the policy for those who write plans and those who set the questionnaire.
    data = Data.POLICY
    calculates_only = True
    required_roles = PLAN_WRITERS | {Role.COMMISSIONER}

    @extend_schema(request=EstimateInput, responses=EstimateOutput)
    def post(self, request, *args, **kwargs):
        serializer = EstimateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = services.estimate(_in_force(self.organisation), serializer.validated_data["answers"])
        return Response({**answer, "indicative_budget": f"{answer['indicative_budget']:.2f}"})
