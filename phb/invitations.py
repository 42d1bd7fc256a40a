"""Writes of invitations: an org admin invites an e-mail address; its owner accepts while signed in.

An existing account never joins an organisation on an admin's word alone (that would let an admin
add anyone, a superuser included, and learn their name and e-mail). The invitation is a single-use
link that expires; the person who opens it signs in to their own account and accepts.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .access import outside_staff_home
from .audit import record_event
from .exceptions import Conflict, InvalidInput
from .models import Invitation, InvitationKind, Membership, Organisation, Team
from .models.invitations import token_digest
from .notifications import absolute_url
from .services import _check_team, _clean_roles, membership_open


def accept_path(token: str) -> str:
    return reverse("invitation-accept", kwargs={"token": token})


@transaction.atomic
def invitation_create(
    *, actor, organisation: Organisation, email: str, roles: Iterable[str], team: Team | None = None
) -> tuple[Invitation, str]:
    """Invite an e-mail address to join as staff with these roles; returns the invitation and its token.

    Only a digest of the token is stored; the token itself goes to the address by e-mail after the
    commit, and back to the admin who asked.
    """
    roles = _clean_roles(roles)
    _check_team(organisation, team)
    email = (email or "").strip()
    if not email:
        raise InvalidInput(email=["Enter the e-mail address of the person to invite."])
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        kind=InvitationKind.STAFF,
        email=email,
        roles=sorted(roles),
        team=team,
        token_digest=token_digest(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.stamp(actor)
    invitation.full_clean()
    invitation.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=invitation,
        action="invitation_sent",
        after={"email": email, "roles": invitation.roles, "team": invitation.team_id},
        summary=f"{email} invited with roles {', '.join(invitation.roles) or 'none'}",
        changes_data=False,
    )
    # The e-mail task is imported here because phb.tasks imports this module for the message.
    from .tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(invitation.pk, token))
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state (None for a link that was never issued)."""
    return (
        Invitation.objects.select_related("organisation", "team", "created_by")
        .filter(token_digest=token_digest(token))
        .first()
    )


def check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used. Ask the administrator for a new one.")
    if invitation.expires_at <= timezone.now():
        raise Conflict(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            "Ask the administrator for a new one."
        )


@transaction.atomic
def invitation_accept(*, actor, token: str) -> Membership:
    """The signed-in owner of an account accepts a staff invitation: they join with its roles."""
    found = invitation_for_token(token)
    if found is None:
        raise Invitation.DoesNotExist
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    check_usable(invitation)
    if invitation.kind != InvitationKind.STAFF:
        raise Conflict("This invitation is not for a member of staff.")
    if outside_staff_home(actor) is not None:
        raise Conflict("This account is not a staff account. Sign in with a staff account to accept.")
    organisation = found.organisation
    membership = membership_open(
        actor=actor,
        organisation=organisation,
        user=actor,
        roles=invitation.roles,
        team=invitation.team if invitation.team_id else None,
        granted_by=found.created_by,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by", "modified_at"])
    record_event(
        actor=actor,
        organisation=organisation,
        obj=invitation,
        action="invitation_accepted",
        after={"membership": membership.pk, "roles": invitation.roles},
        summary=f"Invitation to {invitation.email} accepted by {actor.username}",
    )
    return membership


def invitation_email(invitation: Invitation, token: str) -> tuple[str, str]:
    organisation = invitation.organisation
    inviter = invitation.created_by
    by = (inviter.get_full_name() or inviter.username) if inviter else "An administrator"
    expires = timezone.localtime(invitation.expires_at)
    subject = f"You are invited to work in {organisation.name} (personal health budgets)"
    body = (
        f"{by} has invited you to work in {organisation.name} on the personal health budgets service.\n\n"
        "Open this link, sign in with your existing account and accept:\n"
        f"{absolute_url(accept_path(token))}\n\n"
        f"The link works once and expires on {expires:%-d %B %Y at %H:%M}. "
        "If you were not expecting this, ignore this e-mail.\n"
    )
    return subject, body
