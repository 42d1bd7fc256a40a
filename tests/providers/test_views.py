"""The provider's pages (/provider/) and the org admin's page of a supplier's logins."""

import csv
import io

import pytest
from django.test import Client

from providers import selectors
from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_payments_received_across_organisations_with_references(world):
    response = client_for(world["provider"]).get("/provider/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "BLC-0001" in text and "BLC-0002" in text
    assert "NHS Birmingham and Solihull" in text and f"07T-PHB-{world['here'].budget_id}" in text
    assert "CYC-SECRET" not in text
    assert world["here"].person.family_name not in text and world["here"].person.nhs_number not in text


def test_payments_filtered_by_organisation(world):
    text = client_for(world["provider"]).get("/provider/?organisation=15E").content.decode()
    assert "BLC-0002" in text and "BLC-0001" not in text


def test_payments_as_csv(world):
    response = client_for(world["provider"]).get("/provider/?organisation=07T&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["organisation_code"], r["reference"], r["amount"]) for r in rows] == [
        ("07T", "BLC-0001", "40.00")
    ]


def test_instalments_due_page_and_csv(world):
    client = client_for(world["provider"])
    text = client.get("/provider/instalments/").content.decode()
    assert "Instalments due" in text and f"15E-PHB-{world['there'].budget_id}" in text
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/provider/instalments/?status=paid&format=csv").content.decode())
        )
    )
    assert sorted(r["amount"] for r in rows) == ["40.00", "55.00"]
    assert {r["status"] for r in rows} == {"paid"}


def test_provider_pages_are_404_for_staff_and_ask_strangers_to_sign_in(world, org_admin):
    for url in ("/provider/", "/provider/instalments/"):
        assert client_for(org_admin).get(url).status_code == 404
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_pages_are_404_for_a_provider(world):
    client = client_for(world["provider"])
    for url in ("/o/07T/", "/o/07T/suppliers/", "/o/15E/payments/", "/organisations/new/"):
        assert client.get(url).status_code == 404, url


def test_org_admin_adds_a_login_on_the_suppliers_page(world, org_admin):
    supplier = world["leisure_here"]
    client = client_for(org_admin)
    edit = client.get(f"/o/07T/suppliers/{supplier.pk}/edit/").content.decode()
    assert f"/o/07T/suppliers/{supplier.pk}/users/" in edit
    page = client.get(f"/o/07T/suppliers/{supplier.pk}/users/")
    assert page.status_code == 200 and "provider" in page.content.decode()
    response = client.post(
        f"/o/07T/suppliers/{supplier.pk}/users/",
        {"username": "front_desk", "email": "desk@leisure.example", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert selectors.logins_of(supplier).filter(username="front_desk").exists()
    assert Client().login(username="front_desk", password=PASSWORD)


def test_a_taken_username_stays_on_the_form_with_the_message(world, org_admin):
    supplier = world["leisure_here"]
    response = client_for(org_admin).post(
        f"/o/07T/suppliers/{supplier.pk}/users/", {"username": "broker", "password": PASSWORD}
    )
    assert response.status_code == 200 and "That username is taken" in response.content.decode()


def test_org_admin_removes_a_login_from_the_supplier(world, org_admin):
    supplier = world["leisure_here"]
    response = client_for(org_admin).post(
        f"/o/07T/suppliers/{supplier.pk}/users/", {"remove": str(world["provider"].pk)}
    )
    assert response.status_code == 302
    assert not selectors.logins_of(supplier).exists()
    # Its grant on the other organisation's record of the business stays.
    assert selectors.logins_of(world["leisure_there"]).filter(pk=world["provider"].pk).exists()


def test_only_the_org_admin_opens_the_logins_page(world, coordinator):
    url = f"/o/07T/suppliers/{world['leisure_here'].pk}/users/"
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(coordinator).post(url, {"username": "x", "password": PASSWORD}).status_code == 403
