"""API fuzzing from the OpenAPI schema (schemathesis): no input, however odd, is a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken

from phb.constants import Role
from phb.wsgi import application
from tests.factories import OrganisationFactory, PersonFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection():
    """Calls go straight into the WSGI app (not Django's test client), so stop it closing the
    test's database connection at the end of each request, as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_test_connection):
    organisation = OrganisationFactory(code="07T", region="London")
    PersonFactory(organisation=organisation)
    user = member(organisation, *Role.values, username="fuzzer")
    return AuthToken.objects.create(user=user)[1]


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
