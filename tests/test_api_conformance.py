"""The API answers as its schema says, for any input schemathesis generates: documented status codes,
content types, headers and response bodies (what a generated client relies on), with every check on.

`negative_data_rejection`: input the schema does not allow is refused (phb/serializers.py holds a
JSON body's values to the schema's types). `positive_data_acceptance`: input the schema allows is
taken, or refused with a 400 only by a rule the schema states in that operation's 400 answer
(`x-rules`, phb/schema.py): every field the 400 names must be one of those rules' fields, so a
schema that says less than the API checks still fails here.

NUL characters are not generated here: refusing them anywhere, with a 400, is a rule of every
operation (API.md, "Bad input"), tested with NULs generated in tests/test_api_fuzz.py.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from phb.schema import RULES_KEY
from phb.wsgi import application
from tests.test_api_fuzz import keep_test_connection, token  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(allow_x00=False)


def refused_by_a_stated_rule(case, response) -> bool:
    """Whether a 400 names only fields whose rules beyond the schema the operation's 400 states."""
    if response.status_code != 400:
        return False
    answer = schema.raw_schema["paths"][case.path][case.method.lower()]["responses"]["400"]
    rules = answer.get(RULES_KEY, {})
    body = response.json()
    # A nested field's message is keyed by its path ("tiers[0].basis"): the rule is the top field's.
    fields = {re.split(r"[.\[]", key)[0] for key in body} if isinstance(body, dict) else set()
    return bool(fields) and fields <= set(rules)


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_schema(case, token):  # noqa: F811
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = "07T"
    if "region" in (case.path_parameters or {}):
        case.path_parameters["region"] = "London"
    headers = {"Authorization": f"Token {token}"}
    response = case.call(headers=headers)
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    stated = positive and refused_by_a_stated_rule(case, response)
    case.validate_response(
        response,
        headers=headers,
        transport_kwargs={"headers": headers},
        excluded_checks=[positive_data_acceptance] if stated else [],
    )
