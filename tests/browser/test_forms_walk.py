"""Forms people can trust, in chromium at desktop and phone width: every edit flow shows what was
saved and keeps it on save; errors all at once in the error summary, which takes focus; a plan
written with the keyboard alone; tables and the costs panel that fit a 375 px screen."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals.models import ApprovalPolicy
from phb.constants import Role
from phb.models import Organisation, Person
from reviews.models import ReviewPolicy
from support_plans.models import SupportPlan
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, member
from tests.factories.kernel import PASSWORD
from tests.factories.support_plans import PlanFactory
from tests.support_plans.conftest import HACKNEY_TIERS

from .conftest import check_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture(params=sorted(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def sized(page, width):
    page.set_viewport_size(WIDTHS[width])
    return page


@pytest.fixture
def hackney(db):
    organisation = OrganisationFactory(
        code="07T", name="NHS City and Hackney", ambition_target=600, ambition_date=date(2027, 3, 31)
    )
    ApprovalPolicy.objects.create(
        organisation=organisation,
        version=1,
        effective_from=timezone.now() - timedelta(days=1),
        tiers=HACKNEY_TIERS,
    )
    ReviewPolicy.objects.create(organisation=organisation)
    return organisation


def no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def tab_to(page, text: str, most: int = 150) -> None:
    """Press Tab until the element with this text has focus, as a keyboard user would."""
    for _ in range(most):
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {text!r}")


def tab_to_id(page, element_id: str, most: int = 10) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def focused_is_error_summary(page) -> bool:
    return page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")


def test_editing_a_person_shows_and_keeps_their_date_of_birth(sized, width, hackney):
    member(hackney, Role.CARE_COORDINATOR, username="ruth")
    person = PersonFactory(
        organisation=hackney, given_name="Amara", family_name="Okafor", date_of_birth=date(1979, 5, 14)
    )
    sign_in(sized, "ruth", PASSWORD)
    sized.goto(f"/o/07T/people/{person.pk}/edit/")
    expect(sized.get_by_label("Day")).to_have_value("14")
    expect(sized.get_by_label("Month")).to_have_value("5")
    expect(sized.get_by_label("Year")).to_have_value("1979")
    check_accessible(sized, f"forms-01-person-edit-{width}")
    sized.get_by_label("Postcode (optional)").fill("E8 1DY")
    sized.get_by_role("button", name=re.compile("Save")).click()
    expect(sized.locator("main")).to_contain_text("Record updated.")
    person.refresh_from_db()
    assert (person.date_of_birth, person.postcode) == (date(1979, 5, 14), "E8 1DY")


def test_an_impossible_date_of_birth_is_refused_with_focus_on_the_summary(sized, width, hackney):
    member(hackney, Role.CARE_COORDINATOR, username="ruth")
    sign_in(sized, "ruth", PASSWORD)
    sized.goto("/o/07T/people/new/")
    sized.get_by_label("Given name").fill("Amara")
    sized.get_by_label("Day").fill("1")
    sized.get_by_label("Month").fill("1")
    sized.get_by_label("Year").fill("2999")
    sized.get_by_role("button", name=re.compile("Save|Create|Add")).click()
    summary = sized.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Date of birth must be between 1900 and 2100")
    expect(summary).to_contain_text("Enter the person's NHS number")
    expect(summary).to_contain_text("Enter the person's family name")
    assert focused_is_error_summary(sized)
    expect(sized.get_by_label("Year")).to_have_value("2999")
    check_accessible(sized, f"forms-02-person-errors-{width}")
    assert not Person.objects.exists()


def test_editing_a_draft_plan_keeps_its_agreement_and_item_dates(sized, width, hackney):
    member(hackney, Role.CARE_COORDINATOR, username="chris")
    plan = PlanFactory(
        organisation=hackney,
        agreed_on=date(2026, 11, 20),
        agreed_by="person",
        items=[
            {
                "description": "Swimming lessons",
                "amount": Decimal("25.00"),
                "frequency": "weekly",
                "start_date": date(2026, 3, 2),
                "end_date": date(2026, 6, 28),
            }
        ],
    )
    total_before = SupportPlan.objects.get(pk=plan.pk).cost_total
    sign_in(sized, "chris", PASSWORD)
    sized.goto(f"/o/07T/plans/{plan.pk}/edit/")
    expect(sized.get_by_label("Plan starts")).to_have_value("2026-01-05")
    expect(sized.locator("#id_items-0-start_date")).to_have_value("2026-03-02")
    expect(sized.locator("#id_agreed_on-day")).to_have_value("20")
    check_accessible(sized, f"forms-03-plan-edit-{width}")
    expect(sized.locator("#costs-panel")).to_be_visible()
    if width == "phone":
        sized.locator("#id_items-0-amount").scroll_into_view_if_needed()
        expect(sized.locator("#cost-total")).to_be_in_viewport()
    sized.get_by_role("button", name="Save draft").click()
    expect(sized.locator("main")).to_contain_text("Support plan saved.")
    expect(sized.locator("main")).to_contain_text("2 Mar 2026 to 28 Jun 2026")
    expect(sized.locator("main")).to_contain_text("20 November 2026")
    check_accessible(sized, f"forms-04-plan-page-{width}")
    saved = SupportPlan.objects.get(pk=plan.pk)
    assert saved.agreed_on == date(2026, 11, 20)
    assert saved.cost_total == total_before
    item = saved.items.get()
    assert (item.start_date, item.end_date) == (date(2026, 3, 2), date(2026, 6, 28))
    if width == "phone":
        no_horizontal_scroll(sized)


def test_saving_organisation_settings_keeps_the_ambition_date(sized, width, hackney):
    TeamFactory(organisation=hackney, name="Community mental health")
    member(hackney, Role.ORG_ADMIN, username="admin")
    sign_in(sized, "admin", PASSWORD)
    sized.goto("/o/07T/settings/")
    expect(sized.get_by_label(re.compile("Ambition date"))).to_have_value("2027-03-31")
    check_accessible(sized, f"forms-05-settings-{width}")
    sized.get_by_role("button", name=re.compile("Save")).click()
    expect(sized.locator("main")).to_contain_text("Organisation settings saved.")
    assert Organisation.objects.get(pk=hackney.pk).ambition_date == date(2027, 3, 31)


def test_staff_form_shows_every_problem_at_once(sized, width, hackney):
    member(hackney, Role.ORG_ADMIN, username="admin")
    sign_in(sized, "admin", PASSWORD)
    sized.goto("/o/07T/staff/new/")
    sized.get_by_label("Username").fill("newstarter")
    sized.get_by_role("button", name=re.compile("Add|Save|Create")).click()
    summary = sized.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select at least one role")
    expect(summary).to_contain_text("Enter a password for the new account")
    assert focused_is_error_summary(sized)
    check_accessible(sized, f"forms-06-staff-errors-{width}")


def test_person_picker_searches_as_you_type(sized, width, hackney):
    member(hackney, Role.CARE_COORDINATOR, username="ruth")
    PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    PersonFactory(organisation=hackney, given_name="Daniel", family_name="Hughes")
    sign_in(sized, "ruth", PASSWORD)
    sized.goto("/o/07T/referrals/new/")
    sized.get_by_label("Search by name or NHS number").fill("oka")
    radio = sized.get_by_role("radio", name=re.compile("Okafor, Amara"))
    expect(radio).to_be_visible()
    expect(sized.get_by_role("radio", name=re.compile("Hughes"))).to_have_count(0)
    radio.check()
    check_accessible(sized, f"forms-07-person-picker-{width}")


@pytest.mark.parametrize(
    "url", ["/o/07T/people/", "/o/07T/plans/", "/o/07T/caseload/", "/o/07T/approvals/", "/o/07T/dashboard/"]
)
def test_lists_fit_a_phone_screen(page, hackney, url):
    member(hackney, *Role.values, username="everyone")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor-Whitfield-Brennan")
    PlanFactory(organisation=hackney, person=person)
    page.set_viewport_size(WIDTHS["phone"])
    sign_in(page, "everyone", PASSWORD)
    page.goto(url)
    no_horizontal_scroll(page)
    check_accessible(page, "forms-08-list-" + url.strip("/").replace("/", "-") + "-phone")


def test_keyboard_only_plan_creation_lands_on_the_error_summary(browser, live_server, hackney):
    member(hackney, Role.CARE_COORDINATOR, username="chris")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, "chris", PASSWORD)
        page.goto(f"/o/07T/plans/new/?person={person.pk}")
        # Save straight away, from the keyboard, with the plan's dates and management not given.
        tab_to(page, "Save draft")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert focused_is_error_summary(page)
        summary = page.locator(".nhsuk-error-summary")
        expect(summary).to_contain_text("Enter the date the plan starts")
        expect(summary).to_contain_text("Enter the date the plan ends")
        expect(summary).to_contain_text("Select how the budget is managed")
        check_accessible(page, "forms-09-keyboard-plan-errors")
        # Follow the summary's first link to the field, and put everything right with the keyboard.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "id_start_date"
        page.keyboard.type("01012026")  # the browser's date picker: 1 January 2026
        tab_to_id(page, "id_end_date")  # the browser's date picker may take a Tab of its own
        page.keyboard.type("11112026")  # day and month alike: the same in any locale's order
        tab_to_id(page, "id_management_0")  # the first way of managing the budget
        page.keyboard.press("Space")
        tab_to(page, "Save draft")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        problems = page.locator(".nhsuk-error-summary").all_inner_texts()
        assert problems == [], problems
        expect(page.locator("h1")).to_have_text("Support plan, version 1")
        plan = SupportPlan.objects.get(person=person)
        assert (plan.start_date, plan.end_date) == (date(2026, 1, 1), date(2026, 11, 11))
    finally:
        context.close()
