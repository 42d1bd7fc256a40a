"""A commissioner sets the indicative budget questionnaire with its live preview; a care coordinator
answers it in the plan editor and is warned the plan is over; axe-clean at desktop and phone width."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from phb.constants import Role
from support_plans import allocation_services
from support_plans.models import AllocationQuestionnaire, SupportPlan
from tests.factories import OrganisationFactory, PersonFactory, member
from tests.factories.kernel import PASSWORD

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 375, "height": 812})]


def _page(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize("width,viewport", WIDTHS)
def test_commissioner_sets_the_questionnaire_and_the_coordinator_is_warned(
    browser, live_server, settings, width, viewport
):
    settings.AXES_ENABLED = False
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    member(hackney, Role.COMMISSIONER, username="cara")
    member(hackney, Role.CARE_COORDINATOR, username="chris")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")

    # The commissioner writes the questionnaire and watches the preview.
    context, page = _page(browser, live_server, viewport)
    sign_in(page, "cara", PASSWORD)
    page.goto("/o/07T/allocation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicative budget questionnaire")
    check_accessible(page, f"allocation-01-empty-{width}")
    page.get_by_label("Pounds per point (£)").fill("10.00")
    page.get_by_label("A year's budget").check()
    page.locator("#id_form-0-text").fill("Help with washing and dressing")
    page.locator("#id_form-0-answer_1_text").fill("None")
    page.locator("#id_form-0-answer_1_points").fill("0")
    page.locator("#id_form-0-answer_2_text").fill("Every day")
    page.locator("#id_form-0-answer_2_points").fill("40")
    expect(page.locator("#allocation-preview-result")).to_contain_text("from 0 to 40 points")
    expect(page.locator("#allocation-preview-result")).to_contain_text("£400.00")
    check_accessible(page, f"allocation-02-preview-{width}")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator("main")).to_contain_text("Allocation questionnaire version 1 is now in force")
    check_accessible(page, f"allocation-03-published-{width}")
    # A version scheduled for next month is taken back before it starts.
    allocation_services.questionnaire_publish(
        actor=None,
        organisation=hackney,
        questions=AllocationQuestionnaire.objects.get().questions,
        pounds_per_point=Decimal("12.00"),
        basis="annual",
        effective_on=date.today() + timedelta(days=30),
    )
    page.goto("/o/07T/allocation/")
    page.get_by_role("button", name="Withdraw version 2").click()
    expect(page.locator("main")).to_contain_text("Version 2 withdrawn: it will not come into force.")
    expect(page.get_by_role("button", name="Withdraw version 2")).to_have_count(0)
    check_accessible(page, f"allocation-03b-withdrawn-{width}")
    context.close()
    assert AllocationQuestionnaire.objects.get(version=1).questions[0]["answers"][1]["points"] == 40

    # The care coordinator answers it in the plan editor: £45 a week is far over £400 a year.
    context, page = _page(browser, live_server, viewport)
    sign_in(page, "chris", PASSWORD)
    page.goto(f"/o/07T/plans/new/?person={person.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a support plan", use_inner_text=True)
    page.get_by_label("Plan starts").fill("2026-01-01")
    page.get_by_label("Plan ends").fill("2026-12-31")
    page.get_by_label("Direct payment").check()
    page.locator("#id_goals-0-description").fill("I want to get back to swimming twice a week")
    page.locator("#id_items-0-description").fill("Personal assistant")
    page.locator("#id_items-0-category").select_option("personal_assistant")
    page.locator("#id_items-0-amount").fill("45.00")
    page.locator("#id_items-0-frequency").select_option("weekly")
    expect(page.locator("#cost-total")).to_have_text("£2,385.00")
    page.get_by_label("Help with washing and dressing").select_option("every_day")
    expect(page.locator("#indicative-amount")).to_have_text("£400.00 a year")
    expect(page.locator("#indicative-warning")).to_be_visible()
    expect(page.locator("#indicative-warning")).to_contain_text("more than its indicative budget of £401.10")
    check_accessible(page, f"allocation-04-editor-warning-{width}")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#plan-indicative-comparison")).to_contain_text("Over")
    check_accessible(page, f"allocation-05-plan-{width}")
    context.close()
    plan = SupportPlan.objects.get(person=person)
    assert plan.allocation_answers == {"help_with_washing_and_dressing": "every_day"}
    assert plan.allocation_points == 40
