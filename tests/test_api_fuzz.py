"""API fuzzing from the OpenAPI schema (schemathesis): no input, however odd, is a server error.

Schemathesis generates valid and invalid inputs (both generation modes) with NUL characters among
the text it sends (its `allow-x00` option, on by default and set here so it stays on). It does not
generate deep JSON, so every JSON body it makes is also sent nested 100 levels deep, which must be
refused with a 400 naming the depth (phb/bad_input.py).
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.core import NotSet

from phb.bad_input import DEEP_JSON, NUL_IN_PATH, NUL_IN_TEXT
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
schema.config.generation.update(allow_x00=True)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_is_a_server_error(case, token):
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = "07T"
    if "region" in (case.path_parameters or {}):
        case.path_parameters["region"] = "London"
    headers = {"Authorization": f"Token {token}"}
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
    if _is_json_body(case):
        case.body = _nested(case.body, 100)
        # As JSON, whatever Content-Type the invalid case tried.
        deep = case.call(headers={**headers, "Content-Type": "application/json"})
        # Refused in the request path as too deep, or for a NUL the case also carried (a NUL in the
        # path is a 404).
        assert deep.status_code in (400, 404), (
            f"{case.method} {case.formatted_path} deep -> {deep.status_code}"
        )
        assert deep.json().get("detail") in (DEEP_JSON, NUL_IN_TEXT, NUL_IN_PATH), (
            f"{case.method} {case.formatted_path} with the body 100 deep -> {deep.status_code}: {deep.text[:300]}"
        )


def _is_json_body(case) -> bool:
    """Whether the case sends JSON (an invalid case may send bytes or no body at all)."""
    if case.media_type != "application/json" or isinstance(case.body, NotSet):
        return False
    try:
        json.dumps(case.body)
    except (TypeError, ValueError):
        return False
    return True


def _nested(body, depth: int):
    for _ in range(depth):
        body = [body]
    return body
