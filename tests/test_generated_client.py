"""The API as a commissioner's or provider's own system would use it: through a client generated from
the served schema by a standard generator (openapi-python-client), with no edits to the generated
code, driving the whole pathway on a live server. Every answer must parse into the schema's models.
"""

import importlib
import json
import subprocess
import sys
from datetime import date

import httpx
import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = [sys.executable, "-m", "openapi_python_client"]
PASSWORD = "generated-client-2026"
NHS_NUMBER = "9434765919"  # a valid test NHS number (modulus 11)


@pytest.fixture
def client_package(live_server, tmp_path, monkeypatch):
    """Generate the client from the live server's schema, as a consumer would, and import it."""
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(schema.text)
    (tmp_path / "config.json").write_text(json.dumps({"post_hooks": []}))
    generated = subprocess.run(
        [
            *GENERATOR,
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "phb_client"),
            "--config",
            str(tmp_path / "config.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # Every operation of the pathway is generated (a warning drops only the PDF's binary answer model).
    assert "Unable to parse" not in generated.stdout, generated.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [module for module in sys.modules if module.split(".")[0] == "phb_client"]:
        del sys.modules[name]
    return importlib.import_module("phb_client")


def _endpoint(name: str):
    return importlib.import_module(f"phb_client.api.v1.{name}")


def _model(name: str):
    return getattr(importlib.import_module("phb_client.models"), name)


def _call(name: str, client, *args, expect: int, **kwargs):
    """Call a generated operation; the answer must have the expected status and parse into a model."""
    response = _endpoint(name).sync_detailed(*args, client=client, **kwargs)
    assert response.status_code == expect, (name, response.status_code, response.content[:500])
    assert response.parsed is not None, (name, "the answer did not parse into the schema's model")
    return response.parsed


def _signed_in(package, base_url: str, username: str):
    anonymous = package.Client(base_url=base_url, raise_on_unexpected_status=True)
    token = _call(
        "v1_auth_token_create",
        anonymous,
        body=_model("TokenRequestRequest").from_dict({"username": username, "password": PASSWORD}),
        expect=200,
    )
    assert token.token
    return package.AuthenticatedClient(base_url=base_url, token=token.token, prefix="Token")


def test_the_whole_pathway_through_a_generated_client(client_package, live_server):
    package, base = client_package, live_server.url
    get_user_model().objects.create_superuser("gen_superuser", "super@example.nhs.uk", PASSWORD)
    superuser = _signed_in(package, base, "gen_superuser")

    organisation = _call(
        "v1_orgs_create",
        superuser,
        body=_model("OrganisationRequest").from_dict(
            {
                "code": "G1X",
                "name": "NHS Generated Client",
                "region": "London",
                "population": 250000,
                "ambition_target": 100,
                "ambition_date": "2027-03-31",
            }
        ),
        expect=201,
    )
    org = organisation.code
    staff = {
        "gen_coordinator": ["care_coordinator"],
        "gen_commissioner": ["commissioner"],
        "gen_finance": ["finance"],
        "gen_broker": ["broker"],
    }
    for username, roles in staff.items():
        member = _call(
            "v1_orgs_members_create",
            superuser,
            org,
            body=_model("MemberRequest").from_dict(
                {
                    "username": username,
                    "email": f"{username}@example.nhs.uk",
                    "password": PASSWORD,
                    "roles": roles,
                }
            ),
            expect=201,
        )
        assert sorted(member.roles) == roles
    coordinator, commissioner, finance, broker = (_signed_in(package, base, name) for name in staff)

    policy = _call(
        "v1_orgs_approval_policy_update",
        commissioner,
        org,
        body=_model("ApprovalPolicyWriteRequest").from_dict(
            {
                "tiers": [
                    {
                        "up_to": None,
                        "basis": "total",
                        "signoffs": [{"role": "commissioner", "count": 1}],
                        "submitter_may_sign": False,
                    }
                ]
            }
        ),
        expect=200,
    )
    assert len(policy.tiers) == 1

    person = _call(
        "v1_orgs_people_create",
        coordinator,
        org,
        body=_model("PersonRequest").from_dict(
            {
                "nhs_number": NHS_NUMBER,
                "given_name": "Ada",
                "family_name": "Generated",
                "date_of_birth": "1970-05-14",
                "gender": "2",
                "ethnicity": "A",
                "cohorts": ["mental_health"],
            }
        ),
        expect=201,
    )
    today = date.today()
    plan = _call(
        "v1_orgs_plans_create",
        coordinator,
        org,
        body=_model("PlanInputRequest").from_dict(
            {
                "person": person.id,
                "start_date": today.isoformat(),
                "end_date": today.replace(year=today.year + 1).isoformat(),
                "management": "direct_payment",
                "goals": [{"description": "Get back to swimming twice a week"}],
                "items": [
                    {
                        "description": "Swimming lessons",
                        "category": "fitness_exercise",
                        "amount": "120.00",
                        "frequency": "one_off",
                    }
                ],
            }
        ),
        expect=201,
    )
    assert plan.status == "draft"
    assert plan.costs.total == "120.00"

    submitted = _call("v1_orgs_plans_submit_create", coordinator, org, plan.id, expect=200)
    assert submitted.status == "submitted"
    waiting = _call(
        "v1_orgs_approvals_list",
        commissioner,
        org,
        status=_model("V1OrgsApprovalsListStatus")("pending"),
        mine=True,
        expect=200,
    )
    assert [request.id for request in waiting.results] == [submitted.approval.id]
    decided = _call(
        "v1_orgs_approvals_decisions_create",
        commissioner,
        org,
        submitted.approval.id,
        body=_model("DecisionWriteRequest").from_dict(
            {"decision": "approve", "role": "commissioner", "comment": "Agreed at panel"}
        ),
        expect=201,
    )
    assert decided.status == "approved"

    _call(
        "v1_orgs_plans_account_release_create",
        finance,
        org,
        plan.id,
        body=_model("ReleaseRequest").from_dict({"amount": "120.00", "released_on": today.isoformat()}),
        expect=201,
    )
    payment = _call(
        "v1_orgs_plans_payments_create",
        broker,
        org,
        plan.id,
        body=_model("PaymentRequest").from_dict(
            {
                "amount": "120.00",
                "paid_on": today.isoformat(),
                "method": "bank_transfer",
                "payee": "Leisure centre",
                "reference": "SWIM-1",
            }
        ),
        idempotency_key="generated-client-payment-1",
        expect=201,
    )
    assert payment.amount == "120.00"
    account = _call("v1_orgs_plans_account_retrieve", finance, org, plan.id, expect=200)
    assert (account.approved, account.paid, account.balance) == ("120.00", "120.00", "0.00")

    booked = _call(
        "v1_orgs_plans_reviews_create",
        coordinator,
        org,
        plan.id,
        body=_model("ReviewRequestRequest").from_dict({"kind": "on_request", "due_on": today.isoformat()}),
        expect=201,
    )
    completed = _call(
        "v1_orgs_reviews_complete_create",
        coordinator,
        org,
        booked.id,
        body=_model("ReviewCompleteRequest").from_dict(
            {
                "held_on": today.isoformat(),
                "measures": [{"instrument": "SWEMWBS", "score": "24"}],
                "goals": [],
                "decision": "continue",
                "notes": "Going well",
            }
        ),
        expect=200,
    )
    assert completed.status == "completed"
    listed = _call("v1_orgs_plans_reviews_list", coordinator, org, plan.id, expect=200)
    assert booked.id in [review.id for review in listed.results]

    dashboard = _call("v1_orgs_dashboard_retrieve", commissioner, org, expect=200)
    assert dashboard.in_place == 1
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    phb_return = _call("v1_orgs_returns_phb_retrieve", commissioner, org, quarter=quarter, expect=200)
    assert phb_return.to_dict()["total"] == 1


def test_an_error_answer_parses_into_the_shared_error_model(client_package, live_server):
    package, base = client_package, live_server.url
    get_user_model().objects.create_superuser("gen_superuser", "super@example.nhs.uk", PASSWORD)
    superuser = _signed_in(package, base, "gen_superuser")
    missing = _endpoint("v1_orgs_retrieve").sync_detailed("NOPE", client=superuser)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, _model("Error"))
    assert missing.parsed.detail
    invalid = _endpoint("v1_orgs_create").sync_detailed(
        client=superuser, body=_model("OrganisationRequest").from_dict({"code": "", "name": "", "region": ""})
    )
    assert invalid.status_code == 400
    assert isinstance(invalid.parsed, _model("FieldErrors"))
    assert "code" in invalid.parsed.to_dict()
