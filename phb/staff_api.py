"""Staff endpoints beyond the list: changing a member's roles, invitations for existing accounts, and
inviting a budget holder (the person, representative or nominee) to see the person's budget online."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import invitations, selectors, serializers, services
from .api import TEAM_RULE, MemberSerializer, OrgScopedMixin, _team_from
from .constants import Role
from .models import HolderRelation, Invitation, InvitationKind, Membership, Person
from .notifications import absolute_url
from .visibility import Data


class MemberChangeSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=True, required=False
    )
    team = serializers.StringOrIntegerField(
        required=False, allow_null=True, allow_blank=True, help_text="Team name or id; null for none"
    )
    active = serializers.BooleanField(required=False)


class MemberDetailView(OrgScopedMixin, generics.GenericAPIView):
    """One member of staff. PATCH (org admins) changes roles, team or active; never your own roles."""

    input_rules = {"team": TEAM_RULE}

    serializer_class = MemberSerializer
    model = Membership
    data = Data.STAFF
    required_roles = {Role.ORG_ADMIN}

    def get_queryset(self):
        return selectors.member_list(organisation=self.organisation)

    def get(self, request, *args, **kwargs):
        return Response(MemberSerializer(self.get_object()).data)

    @extend_schema(request=MemberChangeSerializer, responses=MemberSerializer)
    def patch(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MemberChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = {"roles": data.get("roles"), "is_active": data.get("active")}
        if "team" in data:
            changes["team"] = _team_from(self.organisation, data["team"])
        membership = services.member_update(actor=request.user, membership=membership, **changes)
        return Response(
            MemberSerializer(selectors.member_list(organisation=self.organisation).get(pk=membership.pk)).data
        )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=True)
    team = serializers.StringOrIntegerField(
        required=False, allow_null=True, allow_blank=True, default=None, help_text="Team name or id"
    )
    expires = serializers.DateTimeField(read_only=True, source="expires_at")
    accepted = serializers.BooleanField(read_only=True)

    def to_representation(self, invitation: Invitation):
        return {
            "id": invitation.pk,
            "email": invitation.email,
            "roles": invitation.roles,
            "team": invitation.team.name if invitation.team_id else None,
            "expires": serializers.DateTimeField().to_representation(invitation.expires_at),
            "accepted": invitation.accepted_at is not None,
        }


class InvitationCreatedSerializer(InvitationSerializer):
    token = serializers.CharField(read_only=True)
    accept_url = serializers.CharField(read_only=True)


class InvitationListView(OrgScopedMixin, generics.ListCreateAPIView):
    """Invitations of the organisation (org admins). POST invites an e-mail address with roles: its
    owner accepts, signed in to their own account, through the single-use link that is e-mailed."""

    input_rules = {"team": TEAM_RULE}

    serializer_class = InvitationSerializer
    model = Invitation
    data = Data.STAFF
    required_roles = {Role.ORG_ADMIN}

    def get_queryset(self):
        return selectors.invitation_list(organisation=self.organisation)

    @extend_schema(responses={201: InvitationCreatedSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, token = invitations.invitation_create(
            actor=request.user,
            organisation=self.organisation,
            email=data["email"],
            roles=data["roles"],
            team=_team_from(self.organisation, data.get("team")),
        )
        body = {
            **InvitationSerializer(invitation).data,
            "token": token,
            "accept_url": absolute_url(invitations.accept_path(token)),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class HolderInvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    # `as` is a Python keyword: the field is declared under its JSON name below.

    def get_fields(self):
        fields = super().get_fields()
        fields["as"] = serializers.ChoiceField(choices=HolderRelation.choices)
        return fields


class HolderInvitationCreated(serializers.Serializer):
    id = serializers.IntegerField()
    accept_url = serializers.CharField()
    expires = serializers.DateTimeField()


class HolderInvitationCreateView(OrgScopedMixin, generics.GenericAPIView):
    """Invite the person, their representative or nominee to see the person's budget online (care
    coordinators). The link is e-mailed, and answered here so that it can go in a letter."""

    model = Person
    data = Data.PEOPLE
    required_roles = {Role.CARE_COORDINATOR}
    serializer_class = HolderInvitationInput

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The person first, whatever the method: another organisation's person is a 404, not a 405.
        self.person = self.get_object()

    @extend_schema(request=HolderInvitationInput, responses={201: HolderInvitationCreated})
    def post(self, request, *args, **kwargs):
        person = self.person
        serializer = HolderInvitationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, token = invitations.holder_invitation_create(
            actor=request.user,
            person=person,
            email=serializer.validated_data["email"],
            acting_as=serializer.validated_data["as"],
        )
        body = {
            "id": invitation.pk,
            "accept_url": absolute_url(invitations.accept_path(token)),
            "expires": serializers.DateTimeField().to_representation(invitation.expires_at),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationAcceptInput(serializers.Serializer):
    username = serializers.CharField(
        required=False, max_length=150, help_text="Budget holders: the new account's"
    )
    password = serializers.CharField(required=False, max_length=128, write_only=True)


class InvitationAcceptView(APIView):
    """Accept an invitation. Staff: while signed in to your own account (401 otherwise), no body.
    A budget holder: no sign-in, `{"username","password"}` makes the account. 404 for a link that was
    never issued, 409 for one used or expired, or if you already work there."""

    input_rules = {
        "password": "the password rules: at least 8 characters, not common, not all digits, not like the username",
    }

    permission_classes = [AllowAny]  # the answer for a staff invitation without credentials is 401

    @extend_schema(
        request=InvitationAcceptInput,
        responses={
            201: inline_serializer(
                "InvitationAccepted",
                {
                    "organisation": serializers.CharField(),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "username": serializers.CharField(required=False),
                },
            )
        },
    )
    def post(self, request, token: str):
        invitation = invitations.invitation_for_token(token)
        if invitation is None:
            raise Http404("No such invitation.")
        if invitation.kind == InvitationKind.BUDGET_HOLDER:
            return self._accept_as_holder(request, token, invitation)
        if not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to your account to accept this invitation.")
        try:
            membership = invitations.invitation_accept(actor=request.user, token=token)
        except Invitation.DoesNotExist as missing:
            raise Http404("No such invitation.") from missing
        return Response(
            {"organisation": membership.organisation.code, "roles": sorted(membership.role_codes)},
            status=status.HTTP_201_CREATED,
        )

    def _accept_as_holder(self, request, token: str, invitation: Invitation) -> Response:
        serializer = InvitationAcceptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = invitations.holder_invitation_accept(
                token=token,
                username=serializer.validated_data.get("username", ""),
                password=serializer.validated_data.get("password", ""),
            )
        except Invitation.DoesNotExist as missing:
            raise Http404("No such invitation.") from missing
        return Response(
            {"organisation": invitation.organisation.code, "roles": [], "username": user.username},
            status=status.HTTP_201_CREATED,
        )
