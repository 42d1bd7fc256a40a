"""A budget holder's day, at desktop and at phone width: they open the invitation their care
coordinator sent, make their account, read their plan and money, add a receipt for a payment, see
how their goals are going, ask for a review and download their plan. axe finds nothing on any page,
and no page is wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phb import invitations
from phb.constants import Role
from phb.models import HolderRelation, Notification
from reviews.constants import ReviewKind
from reviews.models import GoalAttainment, Review
from tests.factories import OrganisationFactory, PersonFactory, budget_in_place, member
from tests.factories.holders import HOLDER_PASSWORD
from tests.factories.reviews import CompletedReviewFactory

from .conftest import check_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _eager_celery_and_receipts(settings, tmp_path):
    from phb.celery import app

    settings.MEDIA_ROOT = tmp_path
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def _look(page, name: str) -> None:
    no_horizontal_scroll(page)
    check_accessible(page, name)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_budget_holders_day(page, live_server, width):
    page.set_viewport_size(WIDTHS[width])
    hackney = OrganisationFactory(code="07T", name="NHS City and Hackney")
    coordinator = member(hackney, Role.CARE_COORDINATOR, username="priya")
    finance = member(hackney, Role.FINANCE, username="finance")
    person = PersonFactory(organisation=hackney, given_name="Amara", family_name="Okafor")
    plan = budget_in_place(hackney, person, coordinator=coordinator, finance=finance)
    goal = plan.goals.get()
    for days_ago, score in ((120, "-1"), (30, "1")):
        review = CompletedReviewFactory(plan=plan, due_on=timezone.localdate() - timedelta(days=days_ago))
        GoalAttainment.objects.create(organisation=hackney, review=review, goal=goal, attainment=score)
    _invitation, token = invitations.holder_invitation_create(
        actor=coordinator, person=person, email="amara@example.org", acting_as=HolderRelation.PERSON
    )

    # The invitation: signed out, they choose a username and password.
    page.goto(invitations.accept_path(token))
    expect(page.get_by_role("heading", level=1)).to_have_text("See your personal health budget online")
    _look(page, f"holders-{width}-01-accept")
    page.get_by_label("Choose a username").fill("amara")
    page.get_by_label("Choose a password").fill(HOLDER_PASSWORD)
    page.get_by_role("button", name="Make my account").click()

    # My plan: goals in their words, what it pays for, how it is managed.
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    expect(page.get_by_test_id("goals")).to_contain_text("I want to swim twice a week")
    expect(page.get_by_test_id("items")).to_contain_text("Swimming pass")
    expect(page.get_by_text("You have a direct payment")).to_be_visible()
    _look(page, f"holders-{width}-02-plan")

    # The plan as a PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my plan (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # My money, and a receipt for the payment.
    if width == "phone":
        page.goto(f"/my/budgets/{plan.budget_id}/money/")
    else:
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="My money").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My money")
    expect(page.get_by_test_id("balance")).to_have_text("£265.00")
    _look(page, f"holders-{width}-03-money")
    page.get_by_role("link", name="Add receipt for £35.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a receipt")
    _look(page, f"holders-{width}-04-receipt")
    page.get_by_label("Receipt").set_input_files(
        {"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Add receipt").click()
    expect(page.get_by_text("Thank you. We have your receipt.")).to_be_visible()
    expect(page.get_by_test_id("payments")).to_contain_text("We have it")

    # My reviews: the goal-attainment chart, and asking for a review.
    page.goto(f"/my/budgets/{plan.budget_id}/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    expect(page.get_by_test_id("attainment-chart")).to_be_visible()
    expect(page.get_by_test_id("attainment-table")).to_contain_text("I want to swim twice a week")
    _look(page, f"holders-{width}-05-reviews")
    page.get_by_role("button", name="Ask for a review").click()
    expect(page.get_by_text("Tell us why you would like a review").first).to_be_visible()
    _look(page, f"holders-{width}-06-review-error")
    page.get_by_label("Why would you like a review?").fill("The pool has closed for repairs")
    page.get_by_role("button", name="Ask for a review").click()
    expect(page.get_by_text("We have told your care coordinator")).to_be_visible()
    _look(page, f"holders-{width}-07-review-asked")

    review = Review.objects.get(budget=plan.budget, kind=ReviewKind.ON_REQUEST)
    assert review.reason == "The pool has closed for repairs"
    assert Notification.objects.filter(user=coordinator, key=f"review:{review.pk}:requested").exists()

    # A staff page is no page of theirs.
    response = page.goto("/o/07T/")
    assert response.status == 404
