"""The provider's API (API.md "People who hold budgets, and providers"): logins of a supplier, made by
the org admin; what organisations paid and owe that supplier, and nothing else."""

from decimal import Decimal

import pytest
from django.test import Client

from payments import services as payment_services
from payments.models import Instalment
from phb.constants import Role
from phb.services import USERNAME_TAKEN
from providers import selectors, services
from tests.factories import member
from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db
PAYMENTS, INSTALMENTS = "/api/v1/provider/payments/", "/api/v1/provider/instalments/"


def logins_url(supplier):
    return f"/api/v1/orgs/{supplier.organisation.code}/suppliers/{supplier.pk}/users/"


NEW_LOGIN = {"username": "leisure_accounts", "email": "accounts@leisure.example", "password": PASSWORD}


# --- The org admin gives a supplier a login


def test_org_admin_creates_a_login_that_signs_in_and_sees_the_suppliers_payments(api, world, org_admin):
    supplier = world["leisure_here"]
    response = api(org_admin).post(logins_url(supplier), NEW_LOGIN, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "leisure_accounts"
    assert "password" not in response.json()
    token = api(None).post("/api/v1/auth/token/", {"username": "leisure_accounts", "password": PASSWORD})
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    references = [line["reference"] for line in client.get(PAYMENTS).json()["results"]]
    assert references == ["BLC-0001"]


def test_the_login_is_a_guardian_grant_on_that_supplier_object(api, world, org_admin):
    api(org_admin).post(logins_url(world["leisure_here"]), NEW_LOGIN, format="json")
    user = selectors.logins_of(world["leisure_here"]).get(username="leisure_accounts")
    assert user.has_perm("support_plans.act_as_provider", world["leisure_here"])
    assert not user.has_perm("support_plans.act_as_provider", world["leisure_there"])
    assert not user.has_perm("support_plans.act_as_provider")  # no global grant


def test_org_admin_lists_the_suppliers_logins(api, world, org_admin):
    response = api(org_admin).get(logins_url(world["leisure_here"]))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and [u["username"] for u in body["results"]] == ["provider"]


def test_creating_a_login_needs_credentials(api, world):
    assert api(None).post(logins_url(world["leisure_here"]), NEW_LOGIN, format="json").status_code == 401


def test_only_an_org_admin_creates_a_login(api, world, coordinator):
    response = api(coordinator).post(logins_url(world["leisure_here"]), NEW_LOGIN, format="json")
    assert response.status_code == 403
    assert not selectors.logins_of(world["leisure_here"]).filter(username="leisure_accounts").exists()


def test_another_organisations_supplier_is_404_under_your_own_code(api, world, org_admin):
    foreign = world["leisure_there"]
    url = f"/api/v1/orgs/07T/suppliers/{foreign.pk}/users/"
    assert api(org_admin).post(url, NEW_LOGIN, format="json").status_code == 404
    assert api(org_admin).get(url).status_code == 404
    assert api(org_admin).get(logins_url(foreign)).status_code == 404


def test_a_taken_username_is_409_and_reveals_nothing(api, world, org_admin):
    response = api(org_admin).post(logins_url(world["leisure_here"]), {**NEW_LOGIN, "username": "broker"})
    assert response.status_code == 409
    assert response.json()["detail"] == USERNAME_TAKEN
    assert not world["broker"].has_perm("support_plans.act_as_provider", world["leisure_here"])


def test_a_weak_password_or_no_username_is_400(api, world, org_admin):
    weak = api(org_admin).post(logins_url(world["leisure_here"]), {**NEW_LOGIN, "password": "password"})
    assert weak.status_code == 400 and "password" in weak.json()
    missing = api(org_admin).post(logins_url(world["leisure_here"]), {"password": PASSWORD})
    assert missing.status_code == 400 and "username" in missing.json()


def test_a_staff_account_is_never_granted_a_supplier(world):
    with pytest.raises(services.Conflict):
        services.provider_grant(actor=None, supplier=world["leisure_here"], user=world["broker"])


# --- What the provider sees


def test_payments_across_the_organisations_that_pay_the_supplier(api, world):
    response = api(world["provider"]).get(PAYMENTS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 2
    newest, older = body["results"]
    assert newest["organisation"] == {"code": "15E", "name": "NHS Birmingham and Solihull"}
    assert newest["amount"] == "55.00" and newest["reference"] == "BLC-0002"
    assert older["organisation"]["code"] == "07T" and older["amount"] == "40.00"
    assert older["plan_reference"] == f"07T-PHB-{world['here'].budget_id}"
    assert older["supplier"]["name"] == "Better Leisure Centre" and older["kind"] == "payment"
    assert Decimal(older["amount"]) == world["paid_here"].amount


def test_the_provider_never_sees_another_suppliers_payments(api, world):
    text = api(world["provider"]).get(PAYMENTS).content.decode()
    assert "CYC-SECRET" not in text
    cycles = api(world["cycles_provider"]).get(PAYMENTS).json()
    assert [line["reference"] for line in cycles["results"]] == ["CYC-SECRET"]


def test_nothing_names_the_person(api, world, person):
    plans = (world["here"], world["there"])
    identifiers = [p.person.nhs_number for p in plans] + [p.person.date_of_birth.isoformat() for p in plans]
    identifiers += [p.person.family_name for p in plans]
    for url in (PAYMENTS, INSTALMENTS + "?status=all"):
        text = api(world["provider"]).get(url).content.decode()
        assert [marker for marker in identifiers if marker in text] == []


def test_payments_filter_by_organisation_supplier_and_period(api, world):
    client = api(world["provider"])
    assert [r["reference"] for r in client.get(PAYMENTS + "?organisation=07T").json()["results"]] == [
        "BLC-0001"
    ]
    there = world["leisure_there"].pk
    assert [r["reference"] for r in client.get(f"{PAYMENTS}?supplier={there}").json()["results"]] == [
        "BLC-0002"
    ]
    paid_on = world["paid_here"].entry_date.isoformat()
    by_day = client.get(f"{PAYMENTS}?from={paid_on}&to={paid_on}").json()["results"]
    assert [r["reference"] for r in by_day] == ["BLC-0001"]
    # Another supplier's id or organisation answers an empty list, not its payments.
    assert client.get(f"{PAYMENTS}?supplier={world['cycles'].pk}").json()["count"] == 0


def test_bad_filters_are_400(api, world):
    client = api(world["provider"])
    assert client.get(PAYMENTS + "?from=yesterday").status_code == 400
    assert client.get(PAYMENTS + "?supplier=abc").status_code == 400
    assert client.get(INSTALMENTS + "?status=owing").status_code == 400
    assert client.get(PAYMENTS + "?page_size=0").status_code == 400


def test_a_correction_of_a_payment_shows_as_a_negative_line(api, world):
    payment_services.correction_record(
        actor=None, entry=world["paid_here"], amount=Decimal("40.00"), reason="Paid twice by mistake"
    )
    lines = api(world["provider"]).get(PAYMENTS + "?organisation=07T").json()["results"]
    correction = lines[0]
    assert correction["kind"] == "correction" and correction["amount"] == "-40.00"
    assert correction["reverses"] == world["paid_here"].pk and correction["reference"] == "BLC-0001"


def test_instalments_due_on_the_suppliers_items(api, world):
    body = api(world["provider"]).get(INSTALMENTS).json()
    expected = Instalment.objects.filter(
        item__supplier__in=[world["leisure_here"], world["leisure_there"]], status="due"
    )
    assert body["count"] == expected.count() > 0
    assert {line["organisation"]["code"] for line in body["results"]} == {"07T", "15E"}
    assert all(line["status"] in ("due", "overdue") for line in body["results"])
    dates = [line["due_on"] for line in body["results"]]
    assert dates == sorted(dates)
    # The bicycle's one instalment (another supplier's) is not among them, whatever the status.
    every = api(world["provider"]).get(INSTALMENTS + "?status=all&page_size=200").json()["results"]
    assert world["bikes"].budget_id not in {int(line["plan_reference"].rsplit("-", 1)[1]) for line in every}


def test_instalments_paid_are_those_the_payments_settled(api, world):
    paid = api(world["provider"]).get(INSTALMENTS + "?status=paid").json()["results"]
    assert sorted(line["amount"] for line in paid) == ["40.00", "55.00"]


def test_pagination_is_the_apis(api, world):
    body = api(world["provider"]).get(PAYMENTS + "?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"] and body["previous"] is None


def test_a_removed_grant_takes_the_suppliers_payments_away(api, world):
    services.provider_revoke(actor=None, supplier=world["leisure_there"], user=world["provider"])
    references = [r["reference"] for r in api(world["provider"]).get(PAYMENTS).json()["results"]]
    assert references == ["BLC-0001"]


# --- Who may use the provider's API, and what a provider may not


def test_provider_endpoints_need_credentials(api, world):
    assert api(None).get(PAYMENTS).status_code == 401
    assert api(None).get(INSTALMENTS).status_code == 401


def test_provider_endpoints_are_404_for_staff(api, world, org_admin):
    for user in (
        org_admin,
        world["broker"],
        member(world["here"].organisation, *Role.values, username="all"),
    ):
        assert api(user).get(PAYMENTS).status_code == 404
        assert api(user).get(INSTALMENTS).status_code == 404


def test_a_provider_gets_404_from_every_orgs_endpoint(api, world):
    client = api(world["provider"])
    for url in (
        "/api/v1/orgs/",
        "/api/v1/orgs/07T/",
        "/api/v1/orgs/07T/payments/",
        "/api/v1/orgs/07T/suppliers/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/api/v1/orgs/", {"code": "X1", "name": "X"}).status_code == 404
    assert client.get(logins_url(world["leisure_here"])).status_code == 404


def test_a_provider_signs_in_to_its_own_pages(world):
    client = Client()
    client.force_login(world["provider"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/provider/"
