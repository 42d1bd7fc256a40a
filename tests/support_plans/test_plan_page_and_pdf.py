"""The plan page offers "Sign now" to a submitter the tier lets sign, shows item dates, and the PDF
answers clients that ask for application/pdf and says plainly when a plan is not approved yet."""

import io
from datetime import date

import pytest
from django.test import Client
from pypdf import PdfReader

from approvals.services import approval_request_open
from phb.constants import Role
from tests.conftest import api_client_for
from tests.factories import member
from tests.factories.approvals import submitted_plan
from tests.factories.support_plans import PlanFactory

pytestmark = pytest.mark.django_db


def page(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def first_page_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_submitter_whom_the_tier_lets_sign_sees_sign_now_linking_to_the_decision(org, coordinator, policy):
    plan = submitted_plan(org, total="200.00", care_coordinator=coordinator)
    request = approval_request_open(actor=coordinator, plan=plan)
    text = page(coordinator, f"/o/07T/plans/{plan.pk}/")
    assert "Sign now" in text
    assert f'href="/o/07T/approvals/{request.pk}/"' in text


def test_submitter_the_tier_does_not_let_sign_sees_no_sign_now(org, policy):
    # Above £750 a panel signs, and the person who submitted may not fill one of its places.
    submitter = member(org, Role.CARE_COORDINATOR, Role.COMMISSIONER, username="submitter")
    plan = submitted_plan(org, total="900.00", care_coordinator=submitter)
    approval_request_open(actor=submitter, plan=plan)
    assert "Sign now" not in page(submitter, f"/o/07T/plans/{plan.pk}/")
    commissioner = member(org, Role.COMMISSIONER, username="panel_commissioner")
    assert "Sign now" in page(commissioner, f"/o/07T/plans/{plan.pk}/")


def test_plan_page_shows_each_items_own_dates(org, coordinator):
    plan = PlanFactory(
        organisation=org,
        items=[
            {
                "description": "Swimming lessons",
                "amount": "25.00",
                "frequency": "weekly",
                "start_date": date(2026, 3, 2),
                "end_date": date(2026, 6, 28),
            }
        ],
    )
    text = page(coordinator, f"/o/07T/plans/{plan.pk}/")
    assert "2 Mar 2026 to 28 Jun 2026" in text


def test_pdf_answers_a_client_that_asks_for_application_pdf(org, coordinator):
    plan = PlanFactory(organisation=org)
    response = api_client_for(coordinator).get(
        f"/api/v1/orgs/07T/plans/{plan.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_pdf_asked_for_as_pdf_of_another_organisation_is_a_404_in_json(org, other_org, coordinator):
    plan = PlanFactory(organisation=other_org)
    response = api_client_for(coordinator).get(
        f"/api/v1/orgs/07T/plans/{plan.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_pdf_of_a_draft_says_so_on_its_first_page(org, coordinator):
    pdf = (
        api_client_for(coordinator)
        .get(f"/api/v1/orgs/07T/plans/{PlanFactory(organisation=org).pk}/pdf/")
        .content
    )
    text = first_page_text(pdf)
    assert "This is a draft plan." in text
    assert "Your budget for the whole plan is" not in text


def test_pdf_of_a_plan_waiting_for_sign_off_says_so_on_its_first_page(org, coordinator):
    plan = submitted_plan(org, total="200.00")
    text = first_page_text(api_client_for(coordinator).get(f"/api/v1/orgs/07T/plans/{plan.pk}/pdf/").content)
    assert "This plan is waiting for sign-off." in text


def test_costs_panel_after_a_validation_error_shows_what_was_typed(org, coordinator):
    from tests.factories import PersonFactory

    person = PersonFactory(organisation=org)
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        "/o/07T/plans/new/",
        {
            "person": person.pk,
            "start_date": "2026-01-05",
            "end_date": "2026-12-31",
            # no way of managing the budget chosen: the form is refused
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-description": "Swimming pass",
            "items-0-category": "fitness_exercise",
            "items-0-amount": "200.00",
            "items-0-frequency": "one_off",
            "risks-TOTAL_FORMS": "0",
            "risks-INITIAL_FORMS": "0",
        },
    )
    text = response.content.decode()
    assert "Select how the budget is managed" in text
    assert 'id="cost-total">£200.00<' in text
    assert "Enter the plan's start and end dates" not in text
    assert 'value="2026-01-05"' in text  # the date picker shows what was typed
