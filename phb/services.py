"""Writes of the shared kernel: organisations, staff, teams, people, and record views."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from . import dates
from .access_log import AccessKind, access_record
from .audit import AuditRow, record_event, record_events, snapshot
from .bulk_insert import copy_history, copy_objects
from .constants import Role
from .exceptions import Conflict, InvalidInput, NotPermitted
from .models import Membership, MembershipRole, Organisation, Person, PersonCohort, Team
from .nhs_number import normalise_nhs_number
from .notifications import absolute_url, notify_once

User = get_user_model()

ORGANISATION_FIELDS = ("code", "name", "region", "population", "ambition_target", "ambition_date")
PERSON_FIELDS = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "postcode",
    "phone",
    "email",
    "representative_kind",
    "representative_name",
    "representative_relationship",
    "representative_contact",
)


@transaction.atomic
def organisation_create(*, actor, **fields) -> Organisation:
    organisation = Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    organisation.stamp(actor)
    organisation.full_clean()
    dates.require(ambition_date=dates.problems(organisation.ambition_date, label="Ambition date"))
    organisation.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=organisation,
        action="organisation_created",
        after=snapshot(organisation),
        summary=f"Organisation {organisation} created",
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    before = snapshot(organisation)
    editable = set(ORGANISATION_FIELDS) - {"code"} | {
        "stale_approval_days",
        "unfunded_after_days",
        "indicative_margin_percent",
    }
    for name, value in fields.items():
        if name in editable:
            setattr(organisation, name, value)
    organisation.stamp(actor)
    organisation.full_clean()
    dates.require(ambition_date=dates.problems(organisation.ambition_date, label="Ambition date"))
    organisation.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=organisation,
        action="organisation_updated",
        before=before,
        after=snapshot(organisation),
        summary="Organisation details changed",
    )
    return organisation


@transaction.atomic
def team_create(*, actor, organisation: Organisation, name: str) -> Team:
    team = Team(organisation=organisation, name=name.strip())
    team.stamp(actor)
    team.full_clean()
    team.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=team,
        action="team_created",
        after=snapshot(team),
        summary=f"Team {team.name} created",
    )
    return team


# Roles that sign plans off or move money (segregation of duties): granting one is audited on its own
# and told to the organisation's other admins, so that no admin quietly gives someone (or, through a
# colleague, themselves) the power to approve or pay. Org admin is watched for the same reason.
WATCHED_ROLES = frozenset(
    {
        Role.CARE_COORDINATOR,  # signs off small plans where the policy allows
        Role.TEAM_LEAD,
        Role.PHB_LEAD,
        Role.LIVED_EXPERIENCE_REVIEWER,
        Role.COMMISSIONER,
        Role.FINANCE,
        Role.BROKER,
        Role.ORG_ADMIN,
    }
)

USERNAME_TAKEN = "That username is taken. To add someone who already has an account, invite them."


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise InvalidInput(
            roles=[f"Unknown role: {', '.join(unknown)}. Use one of {', '.join(Role.values)}."]
        )
    return roles


def _check_team(organisation: Organisation, team: Team | None) -> None:
    if team is not None and team.organisation_id != organisation.pk:
        raise InvalidInput(team=["No such team in this organisation."])


NO_ROLES = "Select at least one role: an account with no roles can do nothing here"


@transaction.atomic
def member_add(
    *,
    actor,
    organisation: Organisation,
    username: str,
    roles: Iterable[str],
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
) -> Membership:
    """Create a new account with roles in this organisation.

    An existing username is refused with the same answer whoever holds it (a member here, of another
    organisation, a superuser): nothing about that account is disclosed or changed. Someone who
    already has an account joins by accepting an invitation (`phb.invitations`).
    """
    roles = _clean_roles(roles)
    if not roles:
        raise InvalidInput(roles=[NO_ROLES])
    _check_team(organisation, team)
    user = account_create(
        username=username, password=password, email=email, first_name=first_name, last_name=last_name
    )
    return membership_open(actor=actor, organisation=organisation, user=user, roles=roles, team=team)


def account_create(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    taken: str = USERNAME_TAKEN,
):
    """A new sign-in account (a member of staff's, a provider's, a budget holder's): the username
    free, the password passing the validators. A taken username answers `taken`, whoever holds it."""
    if User.objects.filter(username=username).exists():
        raise Conflict(taken)
    if not password:
        raise InvalidInput(password=["Enter a password for the new account."])
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(
            **error.message_dict if hasattr(error, "error_dict") else {"password": error.messages}
        ) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same username created a moment ago by someone else
        raise Conflict(taken) from error
    return user


@transaction.atomic
def membership_open(
    *,
    actor,
    organisation: Organisation,
    user,
    roles: Iterable[str],
    team: Team | None = None,
    granted_by=None,
) -> Membership:
    """Give an account its place and roles in an organisation it is not yet a member of.

    Called for a new account, for an invitation its owner accepts (`granted_by` the inviter), and by
    the demo seed. An existing membership is never replaced here: roles change through
    `member_update`, by another admin.
    """
    roles = _clean_roles(roles)
    _check_team(organisation, team)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise Conflict(
            f"You are already a member of {organisation.name}. An administrator there changes your roles."
        )
    membership = Membership(organisation=organisation, user=user, team=team, is_active=True)
    membership.stamp(actor)
    membership.save()
    _set_roles(actor, membership, roles)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=membership,
        action="member_added",
        after={"roles": sorted(roles), "team": membership.team_id, "is_active": True},
        summary=f"{user.username} joined with roles {', '.join(str(Role(r).label) for r in sorted(roles)) or 'none'}",
    )
    _record_grants(
        actor=actor, granted_by=granted_by or actor, membership=membership, before=set(), after=set(roles)
    )
    return membership


_UNCHANGED = object()


@transaction.atomic
def member_update(
    *,
    actor,
    membership: Membership,
    roles: Iterable[str] | None = None,
    team=_UNCHANGED,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's roles, team or whether they are active; what is not given stays as it is.

    Nobody changes their own roles or deactivates themselves (segregation of duties): another admin
    of the organisation must. Accounts are deactivated, never deleted, so the audit trail keeps who
    acted.
    """
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    current_roles = set(membership.role_codes)
    new_roles = set(_clean_roles(roles)) if roles is not None else current_roles
    new_team = membership.team if team is _UNCHANGED else team
    new_active = membership.is_active if is_active is None else is_active
    _check_team(membership.organisation, new_team)
    if getattr(actor, "pk", None) == membership.user_id and (
        new_roles != current_roles or new_active != membership.is_active
    ):
        raise NotPermitted(
            "You cannot change your own roles or deactivate yourself. Ask another administrator."
        )
    before = {"roles": sorted(current_roles), "team": membership.team_id, "is_active": membership.is_active}
    membership.team = new_team
    membership.is_active = new_active
    membership.stamp(actor)
    membership.save()
    _set_roles(actor, membership, sorted(new_roles))
    after = {"roles": sorted(new_roles), "team": membership.team_id, "is_active": new_active}
    changed = [name for name in ("roles", "team", "is_active") if before[name] != after[name]]
    record_event(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action="member_updated",
        before=before,
        after=after,
        summary=f"{membership.user.username}: {', '.join(changed).replace('is_active', 'active') or 'no changes'}",
    )
    _record_grants(
        actor=actor,
        granted_by=actor,
        membership=membership,
        before=current_roles if before["is_active"] else set(),
        after=new_roles if new_active else set(),
    )
    return membership


def _record_grants(*, actor, granted_by, membership: Membership, before: set[str], after: set[str]) -> None:
    """Audit a grant of watched roles on its own and tell the organisation's other admins of it."""
    granted = sorted((after - before) & WATCHED_ROLES)
    if not granted:
        return
    labels = ", ".join(Role(role).label for role in granted)
    user = membership.user
    who = user.get_full_name() or user.username
    by = getattr(granted_by, "get_full_name", lambda: "")() or getattr(granted_by, "username", "the system")
    event = record_event(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action="roles_granted",
        before={"roles": sorted(before)},
        after={"roles": sorted(after), "granted": granted, "granted_by": getattr(granted_by, "pk", None)},
        summary=f"{who} ({user.username}) given {labels} by {by}",
    )
    if not getattr(granted_by, "is_authenticated", False):
        return  # the demo seed and other set-up by the system tell nobody
    admins = (
        User.objects.filter(
            memberships__organisation=membership.organisation,
            memberships__is_active=True,
            memberships__roles__role=Role.ORG_ADMIN,
            is_active=True,
        )
        .exclude(pk=granted_by.pk)
        .distinct()
    )
    organisation = membership.organisation
    notify_once(
        organisation=organisation,
        key=f"roles-granted:{event.pk}",
        recipients=admins.values_list("email", flat=True),
        subject=f"{who} was given {labels} in {organisation.name}",
        body=(
            f"{by} gave {who} ({user.username}) these roles in {organisation.name}: {labels}.\n\n"
            "They let that person sign off support plans or move money. If you did not expect this, "
            "check it with them and change the roles on the staff page:\n"
            f"{absolute_url(reverse('staff-edit', kwargs={'org': organisation.code, 'pk': membership.pk}))}\n"
        ),
    )


def _set_roles(actor, membership: Membership, roles: list[str]) -> None:
    membership.roles.exclude(role__in=roles).delete()
    existing = set(membership.roles.values_list("role", flat=True))
    MembershipRole.objects.bulk_create(
        [
            MembershipRole(
                organisation_id=membership.organisation_id,
                membership=membership,
                role=role,
                created_by=_user(actor),
                modified_by=_user(actor),
            )
            for role in roles
            if role not in existing
        ]
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _set_cohorts(actor, person: Person, cohorts: Iterable[str]) -> None:
    cohorts = list(dict.fromkeys(cohorts))
    person.cohorts.exclude(cohort__in=cohorts).delete()
    existing = set(person.cohorts.values_list("cohort", flat=True))
    PersonCohort.objects.bulk_create(
        [
            PersonCohort(
                organisation_id=person.organisation_id,
                person=person,
                cohort=c,
                created_by=_user(actor),
                modified_by=_user(actor),
            )
            for c in cohorts
            if c not in existing
        ]
    )


def _validate_cohorts(cohorts: Iterable[str]) -> list[str]:
    from .constants import Cohort

    cohorts = list(cohorts)
    unknown = [c for c in cohorts if c not in Cohort.values]
    if unknown:
        raise InvalidInput(cohorts=[f"Unknown cohort: {', '.join(unknown)}."])
    return cohorts


@transaction.atomic
def person_create(*, actor, organisation: Organisation, cohorts: Iterable[str] = (), **fields) -> Person:
    cohorts = _validate_cohorts(cohorts)
    values = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
    if "nhs_number" in values:
        values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
    person = Person(organisation=organisation, **values)
    person.stamp(actor)
    person.full_clean()
    _check_person_dates(person)
    person.save()
    _set_cohorts(actor, person, cohorts)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=person,
        person=person,
        action="person_created",
        after={**snapshot(person), "cohorts": sorted(cohorts)},
        summary="Record created",
    )
    return person


def _check_person_dates(person: Person) -> None:
    dates.require(date_of_birth=dates.problems(person.date_of_birth, label="Date of birth", kind=dates.BIRTH))


@transaction.atomic
def person_update(*, actor, person: Person, cohorts: Iterable[str] | None = None, **fields) -> Person:
    before = {**snapshot(person), "cohorts": person.cohort_codes}
    if cohorts is not None:
        cohorts = _validate_cohorts(cohorts)
    for name, value in fields.items():
        if name in PERSON_FIELDS:
            setattr(person, name, normalise_nhs_number(value) if name == "nhs_number" else value)
    person.stamp(actor)
    person.full_clean()
    _check_person_dates(person)
    person.save()
    if cohorts is not None:
        _set_cohorts(actor, person, cohorts)
    after = {**snapshot(person), "cohorts": person.cohort_codes}
    changed = sorted(k for k in after if before.get(k) != after.get(k) and k not in ("modified_at",))
    record_event(
        actor=actor,
        organisation=person.organisation,
        obj=person,
        person=person,
        action="person_updated",
        before=before,
        after=after,
        summary=f"Record updated: {', '.join(changed) or 'no changes'}",
    )
    return person


def person_record_view(*, actor, person: Person, channel: str = "web") -> None:
    """Opening a person's record is logged (who looked, when), as the NHS expects of patient data."""
    access_record(
        actor=actor,
        organisation=person.organisation,
        what=AccessKind.PERSON,
        obj=person,
        person=person,
        channel=channel,
    )


@transaction.atomic
def people_create_bulk(*, actor, organisation: Organisation, people: list[dict]) -> list[Person]:
    """Many new records at once (an import), each held to `person_create`'s rules and audited the same
    way, in a few inserts. Each dict is `person_create`'s fields with its `cohorts`; the caller has
    made sure none of the NHS numbers is already here (the database's constraint stands behind)."""
    user = _user(actor)
    rows: list[Person] = []
    cohorts_of: list[list[str]] = []
    for fields in people:
        cohorts = list(dict.fromkeys(_validate_cohorts(fields.get("cohorts", ()))))
        values = {k: v for k, v in fields.items() if k in PERSON_FIELDS}
        if "nhs_number" in values:
            values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
        person = Person(organisation=organisation, **values)
        person.stamp(actor)
        person.validate_own_fields()
        _check_person_dates(person)
        rows.append(person)
        cohorts_of.append(cohorts)
    copy_objects(rows)
    copy_history(rows, user=user)
    copy_objects(
        [
            PersonCohort(
                organisation_id=organisation.pk, person=person, cohort=c, created_by=user, modified_by=user
            )
            for person, cohorts in zip(rows, cohorts_of, strict=True)
            for c in cohorts
        ],
        with_ids=False,
    )
    record_events(
        actor=actor,
        organisation=organisation,
        rows=[
            AuditRow(
                person,
                "person_created",
                "Record created",
                after={**snapshot(person), "cohorts": sorted(cohorts)},
                person=person,
            )
            for person, cohorts in zip(rows, cohorts_of, strict=True)
        ],
    )
    return rows
