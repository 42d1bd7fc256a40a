"""Reporting pages: the dashboard, the quarterly return page and download, the region page."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from phb.constants import Role
from reporting.models import QuarterlyReturn
from tests.factories import member

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_page_needs_sign_in(world):
    response = Client().get("/o/07T/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dashboard_page_is_refused_to_a_care_coordinator_and_a_region_viewer(world):
    assert client_for(member(world["org"], Role.CARE_COORDINATOR)).get("/o/07T/dashboard/").status_code == 403
    assert client_for(member(world["org"], Role.REGION_VIEWER)).get("/o/07T/dashboard/").status_code == 403


def test_dashboard_page_of_another_organisation_is_404(world, outsider):
    assert client_for(outsider).get("/o/07T/dashboard/").status_code == 404


def test_dashboard_page_shows_the_figures_for_the_date(world):
    response = client_for(world["commissioner"]).get("/o/07T/dashboard/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="in_place">5<' in html
    assert (
        'role="img"' in html
        and "Bar chart, PHBs in place by cohort: Adult NHS continuing healthcare 2" in html
    )
    assert world["people"]["cara"].full_name in html  # approved but not funded
    assert "£5,100.00" in html


def test_dashboard_page_with_a_bad_date_says_so_and_shows_today(world):
    response = client_for(world["commissioner"]).get(
        "/o/07T/dashboard/", {"as_of": "31/06/2024"}, follow=True
    )
    assert response.status_code == 200
    assert "enter a real date" in response.content.decode()


def test_returns_page_shows_the_return_without_keeping_it(world):
    response = client_for(world["commissioner"]).get("/o/07T/returns/", {"quarter": "2024Q2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2024Q2: quarter 1 of 2024-25" in html
    assert "Joint funded (NHS and social care)" in html
    assert not QuarterlyReturn.objects.exists()


def test_returns_page_refuses_a_finance_officer(world):
    assert client_for(member(world["org"], Role.FINANCE)).get("/o/07T/returns/").status_code == 403


def test_downloading_the_return_builds_it_into_the_history(world):
    client = client_for(world["commissioner"])
    response = client.get("/o/07T/returns/download/", {"quarter": "2024Q2", "file": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="phb-return-07T-2024Q2.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Markers of progress", "Breakdowns"]
    assert QuarterlyReturn.objects.filter(organisation=world["org"], quarter="2024Q2").count() == 1
    page = client.get("/o/07T/returns/").content.decode()
    assert "History of returns built" in page and "2024Q2" in page


def test_downloading_a_bad_quarter_goes_back_with_a_message(world):
    response = client_for(world["commissioner"]).get("/o/07T/returns/download/", {"quarter": "2024Q9"})
    assert response.status_code == 302 and response["Location"] == "/o/07T/returns/"


def test_region_page_for_a_region_viewer_shows_aggregates_only(world):
    viewer = member(world["org"], Role.REGION_VIEWER)
    response = client_for(viewer).get("/o/07T/region/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "PHBs in the London region" in html and "NHS North Central London" in html
    for person in world["people"].values():
        assert person.family_name + "," not in html and person.nhs_number not in html
        assert person.full_name not in html


def test_region_page_is_refused_to_a_commissioner(world):
    assert client_for(world["commissioner"]).get("/o/07T/region/").status_code == 403


def test_dashboard_page_shows_spend_by_funding_stream(world):
    html = (
        client_for(world["commissioner"])
        .get("/o/07T/dashboard/", {"as_of": AS_OF.isoformat()})
        .content.decode()
    )
    assert 'id="panel-funding-stream"' in html
    # NHS alone: Alice, Dev, Hal; NHS and social care ticked without amounts: Ben, Cara.
    assert "Bar chart, Spend by funding stream: NHS £2,100.00" in html
    assert "Several streams, amounts not given" in html and "£3,000.00" in html


def test_dashboard_page_lists_the_longest_waits_and_all_of_them_on_asking(world, monkeypatch):
    """Hundreds wait in a large organisation: the page lists the longest waits, the rest on asking
    (the API always answers them all)."""
    from reporting import views

    monkeypatch.setattr(views, "UNFUNDED_ROWS", 0)
    client = client_for(world["commissioner"])
    first = client.get("/o/07T/dashboard/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert world["people"]["cara"].full_name not in first
    assert "Show all 1</a>" in first and "unfunded=all" in first
    everyone = client.get(
        "/o/07T/dashboard/", {"as_of": AS_OF.isoformat(), "unfunded": "all"}
    ).content.decode()
    assert world["people"]["cara"].full_name in everyone
    assert "Show all" not in everyone
