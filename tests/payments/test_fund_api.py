"""The funds API (API.md "Money"): POST/GET /orgs/{org}/funds/, a fund's figures, top-ups, reductions."""

from decimal import Decimal

import pytest

from payments.models import Fund, FundEntry
from phb.constants import Role
from tests.conftest import api_client_for
from tests.factories import SupplierFactory, approve, fund_for, member, plan_at_last_signoff, this_year

pytestmark = pytest.mark.django_db
CONTRACT = {"id", "name", "financial_year", "amount", "committed", "released", "paid", "remaining"}


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def commissioner(org):
    return member(org, Role.COMMISSIONER, username="commissioner")


def url(org, *parts):
    return "/api/v1/orgs/" + org.code + "/funds/" + "".join(f"{p}/" for p in parts)


def test_commissioner_creates_a_fund_held_by_a_brokerage_partner(org, commissioner):
    partner = SupplierFactory(organisation=org, name="The Advocacy Project")
    response = api_client_for(commissioner).post(
        url(org),
        {
            "name": "Recovery budgets",
            "financial_year": "2026-27",
            "amount": "25000.00",
            "held_by": partner.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= CONTRACT
    assert body["amount"] == "25000.00" and body["committed"] == "0.00" and body["remaining"] == "25000.00"
    assert body["held_by"] == {"id": partner.pk, "name": str(partner)}


def test_finance_creates_a_fund_the_organisation_holds_itself(org, finance):
    response = api_client_for(finance).post(
        url(org), {"name": "PHB fund", "financial_year": "2026-27", "amount": "100.00"}, format="json"
    )
    assert response.status_code == 201 and response.json()["held_by"] is None


def test_a_fund_shows_what_approvals_committed_released_and_brokers_paid(org, finance):
    from django.utils import timezone

    from payments import services

    fund = fund_for(org, amount="1000.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    broker = member(org, Role.BROKER, username="broker")
    services.payment_record(
        actor=broker,
        plan=plan,
        amount=Decimal("120.00"),
        paid_on=timezone.localdate(),
        method="bank_transfer",
        payee="Swim England",
        reference="INV-1",
        idempotency_key="k1",
    )
    body = api_client_for(finance).get(url(org, fund.pk)).json()
    assert {k: body[k] for k in ("amount", "committed", "released", "paid", "remaining")} == {
        "amount": "1000.00",
        "committed": "300.00",
        "released": "300.00",
        "paid": "120.00",
        "remaining": "700.00",
    }
    assert body["weekly_commitment_to_year_end"] is not None and body["runs_out_on"] is not None
    account = api_client_for(finance).get(f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/").json()
    assert [e["fund"] for e in account["entries"] if e["kind"] == "release"] == [fund.pk]


def test_list_shows_the_organisations_funds_only(org, other_org, finance):
    mine = fund_for(org, name="Mine")
    fund_for(other_org, name="Theirs")
    body = api_client_for(finance).get(url(org)).json()
    assert body["count"] == 1 and [f["id"] for f in body["results"]] == [mine.pk]


def test_top_up_and_reduction_through_the_api(org, finance):
    fund = fund_for(org, amount="1000.00")
    client = api_client_for(finance)
    response = client.post(
        url(org, fund.pk, "entries"),
        {"kind": "top_up", "amount": "250.00", "reason": "Winter"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["version"] == 2
    response = client.post(
        url(org, fund.pk, "entries"), {"kind": "reduction", "amount": "50.00", "reason": "CHC"}, format="json"
    )
    assert response.status_code == 201
    assert client.get(url(org, fund.pk)).json()["amount"] == "1200.00"
    kinds = [e["kind"] for e in client.get(url(org, fund.pk, "entries")).json()["results"]]
    assert kinds == ["allocation", "top_up", "reduction"]


def test_a_reduction_below_committed_is_409(org, finance):
    fund = fund_for(org, amount="500.00")
    approve(plan_at_last_signoff(org, total="400.00"))
    response = api_client_for(finance).post(
        url(org, fund.pk, "entries"),
        {"kind": "reduction", "amount": "150.00", "reason": "Cut"},
        format="json",
    )
    assert response.status_code == 409 and "£100.00 can be taken out" in response.json()["detail"]


def test_closing_a_fund_then_changing_it_is_409(org, finance):
    fund = fund_for(org)
    client = api_client_for(finance)
    assert client.post(url(org, fund.pk, "close")).json()["status"] == "closed"
    response = client.post(
        url(org, fund.pk, "entries"), {"kind": "top_up", "amount": "5.00", "reason": "More"}, format="json"
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "F", "financial_year": "2026/27", "amount": "10.00"}, {"financial_year"}),
        ({"name": "F", "financial_year": "2026-27", "amount": "-1.00"}, {"amount"}),
        ({"name": "F", "financial_year": "2026-27", "amount": "1.001"}, {"amount"}),
        ({"financial_year": "2026-27", "amount": "10.00"}, {"name"}),
        ({"name": "F", "financial_year": "2026-27", "amount": "10.00", "held_by": 999999}, {"held_by"}),
        ({"name": "F", "financial_year": "2026-27", "amount": "10.00", "cohorts": ["nope"]}, {"cohorts"}),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(org, finance, body, fields):
    response = api_client_for(finance).post(url(org), body, format="json")
    assert response.status_code == 400
    assert fields <= set(response.json())
    assert not Fund.objects.exists() and not FundEntry.objects.exists()


def test_another_organisations_supplier_cannot_hold_the_fund(org, other_org, finance):
    foreign = SupplierFactory(organisation=other_org)
    response = api_client_for(finance).post(
        url(org),
        {"name": "F", "financial_year": "2026-27", "amount": "10.00", "held_by": foreign.pk},
        format="json",
    )
    assert response.status_code == 400 and "held_by" in response.json()


def test_the_same_name_twice_in_a_year_is_400(org, finance):
    fund_for(org, name="Recovery", year="2026-27")
    response = api_client_for(finance).post(
        url(org), {"name": "Recovery", "financial_year": "2026-27", "amount": "10.00"}, format="json"
    )
    assert response.status_code == 400 and "name" in response.json()


def test_without_credentials_401(org):
    assert api_client_for(None).get(url(org)).status_code == 401


@pytest.mark.parametrize("role", [Role.BROKER, Role.CARE_COORDINATOR, Role.ORG_ADMIN])
def test_roles_that_may_not_set_up_or_change_funds_get_403(org, role):
    user = member(org, role, username="someone")
    fund = fund_for(org)
    client = api_client_for(user)
    body = {"name": "F", "financial_year": this_year(), "amount": "10.00"}
    assert client.post(url(org), body, format="json").status_code == 403
    assert (
        client.post(
            url(org, fund.pk, "entries"), {"kind": "top_up", "amount": "1.00", "reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(url(org, fund.pk, "close")).status_code == 403


def test_care_coordinators_do_not_see_funds_brokers_do(org):
    fund = fund_for(org)
    assert api_client_for(member(org, Role.CARE_COORDINATOR, username="cc")).get(url(org)).status_code == 403
    broker = api_client_for(member(org, Role.BROKER, username="broker"))
    assert broker.get(url(org, fund.pk)).status_code == 200


def test_another_organisations_fund_is_404(org, other_org, finance):
    foreign = fund_for(other_org)
    client = api_client_for(finance)
    assert client.get(url(org, foreign.pk)).status_code == 404
    assert (
        client.post(
            url(org, foreign.pk, "entries"), {"kind": "top_up", "amount": "1.00", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(url(other_org)).status_code == 404


def test_a_waiting_plan_is_released_from_a_fund_through_the_api_once_there_is_room(org, finance):
    fund = fund_for(org, amount="100.00")
    plan = approve(plan_at_last_signoff(org, total="300.00"))
    path = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/release-from-fund/"
    client = api_client_for(finance)
    refused = client.post(path)
    assert refused.status_code == 409 and "no fund with room" in refused.json()["detail"]
    client.post(url(org, fund.pk, "entries"), {"kind": "top_up", "amount": "200.00", "reason": "More"})
    response = client.post(path)
    assert response.status_code == 201
    assert response.json()["fund"] == fund.pk and response.json()["amount"] == "300.00"
    assert client.post(path).status_code == 409  # already released
    broker = api_client_for(member(org, Role.BROKER, username="broker"))
    assert broker.post(path).status_code == 403
