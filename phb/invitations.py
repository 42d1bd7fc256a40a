"""Writes of invitations: an org admin invites an e-mail address; its owner accepts while signed in.
A care coordinator invites a budget holder (the person, representative or nominee), who accepts by
choosing a username and password: the new account sees that person's budgets and nothing else.

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
from .budget_holders import grant_person
from .exceptions import Conflict, InvalidInput
from .models import HolderRelation, Invitation, InvitationKind, Membership, Organisation, Person, Team
from .models.invitations import token_digest
from .notifications import absolute_url
from .services import USERNAME_TAKEN, _check_team, _clean_roles, account_create, membership_open


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
    _send(invitation, token)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state (None for a link that was never issued)."""
    return (
        Invitation.objects.select_related("organisation", "team", "created_by")
        .filter(token_digest=token_digest(token))
        .first()
    )


def check_usable(invitation: Invitation) -> None:
    who = "your care coordinator" if invitation.kind == InvitationKind.BUDGET_HOLDER else "the administrator"
    if invitation.accepted_at is not None:
        raise Conflict(f"This invitation has already been used. Ask {who} for a new one.")
    if invitation.expires_at <= timezone.now():
        raise Conflict(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. "
            f"Ask {who} for a new one."
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


def _send(invitation: Invitation, token: str) -> None:
    # The e-mail task is imported here because phb.tasks imports this module for the message.
    from .tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(invitation.pk, token))


@transaction.atomic
def holder_invitation_create(*, actor, person: Person, email: str, acting_as: str) -> tuple[Invitation, str]:
    """Invite the person, their representative or nominee to see the person's budget online.

    The link is e-mailed after the commit and also handed back, so the care coordinator can put it
    in a letter for someone without e-mail to hand.
    """
    email = (email or "").strip()
    if not email:
        raise InvalidInput(email=["Enter the e-mail address of the person to invite."])
    if acting_as not in HolderRelation.values:
        raise InvalidInput(**{"as": ["Choose who the account is for: person, representative or nominee."]})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=person.organisation,
        kind=InvitationKind.BUDGET_HOLDER,
        email=email,
        person=person,
        acting_as=acting_as,
        token_digest=token_digest(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.stamp(actor)
    invitation.full_clean()
    invitation.save()
    record_event(
        actor=actor,
        organisation=person.organisation,
        obj=invitation,
        action="holder_invitation_sent",
        after={"email": email, "as": acting_as},
        person=person,
        summary=f"{email} invited to see the budget online as {invitation.get_acting_as_display().lower()}",
        changes_data=False,
    )
    _send(invitation, token)
    return invitation, token


@transaction.atomic
def holder_invitation_accept(*, token: str, username: str, password: str):
    """Accept a budget holder's invitation by making an account; it sees the invited person's budget.

    No membership is opened: the account works nowhere, so no staff page opens for it.
    """
    found = invitation_for_token(token)
    if found is None:
        raise Invitation.DoesNotExist
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    check_usable(invitation)
    if invitation.kind != InvitationKind.BUDGET_HOLDER or invitation.person_id is None:
        raise Conflict("This invitation is for a member of staff: sign in to your account to accept it.")
    username = (username or "").strip()
    if not username:
        raise InvalidInput(username=["Enter a username."])
    if not password:
        raise InvalidInput(password=["Enter a password."])
    user = account_create(
        username=username,
        password=password,
        email=invitation.email,
        taken=USERNAME_TAKEN.split(".")[0] + ". Choose another username.",
    )
    grant_person(user, invitation.person)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "modified_at"])
    record_event(
        actor=user,
        organisation=invitation.organisation,
        obj=invitation,
        action="holder_invitation_accepted",
        after={"user": user.pk, "as": invitation.acting_as},
        person=invitation.person,
        summary=f"Invitation to {invitation.email} accepted: account {username} made",
    )
    return user


def invitation_email(invitation: Invitation, token: str) -> tuple[str, str]:
    organisation = invitation.organisation
    if invitation.kind == InvitationKind.BUDGET_HOLDER:
        return _holder_email(invitation, token)
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


def _holder_email(invitation: Invitation, token: str) -> tuple[str, str]:
    expires = timezone.localtime(invitation.expires_at)
    subject = "See your personal health budget online"
    body = (
        f"{invitation.organisation.name} has set up a way for you to see a personal health budget "
        "online: the plan, the money and the reviews.\n\n"
        "Open this link and choose a username and password:\n"
        f"{absolute_url(accept_path(token))}\n\n"
        f"The link works once and stops working on {expires:%-d %B %Y}. "
        "If you were not expecting this, you can ignore this e-mail.\n"
    )
    return subject, body
