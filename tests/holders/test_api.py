"""The budget holder's API: `GET /api/v1/me/`, asking for a review, the plan PDF; their budgets only."""

import pytest
from guardian.shortcuts import assign_perm

from phb.constants import Role
from phb.models import Notification
from reviews.constants import ReviewKind, ReviewStatus
from reviews.models import Review
from support_plans.models import SupportPlan
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_me_shows_the_persons_plan_money_and_reviews(api, holder, plan):
    response = api(holder).get("/api/v1/me/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"] == {"given_name": "Amara"}
    [budget] = body["budgets"]
    assert budget["id"] == plan.budget_id
    assert budget["plan"]["status"] == plan.status
    assert budget["plan"]["start_date"] == plan.start_date.isoformat()
    assert [g["description"] for g in budget["plan"]["goals"]] == ["I want to swim twice a week"]
    assert budget["plan"]["items"][0]["description"] == "Swimming pass"
    assert budget["plan"]["costs"]["total"] == "300.00"
    assert budget["account"]["approved"] == "300.00"
    assert budget["account"]["paid"] == "35.00"
    assert budget["account"]["balance"] == "265.00"
    assert isinstance(budget["account"]["instalments"], list)
    assert isinstance(budget["reviews"], list)


def test_me_never_lists_another_persons_budget(api, holder, other_holder, other_plan):
    ids = [b["id"] for b in api(holder).get("/api/v1/me/").json()["budgets"]]
    assert other_plan.budget_id not in ids
    assert "Zqxother" not in api(holder).get("/api/v1/me/").content.decode()


def test_me_needs_credentials_and_is_not_for_staff(api, coordinator):
    assert api(None).get("/api/v1/me/").status_code == 401
    assert api(coordinator).get("/api/v1/me/").status_code == 404


def test_asking_for_a_review_books_one_on_request_and_tells_the_care_coordinator(
    api, holder, plan, coordinator
):
    response = api(holder).post(
        f"/api/v1/me/budgets/{plan.budget_id}/review-requests/",
        {"reason": "The swimming pool has closed"},
        format="json",
    )
    assert response.status_code == 201, response.content
    review = Review.objects.get(pk=response.json()["id"])
    assert review.kind == ReviewKind.ON_REQUEST and review.status == ReviewStatus.SCHEDULED
    assert review.budget_id == plan.budget_id
    assert review.reason == "The swimming pool has closed"
    assert "amara" in review.requested_by
    told = Notification.objects.get(user=coordinator, key=f"review:{review.pk}:requested")
    assert "The swimming pool has closed" in told.body
    # The staff see it among the organisation's reviews.
    staff = api(coordinator).get(f"/api/v1/orgs/{plan.organisation.code}/reviews/")
    assert review.pk in [r["id"] for r in staff.json()["results"]]


def test_asking_again_while_one_is_booked_is_409(api, holder, plan):
    url = f"/api/v1/me/budgets/{plan.budget_id}/review-requests/"
    assert api(holder).post(url, {"reason": "First"}, format="json").status_code == 201
    assert api(holder).post(url, {"reason": "Second"}, format="json").status_code == 409
    assert Review.objects.filter(budget=plan.budget, kind=ReviewKind.ON_REQUEST).count() == 1


def test_a_review_needs_a_reason_and_a_plan_in_place(api, holder, plan):
    url = f"/api/v1/me/budgets/{plan.budget_id}/review-requests/"
    assert api(holder).post(url, {"reason": ""}, format="json").status_code == 400
    SupportPlan.objects.filter(pk=plan.pk).update(status="closed")
    assert api(holder).post(url, {"reason": "Please"}, format="json").status_code == 409
    assert not Review.objects.filter(budget=plan.budget, kind=ReviewKind.ON_REQUEST).exists()


def test_another_persons_budget_is_404_even_by_id(api, holder, other_plan):
    budget = other_plan.budget_id
    assert (
        api(holder)
        .post(f"/api/v1/me/budgets/{budget}/review-requests/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert api(holder).get(f"/api/v1/me/budgets/{budget}/pdf/").status_code == 404
    assert not Review.objects.filter(budget_id=budget, kind=ReviewKind.ON_REQUEST).exists()


def test_the_plan_pdf_is_the_persons_copy(api, holder, plan):
    response = api(holder).get(f"/api/v1/me/budgets/{plan.budget_id}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_every_orgs_endpoint_is_404_for_a_budget_holder(api, holder, plan, org):
    client = api(holder)
    for url in (
        "/api/v1/orgs/",
        f"/api/v1/orgs/{org.code}/",
        f"/api/v1/orgs/{org.code}/people/",
        f"/api/v1/orgs/{org.code}/people/{plan.person_id}/",
        f"/api/v1/orgs/{org.code}/plans/{plan.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_staff_member_holding_the_grant_is_still_staff(api, org, plan):
    """Someone who works here and was also invited for a relative keeps their staff view only."""
    worker = member(org, Role.FINANCE, username="worker")
    assign_perm("phb.view_person", worker, plan.person)
    assert api(worker).get("/api/v1/me/").status_code == 404
    assert api(worker).get(f"/api/v1/me/budgets/{plan.budget_id}/pdf/").status_code == 404
    assert api(worker).get(f"/api/v1/orgs/{org.code}/").status_code == 200
