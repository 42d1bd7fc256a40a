"""API fuzzing from the OpenAPI schema (schemathesis): no input, however odd, is a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from phb.constants import Role
from phb.wsgi import application
from tests.factories import OrganisationFactory, PersonFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    organisation = OrganisationFactory(code="07T", region="London")
    PersonFactory(organisation=organisation)
    user = member(organisation, *Role.values, username="fuzzer")
    return Token.objects.create(user=user).key


# The schema view needs no database, so the schema is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_is_a_server_error(case, token):
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = "07T"
    if "region" in (case.path_parameters or {}):
        case.path_parameters["region"] = "London"
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
