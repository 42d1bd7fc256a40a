"""Factories for the shared kernel: organisations, staff with roles, people."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from phb.models import Membership, MembershipRole, Organisation, Person, PersonCohort, Team

__all__ = [
    "MembershipFactory",
    "OrganisationFactory",
    "PersonFactory",
    "TeamFactory",
    "UserFactory",
    "member",
    "valid_nhs_number",
]

PASSWORD = "correct-horse-battery-staple"


def valid_nhs_number(n: int) -> str:
    """The n-th valid NHS number in a deterministic sequence (English range, modulus 11 check digit)."""
    base = 400_000_000 + n * 7
    while True:
        digits = f"{base:09d}"[-9:]
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
        base += 1


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{n:04d}")
    name = factory.Sequence(lambda n: f"NHS Test Organisation {n}")
    region = "London"
    population = 100_000
    ambition_target = 200
    ambition_date = date(2027, 3, 31)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Given{n}")
    last_name = "Staff"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or []:
            MembershipRole.objects.create(organisation=obj.organisation, membership=obj, role=role)


def member(organisation, *roles, username=None, team=None):
    """A user holding these roles in the organisation (the usual arrange step)."""
    user = UserFactory(username=username) if username else UserFactory()
    MembershipFactory(organisation=organisation, user=user, roles=list(roles), team=team)
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    nhs_number = factory.Sequence(valid_nhs_number)
    given_name = factory.Sequence(lambda n: f"Alex{n}")
    family_name = "Example"
    date_of_birth = date(1980, 5, 17)
    gender = "2"
    ethnicity = "A"

    @factory.post_generation
    def cohorts(obj, create, extracted, **kwargs):
        for cohort in extracted if extracted is not None else ["mental_health"]:
            PersonCohort.objects.create(organisation=obj.organisation, person=obj, cohort=cohort)
