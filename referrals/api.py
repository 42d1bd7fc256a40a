"""The referrals API: referrals, their decisions and transfers, and the conversations on them."""

from datetime import datetime

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import dates, query, serializers
from phb.access import PERSON_DATA_ROLES
from phb.api import OrgScopedMixin
from phb.constants import Cohort
from phb.models import Organisation, Person
from phb.visibility import Data

from . import selectors, services
from .constants import (
    CONVERSATION_ROLES,
    REFERRAL_ROLES,
    ConversationMode,
    Participant,
    ReferralSource,
    ReferralStatus,
)
from .models import Conversation, Referral


def _name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# --- Serializers


class ConversationSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "referral",
            "person",
            "held_on",
            "mode",
            "participants",
            "notes",
            "goals",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_recorded_by(self, conversation) -> str | None:
        return _name(conversation.created_by)


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the API shows it; another organisation is shown by its code and name only."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    care_coordinator_name = serializers.SerializerMethodField()
    team_name = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()
    transferred_to_name = serializers.SerializerMethodField()
    transferred_from = serializers.SerializerMethodField()
    transferred_from_name = serializers.SerializerMethodField()
    transfer_outcome = serializers.SerializerMethodField(
        help_text="On the sender's trace of a transfer: pending, accepted or declined by the receiver"
    )
    transfer_outcome_at = serializers.SerializerMethodField()
    transfer_outcome_reason = serializers.SerializerMethodField()
    conversation_count = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "person_name",
            "source",
            "cohort",
            "received_on",
            "notes",
            "status",
            "care_coordinator",
            "care_coordinator_name",
            "team",
            "team_name",
            "accepted_at",
            "closed_at",
            "status_reason",
            "transferred_to",
            "transferred_to_name",
            "transferred_from",
            "transferred_from_name",
            "transfer_outcome",
            "transfer_outcome_at",
            "transfer_outcome_reason",
            "conversation_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_care_coordinator_name(self, referral) -> str | None:
        return _name(referral.care_coordinator)

    def get_team_name(self, referral) -> str | None:
        return referral.team.name if referral.team else None

    def get_transferred_to(self, referral) -> str | None:
        return referral.transferred_to.code if referral.transferred_to else None

    def get_transferred_to_name(self, referral) -> str | None:
        return referral.transferred_to.name if referral.transferred_to else None

    def get_transferred_from(self, referral) -> str | None:
        origin = referral.transferred_from
        return origin.organisation.code if origin else None

    def get_transferred_from_name(self, referral) -> str | None:
        origin = referral.transferred_from
        return origin.organisation.name if origin else None

    def get_transfer_outcome(self, referral) -> str | None:
        outcome = selectors.transfer_outcome(referral)
        return outcome["outcome"] if outcome else None

    def get_transfer_outcome_at(self, referral) -> datetime | None:
        outcome = selectors.transfer_outcome(referral)
        return outcome["on"] if outcome else None

    def get_transfer_outcome_reason(self, referral) -> str | None:
        outcome = selectors.transfer_outcome(referral)
        return outcome["reason"] if outcome else None

    def get_conversation_count(self, referral) -> int:
        count = getattr(referral, "conversation_count", None)
        return count if count is not None else referral.conversations.count()


class ReferralDetailSerializer(ReferralSerializer):
    conversations = ConversationSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "conversations"]
        read_only_fields = fields

    def get_conversation_count(self, referral) -> int:
        return len(referral.conversations.all())


class ReferralCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="Id of a person recorded in this organisation")
    source = serializers.ChoiceField(choices=ReferralSource.choices)
    cohort = serializers.ChoiceField(choices=Cohort.choices)
    received_on = serializers.DateField(validators=[dates.validator(label="Date received", kind=dates.PAST)])
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AcceptSerializer(serializers.Serializer):
    care_coordinator = serializers.StringOrIntegerField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=150,
        help_text="User id or username of a care coordinator; default: you, if you are one",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_REASON_LENGTH)


class TransferSerializer(serializers.Serializer):
    to_org = serializers.CharField(max_length=20, help_text="ODS code of the responsible commissioner")
    reason = serializers.CharField(max_length=services.MAX_REASON_LENGTH)


class ConversationCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField(
        validators=[dates.validator(label="Date of the conversation", kind=dates.PAST)]
    )
    mode = serializers.ChoiceField(choices=ConversationMode.choices)
    participants = serializers.ListField(
        child=serializers.ChoiceField(choices=Participant.choices), required=False, default=list
    )
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    goals = serializers.ListField(
        child=serializers.CharField(max_length=services.MAX_GOAL_LENGTH),
        max_length=services.MAX_GOALS,
        required=False,
        default=list,
        help_text="The person's goals, in their own words",
    )


def person_referrals(person) -> list[dict]:
    """The referrals part of the person API (GET /orgs/{org}/people/{id}/)."""
    return ReferralSerializer(selectors.person_referrals(person=person), many=True).data


# --- Views


def _detail_queryset(organisation):
    return selectors.referral_detail_queryset(organisation=organisation).prefetch_related(
        Prefetch(
            "conversations",
            queryset=Conversation.objects.select_related("created_by").order_by("-held_on", "-id"),
        )
    )


class ReferralListView(OrgScopedMixin, generics.ListCreateAPIView):
    """GET: the organisation's referrals (`?status=`, `?mine=true`, `?person=`). POST: a new referral."""

    model = Referral
    data = Data.REFERRALS
    serializer_class = ReferralSerializer
    input_rules = {"person": "the id of a person recorded in this organisation"}
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": set(REFERRAL_ROLES)}

    def get_queryset(self):
        params = self.request.query_params
        status_code = query.given(params, "status")
        if status_code and status_code not in ReferralStatus.values:
            raise serializers.ValidationError({"status": [f"Use one of {', '.join(ReferralStatus.values)}."]})
        person = query.given(params, "person")
        if person is not None and not str(person).isdecimal():
            raise serializers.ValidationError({"person": ["Give a person's id."]})
        mine = query.flag(params, "mine")
        return selectors.referral_list(
            organisation=self.organisation,
            status=status_code,
            care_coordinator=self.request.user if mine else None,
            person_id=int(person) if person else None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ReferralStatus.values),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only referrals assigned to me"),
            OpenApiParameter("person", OpenApiTypes.INT),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralDetailSerializer})
    def post(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = Person.objects.for_org(self.organisation).filter(pk=data.pop("person")).first()
        referral = services.referral_create(
            actor=request.user, organisation=self.organisation, person=person, **data
        )
        return Response(
            ReferralDetailSerializer(_detail_queryset(self.organisation).get(pk=referral.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReferralDetailView(OrgScopedMixin, generics.RetrieveAPIView):
    """One referral, with the conversations recorded on it."""

    model = Referral
    data = Data.REFERRALS
    serializer_class = ReferralDetailSerializer

    def get_queryset(self):
        return _detail_queryset(self.organisation)


class _ReferralActionView(OrgScopedMixin, APIView):
    """A decision on one referral: fetch it (404), check the role (403), validate (400), act (409)."""

    model = Referral
    data = Data.REFERRALS
    roles = REFERRAL_ROLES
    input_serializer: type[serializers.Serializer]

    def act(self, referral, data):
        raise NotImplementedError

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Another organisation's referral is not found, whatever the method.
        self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        referral = self.get_object()
        self.require_role(*self.roles)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = self.act(referral, serializer.validated_data)
        return Response(
            ReferralDetailSerializer(_detail_queryset(self.organisation).get(pk=referral.pk)).data
        )


class ReferralAcceptView(_ReferralActionView):
    """Accept the referral and assign a care coordinator (default: you, if you are one)."""

    input_serializer = AcceptSerializer

    def act(self, referral, data):
        value = data.get("care_coordinator")
        coordinator = None
        if value not in (None, ""):
            coordinator = selectors.care_coordinator_lookup(organisation=self.organisation, value=value)
            if coordinator is None:
                raise serializers.ValidationError(
                    {"care_coordinator": ["Choose a care coordinator of this organisation."]}
                )
        return services.referral_accept(
            actor=self.request.user, referral=referral, care_coordinator=coordinator
        )

    @extend_schema(request=AcceptSerializer, responses=ReferralDetailSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ReferralDeclineView(_ReferralActionView):
    """Decline the referral, with the reason."""

    input_serializer = ReasonSerializer

    def act(self, referral, data):
        return services.referral_decline(actor=self.request.user, referral=referral, reason=data["reason"])

    @extend_schema(request=ReasonSerializer, responses=ReferralDetailSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ReferralWithdrawView(_ReferralActionView):
    """Withdraw the referral, with the reason."""

    input_serializer = ReasonSerializer

    def act(self, referral, data):
        return services.referral_withdraw(actor=self.request.user, referral=referral, reason=data["reason"])

    @extend_schema(request=ReasonSerializer, responses=ReferralDetailSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ReferralTransferView(_ReferralActionView):
    """Transfer the referral to the responsible commissioner; this one stays as a read-only trace."""

    input_serializer = TransferSerializer

    def act(self, referral, data):
        to_organisation = Organisation.objects.filter(code=data["to_org"].strip().upper()).first()
        return services.referral_transfer(
            actor=self.request.user, referral=referral, to_organisation=to_organisation, reason=data["reason"]
        )

    @extend_schema(request=TransferSerializer, responses=ReferralDetailSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ReferralConversationsView(OrgScopedMixin, generics.ListCreateAPIView):
    """GET: the conversations on a referral. POST: record one (accepted referrals only)."""

    model = Referral
    data = Data.REFERRALS
    serializer_class = ConversationSerializer

    def list(self, request, *args, **kwargs):
        referral = self.get_object()
        page = self.paginate_queryset(selectors.conversation_list(referral=referral))
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)

    @extend_schema(request=ConversationCreateSerializer, responses={201: ConversationSerializer})
    def post(self, request, *args, **kwargs):
        referral = self.get_object()
        self.require_role(*CONVERSATION_ROLES)
        serializer = ConversationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conversation = services.conversation_record(
            actor=request.user, referral=referral, **serializer.validated_data
        )
        return Response(ConversationSerializer(conversation).data, status=status.HTTP_201_CREATED)
