"""The DRF base every organisation-scoped endpoint uses, and the kernel's own endpoints."""

from collections.abc import Iterable

from django.contrib.auth import authenticate, get_user_model
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import dates, selectors, serializers, services, visibility
from .access import (
    PERSON_DATA_ROLES,
    OrgContext,
    get_for_org,
    org_context_for,
    organisations_for,
    refuse_outside_staff,
)
from .bad_input import JSONParser
from .constants import Cohort, Ethnicity, Gender, RepresentativeKind, Role
from .exceptions import NotPermitted
from .models import Membership, Organisation, Person, Team
from .pagination import Pagination
from .sections import person_api_sections
from .visibility import Data

User = get_user_model()


TEAM_RULE = "the name or id of a team of this organisation"


class OrgAccess(BasePermission):
    """Resolves the organisation from the URL (404 for non-members), then checks the role (403)."""

    def has_permission(self, request, view) -> bool:
        context = org_context_for(request.user, view.kwargs["org"])
        view.org_context = context
        request.org_context = context
        return context.has_any(view.get_required_roles())


class OrgScopedMixin:
    """Base of every endpoint under /api/v1/orgs/{org}/.

    `model` names the tenant model the endpoint exposes (the isolation tests use it); `data` the
    kind of data it shows (phb/visibility.py): the role-by-data table says who may use it and which
    rows they reach, in lists and single objects alike. `required_roles` narrows that for an
    action: a set of roles, or a dict keyed by HTTP method or viewset action; `None` adds no rule.
    """

    permission_classes = [IsAuthenticated, OrgAccess]
    model = None
    data: str | None = None
    required_roles: Iterable[str] | dict | None = PERSON_DATA_ROLES
    calculates_only = False  # a POST that stores nothing (an estimate): reading `data` is enough
    org_context: OrgContext

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Lets drf-spectacular read the model without resolving an organisation.
        if cls.model is not None and "queryset" not in cls.__dict__:
            cls.queryset = cls.model.objects.none()

    def get_required_roles(self):
        roles = self.required_roles
        if isinstance(roles, dict):
            key = getattr(self, "action", None)
            roles = roles[key] if key in roles else roles.get(self.request.method, PERSON_DATA_ROLES)
        method = "GET" if self.calculates_only else self.request.method
        return visibility.roles_for_view(self.data, method, roles)

    @property
    def organisation(self) -> Organisation:
        return self.org_context.organisation

    def get_queryset(self):
        return self.model.objects.for_org(self.organisation)

    def get_object(self):
        obj = get_for_org(self.get_queryset(), self.organisation, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        visibility.check_object(self.org_context, self.data, obj)
        return obj

    def filter_queryset(self, queryset):
        # Lists show only the rows the user's roles reach, as they show only the organisation's.
        return self.visible(super().filter_queryset(queryset))

    def visible(self, queryset):
        return visibility.restrict(queryset, self.org_context, self.data)

    def require_role(self, *roles: str) -> None:
        if not self.org_context.has_role(*roles):
            raise NotPermitted(f"This needs one of the roles: {', '.join(roles)}.")


class FileDownloadMixin:
    """An endpoint answering a file (CSV, XLSX) as well as JSON, by `?format=`: an unknown format is
    bad input for the view to name (`unknown_format`, a 400 after the 401/403 checks), not a 404; and
    errors and OPTIONS metadata are JSON whatever format was asked for."""

    unknown_format = False

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, NotFound):
            self.unknown_format = True
            return (JSONRenderer(), JSONRenderer.media_type)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 or request.method != "GET":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class MoneyField(serializers.DecimalField):
    """GBP as a string with two decimals; rejects more than two places and absurd amounts."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


# --- Auth


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        # The request goes with the credentials so that django-axes counts a failure.
        user = authenticate(request=self.context["request"], **attrs)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the username and password given."]}
            )
        attrs["user"] = user
        return attrs


class TokenView(generics.GenericAPIView):
    """POST username and password: a new token for `Authorization: Token <token>`, one per device,
    expiring after API_TOKEN_TTL_HOURS. DELETE with that header revokes it (the others stay)."""

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]
    throttle_classes = []
    # One encoding, as every body of the API; the project's JSON parser, with its limits on depth
    # and NUL characters (phb/bad_input.py).
    parser_classes = [JSONParser]

    def get_authenticators(self):
        # Only the token being revoked identifies a DELETE; a POST needs no session (nor its CSRF).
        if self.request is not None and self.request.method == "DELETE":
            return [KnoxTokenAuthentication()]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        responses=inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = AuthToken.objects.create(
            user=serializer.validated_data["user"], expiry=knox_settings.TOKEN_TTL
        )
        return Response({"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Organisations


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "region",
            "population",
            "ambition_target",
            "ambition_date",
            "stale_approval_days",
            "unfunded_after_days",
            "indicative_margin_percent",
        ]
        extra_kwargs = {
            "stale_approval_days": {"required": False},
            "unfunded_after_days": {"required": False},
            "indicative_margin_percent": {"required": False},
            "ambition_date": {"validators": [dates.validator(label="Ambition date")]},
        }


class OrganisationListView(generics.ListCreateAPIView):
    """GET: the organisations you belong to. POST (superuser): create an organisation."""

    serializer_class = OrganisationSerializer
    pagination_class = Pagination
    queryset = Organisation.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_outside_staff(request.user)

    def get_queryset(self):
        return organisations_for(self.request.user).order_by("name")

    def create(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise NotPermitted("Only a superuser can create organisations.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_create(actor=request.user, **serializer.validated_data)
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(OrgScopedMixin, generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    model = Organisation
    data = Data.ORGANISATION
    required_roles = None

    def get_object(self):
        return self.organisation


# --- Staff


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, allow_blank=False, max_length=128)
    first_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    # At least one (the service's rule too), so that the schema says it: minItems 1.
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        min_length=1,
        error_messages={"min_length": services.NO_ROLES, "empty": services.NO_ROLES},
    )
    team = serializers.StringOrIntegerField(
        required=False, allow_null=True, allow_blank=True, default=None, help_text="Team name or id"
    )
    is_active = serializers.BooleanField(read_only=True)
    active = serializers.BooleanField(read_only=True)

    def to_representation(self, membership: Membership):
        return {
            "id": membership.pk,
            "username": membership.user.username,
            "email": membership.user.email,
            "first_name": membership.user.first_name,
            "last_name": membership.user.last_name,
            "roles": sorted(membership.role_codes),
            "team": membership.team.name if membership.team else None,
            "is_active": membership.is_active,
            "active": membership.is_active,
        }


class MemberListView(OrgScopedMixin, generics.ListCreateAPIView):
    """Staff of the organisation. POST (org admins, superusers) creates a new account with roles; a
    username already taken is a 409 that says nothing of its account: invite its owner instead."""

    input_rules = {
        "password": "the password rules: at least 8 characters, not common, not all digits, not like the username",
        "username": "letters, digits and @ . + - _ only",
        "team": TEAM_RULE,
    }

    serializer_class = MemberSerializer
    model = Membership
    data = Data.STAFF
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": {Role.ORG_ADMIN}}

    def get_queryset(self):
        return selectors.member_list(organisation=self.organisation)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = _team_from(self.organisation, data.pop("team"))
        membership = services.member_add(
            actor=request.user, organisation=self.organisation, team=team, **data
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


def _team_from(organisation, value) -> Team | None:
    if value in (None, ""):
        return None
    teams = Team.objects.for_org(organisation)
    team = teams.filter(pk=value).first() if str(value).isdecimal() else None
    team = team or teams.filter(name=value).first()
    if team is None:
        raise serializers.ValidationError({"team": ["No such team in this organisation."]})
    return team


# --- People


class PersonSerializer(serializers.ModelSerializer):
    cohorts = serializers.ListField(
        child=serializers.ChoiceField(choices=Cohort.choices), required=False, write_only=True
    )
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    representative_kind = serializers.ChoiceField(
        choices=RepresentativeKind.choices, required=False, allow_blank=True
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "cohorts",
            "postcode",
            "phone",
            "email",
            "representative_kind",
            "representative_name",
            "representative_relationship",
            "representative_contact",
        ]
        # Uniqueness is checked in the service, scoped to the organisation.
        validators = []
        extra_kwargs = {
            "date_of_birth": {"validators": [dates.validator(label="Date of birth", kind=dates.BIRTH)]}
        }

    def to_representation(self, person):
        data = super().to_representation(person)
        data["cohorts"] = person.cohort_codes
        return data


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    summary = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)


class PersonDetailSerializer(PersonSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "timeline"]

    def get_timeline(self, person) -> list[dict]:
        return TimelineEntrySerializer(selectors.person_timeline(person=person), many=True).data

    def to_representation(self, person):
        data = super().to_representation(person)
        # Each pathway app adds its part (referrals, plans, ...) through its AppConfig, where the
        # reader's roles may see that kind of data.
        data.update(person_api_sections(person, self.context["request"].org_context))
        return data


def _person_conflict(organisation, nhs_number, exclude_pk=None):
    from .nhs_number import normalise_nhs_number

    people = Person.objects.for_org(organisation).filter(nhs_number=normalise_nhs_number(nhs_number))
    if exclude_pk:
        people = people.exclude(pk=exclude_pk)
    if people.exists():
        raise serializers.ValidationError(
            {"nhs_number": ["A person with this NHS number is already recorded here."]}
        )


class PersonListView(OrgScopedMixin, generics.ListCreateAPIView):
    """People (budget holders); `?search=` matches a name or an NHS number."""

    serializer_class = PersonSerializer
    model = Person
    data = Data.PEOPLE

    def get_queryset(self):
        return selectors.person_search(
            organisation=self.organisation, query=self.request.query_params.get("search", "")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _person_conflict(self.organisation, serializer.validated_data["nhs_number"])
        person = services.person_create(
            actor=request.user, organisation=self.organisation, **serializer.validated_data
        )
        answer = PersonDetailSerializer(person, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)


class PersonDetailView(OrgScopedMixin, generics.RetrieveUpdateAPIView):
    """One person, with their referrals, plans and timeline. Opening it is logged."""

    serializer_class = PersonDetailSerializer
    model = Person
    data = Data.PEOPLE
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return Person.objects.for_org(self.organisation).prefetch_related("cohorts")

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        services.person_record_view(actor=request.user, person=person, channel="api")
        return Response(self.get_serializer(person).data)

    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        serializer = PersonSerializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "nhs_number" in serializer.validated_data:
            _person_conflict(self.organisation, serializer.validated_data["nhs_number"], exclude_pk=person.pk)
        person = services.person_update(actor=request.user, person=person, **serializer.validated_data)
        return Response(self.get_serializer(person).data)


class WithdrawScheduledVersionAPIView(OrgScopedMixin, APIView):
    """DELETE: withdraw a version (of a policy, a questionnaire) scheduled for a later date, before
    it starts. A subclass names the `model` and the service that withdraws it (`withdraw`)."""

    data = Data.POLICY

    def withdraw(self, version) -> None:
        raise NotImplementedError

    @extend_schema(responses={204: None})
    def delete(self, request, *args, **kwargs):
        version = get_for_org(self.model.objects.all(), self.organisation, version=self.kwargs["version"])
        self.withdraw(version)
        return Response(status=status.HTTP_204_NO_CONTENT)
