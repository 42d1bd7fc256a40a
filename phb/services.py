"""Writes of the shared kernel: organisations, staff, teams, people, and record views."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from . import dates
from .audit import record_event, snapshot
from .constants import Role
from .exceptions import InvalidInput
from .models import Membership, MembershipRole, Organisation, Person, PersonCohort, Team
from .nhs_number import normalise_nhs_number

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
    editable = set(ORGANISATION_FIELDS) - {"code"} | {"stale_approval_days", "unfunded_after_days"}
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


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise InvalidInput(
            roles=[f"Unknown role: {', '.join(unknown)}. Use one of {', '.join(Role.values)}."]
        )
    return roles


@transaction.atomic
def member_add(
    *,
    actor,
    organisation: Organisation,
    username: str,
    roles: Iterable[str],
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
) -> Membership:
    """Create a user (or take the existing one) and give them roles in this organisation."""
    roles = _clean_roles(roles)
    if not roles:
        raise InvalidInput(roles=["Select at least one role: an account with no roles can do nothing here"])
    if team is not None and team.organisation_id != organisation.pk:
        raise InvalidInput(team=["No such team in this organisation."])
    user = User.objects.filter(username=username).first()
    if user is None:
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
        user.save()
    membership, _ = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"team": team, "created_by": _user(actor)}
    )
    before = {
        "roles": sorted(membership.role_codes),
        "team": membership.team_id,
        "is_active": membership.is_active,
    }
    membership.team = team if team is not None else membership.team
    membership.is_active = True
    membership.stamp(actor)
    membership.save()
    _set_roles(actor, membership, roles)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=membership,
        action="member_added",
        before=before,
        after={"roles": roles, "team": membership.team_id, "is_active": True},
        summary=f"{user.username} given roles {', '.join(str(Role(r).label) for r in roles) or 'none'}",
    )
    return membership


@transaction.atomic
def member_update(
    *,
    actor,
    membership: Membership,
    roles: Iterable[str],
    team: Team | None,
    is_active: bool = True,
) -> Membership:
    roles = _clean_roles(roles)
    if team is not None and team.organisation_id != membership.organisation_id:
        raise InvalidInput(team=["No such team in this organisation."])
    before = {
        "roles": sorted(membership.role_codes),
        "team": membership.team_id,
        "is_active": membership.is_active,
    }
    membership.team = team
    membership.is_active = is_active
    membership.stamp(actor)
    membership.save()
    _set_roles(actor, membership, roles)
    record_event(
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        action="member_updated",
        before=before,
        after={"roles": sorted(roles), "team": membership.team_id, "is_active": is_active},
        summary=f"{membership.user.username}: roles and team changed",
    )
    return membership


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
    record_event(
        actor=actor,
        organisation=person.organisation,
        obj=person,
        person=person,
        action="person_viewed",
        summary=f"Record opened ({channel})",
        changes_data=False,
    )
