"""Support plan pages: the editor, live costs, the plan page and its actions, the directories."""

from decimal import Decimal

import pytest
from django.test import Client

from phb.constants import Role
from support_plans.models import Budget, Supplier, SupportPlan
from tests.factories import (
    ActivePlanFactory,
    FastTrackOfferFactory,
    PlanFactory,
    SubmittedPlanFactory,
    SupplierFactory,
    member,
)

pytestmark = pytest.mark.django_db

BASE = "/o/07T"


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def editor_data(person=None, **overrides):
    data = {
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "management": "direct_payment",
        "funded_nhs": "on",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-0-description": "I want to get back to swimming twice a week",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Swimming pass",
        "items-0-category": "fitness_exercise",
        "items-0-amount": "120.00",
        "items-0-frequency": "one_off",
        "items-1-description": "",
        "items-1-amount": "",
        "risks-TOTAL_FORMS": "0",
        "risks-INITIAL_FORMS": "0",
    }
    if person is not None:
        data["person"] = str(person.pk)
    data.update(overrides)
    return data


def test_editor_saves_a_new_draft_plan(coordinator, person):
    response = browser(coordinator).post(f"{BASE}/plans/new/", editor_data(person))
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/plans/{plan.pk}/")
    assert plan.cost_total == Decimal("120.00")
    assert list(plan.goals.values_list("description", flat=True)) == [
        "I want to get back to swimming twice a week"
    ]
    assert plan.items.count() == 1  # the empty row is not kept


def test_editor_keeps_what_was_typed_when_an_amount_is_wrong(coordinator, person):
    response = browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, **{"items-0-amount": "1.234"})
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "I want to get back to swimming twice a week" in content
    assert 'value="1.234"' in content
    assert not Budget.objects.exists()


def test_editor_refuses_end_before_start(coordinator, person):
    response = browser(coordinator).post(f"{BASE}/plans/new/", editor_data(person, end_date="2025-01-01"))
    assert response.status_code == 200
    assert "The plan must end on or after the day it starts" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_editor_preselects_the_person_and_offers_only_this_organisations_people(
    coordinator, person, other_org
):
    from tests.factories import PersonFactory

    PersonFactory(organisation=other_org, family_name="Zqxforeign")
    content = browser(coordinator).get(f"{BASE}/plans/new/?person={person.pk}").content.decode()
    assert f'name="person" type="radio" value="{person.pk}" checked' in content
    assert "Zqxforeign" not in content


def test_editor_is_not_for_finance(org, person):
    finance = member(org, Role.FINANCE)
    assert browser(finance).get(f"{BASE}/plans/new/").status_code == 403


def test_edit_a_draft_replaces_its_items(coordinator, org):
    plan = PlanFactory(organisation=org, person__organisation=org)
    client = browser(coordinator)
    assert client.get(f"{BASE}/plans/{plan.pk}/edit/").status_code == 200
    response = client.post(f"{BASE}/plans/{plan.pk}/edit/", editor_data(**{"items-0-amount": "99.50"}))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.cost_total == Decimal("99.50")


def test_edit_of_a_submitted_plan_says_why_not(coordinator, org):
    plan = SubmittedPlanFactory(organisation=org)
    response = browser(coordinator).get(f"{BASE}/plans/{plan.pk}/edit/", follow=True)
    assert "cannot be changed" in response.content.decode()


def test_costs_preview_recomputes_as_items_change(coordinator):
    data = editor_data(
        **{
            "items-1-description": "PA",
            "items-1-category": "personal_assistant",
            "items-1-amount": "100.00",
            "items-1-frequency": "weekly",
        }
    )
    response = browser(coordinator).post(f"{BASE}/plans/costs-preview/", data)
    content = response.content.decode()
    # 120 one-off + 100 x 53 Thursdays; weekly 100 + 120 / (365 / 7)
    assert "£5,420.00" in content
    assert "£102.30" in content


def test_costs_preview_shows_the_tier_needed_once_a_policy_exists(coordinator, policy):
    data = editor_data(**{"items-0-amount": "600.00"})
    content = browser(coordinator).post(f"{BASE}/plans/costs-preview/", data).content.decode()
    assert "Tier 2" in content and "team lead" in content


def test_costs_preview_without_a_policy_says_so(coordinator):
    content = browser(coordinator).post(f"{BASE}/plans/costs-preview/", editor_data()).content.decode()
    assert "No approval policy is in force yet" in content


def test_plan_page_shows_only_the_allowed_actions(coordinator, org):
    draft = PlanFactory(organisation=org)
    content = browser(coordinator).get(f"{BASE}/plans/{draft.pk}/").content.decode()
    assert "Submit for sign-off" in content and "Edit plan" in content
    assert "Revise plan" not in content and "Close the budget" not in content
    active = ActivePlanFactory(organisation=org)
    content = browser(coordinator).get(f"{BASE}/plans/{active.pk}/").content.decode()
    assert "Revise plan" in content and "Close the budget" in content
    assert "Submit for sign-off" not in content


def test_submit_from_the_plan_page(coordinator, org, policy):
    plan = PlanFactory(organisation=org)
    response = browser(coordinator).post(f"{BASE}/plans/{plan.pk}/submit/", follow=True)
    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert "Submitted for approval" in response.content.decode()


def test_submit_twice_shows_a_clear_message(coordinator, org, policy):
    plan = SubmittedPlanFactory(organisation=org)
    response = browser(coordinator).post(f"{BASE}/plans/{plan.pk}/submit/", follow=True)
    assert "cannot be submitted" in response.content.decode()


def test_close_from_the_plan_page_needs_a_reason(coordinator, org):
    plan = ActivePlanFactory(organisation=org)
    client = browser(coordinator)
    response = client.post(
        f"{BASE}/plans/{plan.pk}/close/", {"reason": "", "closed_on": "2026-06-01"}, follow=True
    )
    assert "Reason for closing" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "active"
    client.post(f"{BASE}/plans/{plan.pk}/close/", {"reason": "moved", "closed_on": "2026-06-01"})
    plan.refresh_from_db()
    assert plan.status == "closed"


def test_revise_from_the_plan_page_opens_the_new_draft(coordinator, org):
    plan = ActivePlanFactory(organisation=org)
    response = browser(coordinator).post(f"{BASE}/plans/{plan.pk}/revise/")
    revision = SupportPlan.objects.get(budget=plan.budget, version=2)
    assert response["Location"].endswith(f"/plans/{revision.pk}/edit/")


def test_fast_track_offer_from_the_plan_page(coordinator, org):
    offer = FastTrackOfferFactory(organisation=org)
    plan = PlanFactory(organisation=org)
    browser(coordinator).post(f"{BASE}/plans/{plan.pk}/fast-track/", {"offer": offer.pk})
    plan.refresh_from_db()
    assert plan.cost_total == Decimal("450.00")


def test_pdf_from_the_plan_page(coordinator, org):
    plan = PlanFactory(organisation=org)
    response = browser(coordinator).get(f"{BASE}/plans/{plan.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_another_organisations_plan_page_is_404(outsider, org):
    plan = PlanFactory(organisation=org)
    client = browser(outsider)
    assert client.get(f"/o/15E/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/o/15E/plans/{plan.pk}/submit/").status_code == 404


def test_supplier_search_fragment(coordinator, org):
    SupplierFactory(organisation=org, name="Hackney Swim Club", service="Swimming lessons")
    SupplierFactory(organisation=org, name="Art Shed", service="Art supplies")
    content = browser(coordinator).get(f"{BASE}/suppliers/search/?supplier_q=swim").content.decode()
    assert "Hackney Swim Club" in content and "Art Shed" not in content
    assert "data-fill-item" in content


def test_supplier_directory_adds_a_supplier(coordinator, org):
    response = browser(coordinator).post(
        f"{BASE}/suppliers/", {"name": "Calm Minds", "service": "Counselling", "category": "therapies"}
    )
    assert response.status_code == 302
    assert Supplier.objects.filter(organisation=org, name="Calm Minds").exists()


def test_fast_track_offers_page_lets_only_commissioners_add(coordinator, commissioner):
    offer = {
        "name": "Phone",
        "description": "Phone and SIM",
        "category": "connectivity",
        "amount": "250.00",
        "frequency": "one_off",
    }
    assert browser(coordinator).post(f"{BASE}/fast-track/", offer).status_code == 403
    assert browser(commissioner).post(f"{BASE}/fast-track/", offer).status_code == 302


def test_person_page_lists_budgets_and_links_to_write_a_plan(coordinator, org, person):
    plan = PlanFactory(organisation=org, person=person)
    content = browser(coordinator).get(f"{BASE}/people/{person.pk}/").content.decode()
    assert f"/o/07T/plans/{plan.pk}/" in content
    assert "Write a support plan" in content


def test_plan_list_filters_by_status(coordinator, org):
    PlanFactory(organisation=org, person__family_name="Draftperson")
    SubmittedPlanFactory(organisation=org, person__family_name="Submittedperson")
    content = browser(coordinator).get(f"{BASE}/plans/?status=submitted").content.decode()
    assert "Submittedperson" in content and "Draftperson" not in content


def test_editor_takes_funding_amounts_that_add_up_to_the_total(coordinator, person):
    response = browser(coordinator).post(
        f"{BASE}/plans/new/", editor_data(person, funding_nhs="100.00", funding_social_care="20.00")
    )
    assert response.status_code == 302
    plan = SupportPlan.objects.get()
    assert (plan.funding_nhs, plan.funding_social_care, plan.funding_education) == (
        Decimal("100.00"),
        Decimal("20.00"),
        None,
    )
    assert (plan.funded_nhs, plan.funded_social_care, plan.funded_education) == (True, True, False)


def test_editor_refuses_a_funding_split_that_does_not_add_up(coordinator, person):
    page = browser(coordinator).get(f"{BASE}/plans/new/").content.decode()
    assert "Social care (£)" in page and "NHS contributes" not in page

    response = browser(coordinator).post(f"{BASE}/plans/new/", editor_data(person, funding_nhs="16.00"))

    assert response.status_code == 200
    assert "The funding split adds up to £16.00 but the plan costs £120.00" in response.content.decode()
    assert not Budget.objects.exists()
