"""Indicative budget pages: the questionnaire editor and preview, the plan editor's panel and warning,
the plan page, the approval request, the PDF, the dashboard and the margin setting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from approvals.models import ApprovalRequest
from phb.constants import Role
from support_plans import allocation_services, services
from support_plans.models import AllocationQuestionnaire, SupportPlan
from support_plans.pdf import plan_pdf_context
from tests.conftest import api_client_for
from tests.factories import PlanFactory, PlanItemFactory, member

from .test_allocation_api import QUESTIONS, publish
from .test_views import editor_data

pytestmark = pytest.mark.django_db

BASE = "/o/07T"


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def questionnaire_form(**overrides):
    data = {
        "pounds_per_point": "100.00",
        "basis": "annual",
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-text": "Help with washing and dressing",
        "form-0-code": "",
        "form-0-answer_1_text": "None",
        "form-0-answer_1_points": "0",
        "form-0-answer_2_text": "Every day",
        "form-0-answer_2_points": "40",
        "form-1-text": "",
    }
    data.update(overrides)
    return data


# --- The questionnaire editor


def test_a_commissioner_publishes_a_questionnaire_from_the_page(org, commissioner):
    response = browser(commissioner).post(f"{BASE}/allocation/", questionnaire_form())
    assert response.status_code == 302
    version = AllocationQuestionnaire.objects.get()
    assert version.questions == [
        {
            "code": "help_with_washing_and_dressing",
            "text": "Help with washing and dressing",
            "answers": [
                {"code": "none", "text": "None", "points": 0},
                {"code": "every_day", "text": "Every day", "points": 40},
            ],
        }
    ]
    page = browser(commissioner).get(f"{BASE}/allocation/").content.decode()
    assert "Version 1, in force since" in page and "Every day" in page


def test_the_editor_shows_every_problem_and_keeps_what_was_typed(org, commissioner):
    response = browser(commissioner).post(
        f"{BASE}/allocation/",
        questionnaire_form(**{"form-0-answer_2_text": "None"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Two answers of this question have the code none" in page
    assert 'value="Help with washing and dressing"' in page
    assert not AllocationQuestionnaire.objects.exists()


def test_a_care_coordinator_reads_the_questionnaire_but_cannot_publish(org, coordinator):
    publish(org)
    assert "Support from family" in browser(coordinator).get(f"{BASE}/allocation/").content.decode()
    assert browser(coordinator).post(f"{BASE}/allocation/", questionnaire_form()).status_code == 403
    assert AllocationQuestionnaire.objects.count() == 1


def test_the_live_preview_shows_what_the_draft_gives(org, commissioner):
    response = browser(commissioner).post(f"{BASE}/allocation/preview/", questionnaire_form(points="10"))
    page = response.content.decode()
    assert "from 0 to 40 points" in page and "£4,000.00" in page
    assert "10 points give £1,000.00 a year" in page
    assert "Under the questionnaire being edited" in page


# --- The plan editor


def answers(**given):
    return {f"allocation-{code}": answer for code, answer in given.items()}


def test_the_editor_asks_the_questionnaire_when_there_is_one(org, coordinator, person):
    publish(org)
    page = browser(coordinator).get(f"{BASE}/plans/new/?person={person.pk}").content.decode()
    assert "Indicative budget (optional)" in page and "Support from family" in page
    assert "Every day (40 points)" in page


def test_the_costs_panel_warns_when_the_plan_is_over_by_more_than_the_margin(org, coordinator, person):
    publish(org, pounds_per_point="1.00")  # 65 points: £65 a year, £65.18 over the plan's 365 days
    data = editor_data(person, **answers(daily_living="daily", carers="none"))
    page = browser(coordinator).post(f"{BASE}/plans/costs-preview/", data).content.decode()
    assert 'id="indicative-warning"' in page
    assert "Over the indicative budget" in page
    assert "more than its indicative budget of £65.18" in page


def test_the_costs_panel_says_within_when_under_the_margin(org, coordinator, person):
    publish(org)  # £6,500 a year against a £120 plan
    data = editor_data(person, **answers(daily_living="daily", carers="none"))
    page = browser(coordinator).post(f"{BASE}/plans/costs-preview/", data).content.decode()
    assert 'id="indicative-warning"' not in page
    assert "Within the indicative budget" in page and "£6,500.00 a year" in page


def test_the_costs_panel_asks_for_every_answer(org, coordinator, person):
    publish(org)
    data = editor_data(person, **answers(daily_living="daily", carers=""))
    page = browser(coordinator).post(f"{BASE}/plans/costs-preview/", data).content.decode()
    assert "Answer every question" in page and "1 not answered yet" in page


def test_the_editor_saves_the_answers_with_the_plan(org, coordinator, person):
    publish(org, pounds_per_point="1.00")
    data = editor_data(person, **answers(daily_living="daily", carers="none"))
    response = browser(coordinator).post(f"{BASE}/plans/new/", data)
    assert response.status_code == 302
    plan = SupportPlan.objects.get()
    assert plan.allocation_answers == {"daily_living": "daily", "carers": "none"}
    assert plan.allocation_points == 65
    page = browser(coordinator).get(response["Location"]).content.decode()
    assert 'id="plan-indicative"' in page and "<strong>Over</strong>" in page


def test_the_editor_refuses_half_answered_questions(org, coordinator, person):
    publish(org)
    data = editor_data(person, **answers(daily_living="daily", carers=""))
    response = browser(coordinator).post(f"{BASE}/plans/new/", data)
    assert response.status_code == 200
    assert "Answer every question of the indicative budget" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_skipping_the_questionnaire_saves_a_plan_without_a_budget(org, coordinator, person):
    publish(org)
    response = browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, **answers(daily_living="", carers=""))
    )
    assert response.status_code == 302
    assert SupportPlan.objects.get().indicative_budget is None


def test_editing_a_draft_shows_its_answers_and_warning(org, coordinator, person):
    version = publish(org, pounds_per_point="1.00")
    plan = PlanFactory(organisation=org, person=person, care_coordinator=coordinator)
    PlanItemFactory(plan=plan, organisation=org, amount=Decimal("500.00"), frequency="one_off")
    plan.allocation_questionnaire, plan.allocation_answers = (
        version,
        {"daily_living": "daily", "carers": "none"},
    )
    plan.save()
    services._store_costs(plan)
    page = browser(coordinator).get(f"{BASE}/plans/{plan.pk}/edit/").content.decode()
    assert 'value="daily" selected' in page
    assert 'id="indicative-warning"' in page


# --- The approval request, the PDF, the dashboard, the margin


def test_the_approval_request_shows_the_indicative_budget_and_over(
    org, coordinator, commissioner, person, policy
):
    publish(org, pounds_per_point="1.00")
    data = editor_data(person, **answers(daily_living="daily", carers="none"))
    browser(coordinator).post(f"{BASE}/plans/new/", data)
    plan = SupportPlan.objects.get()
    services.plan_submit(actor=coordinator, plan=plan)
    request = ApprovalRequest.objects.get()
    team_lead = member(org, Role.TEAM_LEAD, username="lead")
    page = browser(team_lead).get(f"/o/07T/approvals/{request.pk}/").content.decode()
    assert 'id="plan-indicative-comparison"' in page and "<strong>Over</strong>" in page


def test_the_pdf_says_whether_the_plan_is_over(org, coordinator, person):
    publish(org, pounds_per_point="1.00")
    browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, **answers(daily_living="daily", carers="none"))
    )
    context = plan_pdf_context(SupportPlan.objects.get())
    assert context["indicative"]["over"] is True
    html = render_to_string("support_plans/plan_pdf.html", context)
    assert "which is over the indicative budget" in html


def test_the_dashboard_compares_plans_with_their_indicative_budgets(org, coordinator, commissioner, person):
    publish(org, pounds_per_point="1.00")
    browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, **answers(daily_living="daily", carers="none"))
    )
    publish(org)
    browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, **answers(daily_living="daily", carers="none"))
    )
    browser(coordinator).post(f"{BASE}/plans/new/", editor_data(person))  # skipped: not counted
    page = browser(commissioner).get(f"{BASE}/dashboard/").content.decode()
    assert 'data-figure="indicative_over">1<' in page
    assert 'data-figure="indicative_within">1<' in page
    # (£120 - £65.18) + (£120 - £6,517.86): each budget over the plan's 365 days
    assert "-£6,343.04" in page
    api = api_client_for(commissioner).get(f"/api/v1/orgs/{org.code}/dashboard/").json()
    assert api["indicative"] == {
        "plans": 2,
        "over": 1,
        "within": 1,
        "total_difference": "-6343.04",
        "margin_percent": f"{org.indicative_margin_percent:.2f}",
    }


def test_a_scheduled_version_is_withdrawn_from_the_page(org, commissioner, coordinator):
    publish(org)
    publish(org, pounds_per_point="200.00", effective_on=timezone.localdate() + timedelta(days=30))
    page = browser(commissioner).get(f"{BASE}/allocation/").content.decode()
    assert f"{BASE}/allocation/scheduled/2/withdraw/" in page and "Scheduled" in page
    assert "/withdraw/" not in browser(coordinator).get(f"{BASE}/allocation/").content.decode()
    assert browser(coordinator).post(f"{BASE}/allocation/scheduled/2/withdraw/").status_code == 403

    response = browser(commissioner).post(f"{BASE}/allocation/scheduled/2/withdraw/", follow=True)

    page = response.content.decode()
    assert "Version 2 withdrawn: it will not come into force." in page
    assert "Withdrawn" in page and f"{BASE}/allocation/scheduled/2/withdraw/" not in page
    assert AllocationQuestionnaire.objects.get(version=2).withdrawn_at is not None


def test_the_margin_is_set_on_the_organisation_settings_page(org, org_admin):
    page = browser(org_admin).get(f"{BASE}/settings/").content.decode()
    assert "Indicative budget margin (%)" in page
    response = browser(org_admin).post(
        f"{BASE}/settings/",
        {
            "name": org.name,
            "region": org.region,
            "population": org.population,
            "ambition_target": org.ambition_target,
            "stale_approval_days": 5,
            "unfunded_after_days": 14,
            "indicative_margin_percent": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.indicative_margin_percent == Decimal("20.00")


def test_stored_versions_read_back_as_the_rule_checked_them(org):
    version = publish(org)
    assert [q.code for q in allocation_services.parsed(version).questions] == [q["code"] for q in QUESTIONS]
