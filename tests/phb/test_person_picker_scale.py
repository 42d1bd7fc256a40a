"""At 50,000 people in an organisation the picker's search is served by the prefix indexes."""

import pytest
from django.db import connection
from django.db.models import Q

from phb import selectors
from phb.models import Person
from tests.factories import OrganisationFactory, valid_nhs_number

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FAMILY_NAMES = [
    "Okafor",
    "Hughes",
    "Shah",
    "Whitfield",
    "Brennan",
    "Rahman",
    "Mensah",
    "Nowak",
    "Smith",
    "Jones",
]


@pytest.fixture
def big_organisation(db):
    if connection.vendor != "postgresql":
        pytest.skip("The prefix indexes are PostgreSQL's (set DATABASE_URL)")
    organisation = OrganisationFactory(code="07T")
    Person.objects.bulk_create(
        [
            Person(
                organisation=organisation,
                nhs_number=valid_nhs_number(100_000 + index),
                given_name=f"Given{index % 500}",
                family_name=f"{FAMILY_NAMES[index % 10]}{index % 300}",
                date_of_birth="1980-01-01",
                gender="1",
                ethnicity="A",
            )
            for index in range(50_000)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE phb_person")
    return organisation


def test_a_name_search_at_50000_people_uses_the_prefix_indexes(big_organisation):
    people = Person.objects.for_org(big_organisation).order_by()
    query = people.filter(Q(family_name__istartswith="okafor1") | Q(given_name__istartswith="okafor1"))
    plan = query[: selectors.PICKER_CANDIDATES].explain()
    assert "person_family_name_prefix" in plan and "person_given_name_prefix" in plan
    found = selectors.person_picker(organisation=big_organisation, query="okafor1")
    assert len(found) == selectors.PICKER_LIMIT
    assert all(p.family_name.lower().startswith("okafor1") for p in found)


def test_an_nhs_number_search_at_50000_people_uses_the_prefix_index(big_organisation):
    number = Person.objects.for_org(big_organisation).values_list("nhs_number", flat=True).first()
    plan = (
        Person.objects.for_org(big_organisation)
        .order_by()
        .filter(nhs_number__startswith=number[:6])[:200]
        .explain()
    )
    assert "person_nhs_number_prefix" in plan
