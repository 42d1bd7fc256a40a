"""The reviews API as API.md has it: review policy, review lists, requesting and completing reviews."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phb.constants import Role
from reviews.models import Review, ReviewPolicy
from support_plans.constants import PlanStatus
from tests.factories import member
from tests.factories.reviews import CompletedReviewFactory, OverdueReviewFactory, ReviewFactory, reviewed_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _body(review, **overrides):
    body = {
        "held_on": TODAY().isoformat(),
        "measures": [{"instrument": "ReQoL-10", "score": 24}, {"instrument": "WEMWBS", "score": "50.5"}],
        "goals": [{"goal": goal.pk, "attainment": "1"} for goal in review.plan.goals.all()],
        "decision": "continue",
        "notes": "Doing well",
    }
    body.update(overrides)
    return body


@pytest.fixture
def commissioner(org):
    return member(org, Role.COMMISSIONER, username="commissioner")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


# --- Review policy


def test_review_policy_defaults_for_any_member(api, org, finance):
    response = api(finance).get("/api/v1/orgs/07T/review-policy/")
    assert response.status_code == 200
    assert response.json() == {
        "version": 0,
        "effective_from": None,
        "first_review_weeks": 12,
        "interval_weeks": 13,
        "reminder_days_before": 7,
        "escalate_days_after": 14,
        "midpoint_and_end": False,
        "scheduled": [],
    }


def test_region_viewer_may_read_the_review_policy(api, org):
    assert api(member(org, Role.REGION_VIEWER)).get("/api/v1/orgs/07T/review-policy/").status_code == 200


def test_commissioner_sets_the_review_policy(api, org, commissioner):
    body = {
        "first_review_weeks": 12,
        "interval_weeks": 52,
        "reminder_days_before": 14,
        "escalate_days_after": 14,
    }
    response = api(commissioner).put("/api/v1/orgs/07T/review-policy/", body, format="json")
    assert response.status_code == 200
    assert response.json()["interval_weeks"] == 52
    assert ReviewPolicy.objects.get(organisation=org).reminder_days_before == 14
    assert api(commissioner).get("/api/v1/orgs/07T/review-policy/").json()["interval_weeks"] == 52


def test_org_admin_sets_the_review_policy(api, org, org_admin):
    response = api(org_admin).put("/api/v1/orgs/07T/review-policy/", {"interval_weeks": 26}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_review_weeks", 0),
        ("first_review_weeks", 53),
        ("interval_weeks", 0),
        ("interval_weeks", 105),
        ("reminder_days_before", -1),
        ("reminder_days_before", 61),
        ("escalate_days_after", 91),
        ("interval_weeks", "often"),
        ("first_review_weeks", 2.5),
    ],
)
def test_review_policy_out_of_bounds_is_400_naming_the_field(api, org, commissioner, field, value):
    response = api(commissioner).put("/api/v1/orgs/07T/review-policy/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewPolicy.objects.exists()


def test_review_policy_put_needs_commissioner_or_org_admin(api, org, coordinator):
    response = api(coordinator).put("/api/v1/orgs/07T/review-policy/", {"interval_weeks": 52}, format="json")
    assert response.status_code == 403


def test_review_policy_anonymous_401_and_other_organisation_404(api, org, outsider):
    assert api(None).get("/api/v1/orgs/07T/review-policy/").status_code == 401
    assert api(outsider).get("/api/v1/orgs/07T/review-policy/").status_code == 404
    assert api(outsider).put("/api/v1/orgs/07T/review-policy/", {}, format="json").status_code == 404


# --- Lists


def test_reviews_list_by_status(api, org, coordinator):
    due = ReviewFactory(plan=reviewed_plan(org))
    overdue = OverdueReviewFactory(plan=reviewed_plan(org))
    completed = CompletedReviewFactory(plan=reviewed_plan(org))
    client = api(coordinator)

    def ids(query):
        response = client.get(f"/api/v1/orgs/07T/reviews/{query}")
        assert response.status_code == 200
        return [r["id"] for r in response.json()["results"]]

    assert ids("?status=due") == [due.pk]
    assert ids("?status=overdue") == [overdue.pk]
    assert ids("?status=completed") == [completed.pk]
    assert sorted(ids("")) == sorted([due.pk, overdue.pk, completed.pk])
    row = client.get("/api/v1/orgs/07T/reviews/?status=overdue").json()["results"][0]
    assert row["plan"] == overdue.plan_id
    assert row["kind"] == "first"
    assert row["due_on"] == overdue.due_on.isoformat()
    assert row["completed_on"] is None
    assert row["days_overdue"] == 20
    assert row["person_name"] == overdue.person.full_name


def test_reviews_list_mine_keeps_the_plans_i_coordinate(api, org, coordinator):
    mine = ReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))
    ReviewFactory(plan=reviewed_plan(org, care_coordinator=member(org, Role.CARE_COORDINATOR)))
    results = api(coordinator).get("/api/v1/orgs/07T/reviews/?status=due&mine=true").json()["results"]
    assert [r["id"] for r in results] == [mine.pk]


def test_reviews_list_never_shows_another_organisations_reviews(api, org, other_org, coordinator):
    ReviewFactory(plan=reviewed_plan(other_org))
    assert api(coordinator).get("/api/v1/orgs/07T/reviews/").json()["count"] == 0


def test_reviews_list_unknown_status_is_400(api, org, coordinator):
    response = api(coordinator).get("/api/v1/orgs/07T/reviews/?status=soon")
    assert response.status_code == 400
    assert "status" in response.json()


def test_reviews_list_401_403_404(api, org, outsider):
    assert api(None).get("/api/v1/orgs/07T/reviews/").status_code == 401
    assert api(member(org, Role.REGION_VIEWER)).get("/api/v1/orgs/07T/reviews/").status_code == 403
    assert api(outsider).get("/api/v1/orgs/07T/reviews/").status_code == 404


def test_review_detail(api, org, other_org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    foreign = ReviewFactory(plan=reviewed_plan(other_org))
    assert api(coordinator).get(f"/api/v1/orgs/07T/reviews/{review.pk}/").json()["id"] == review.pk
    assert api(coordinator).get(f"/api/v1/orgs/07T/reviews/{foreign.pk}/").status_code == 404
    assert api(None).get(f"/api/v1/orgs/07T/reviews/{review.pk}/").status_code == 401


# --- Requesting a review


def test_request_a_review(api, org, coordinator):
    plan = reviewed_plan(org)
    due_on = (TODAY() + timedelta(days=5)).isoformat()
    response = api(coordinator).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/", {"kind": "on_request", "due_on": due_on}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "on_request"
    assert response.json()["due_on"] == due_on
    assert response.json()["status"] == "scheduled"
    listed = api(coordinator).get(f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/").json()
    assert [r["id"] for r in listed["results"]] == [response.json()["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "first", "due_on": "2026-06-01"}, "kind"),
        ({"kind": "on_request"}, "due_on"),
        ({"kind": "on_request", "due_on": "01/06/2026"}, "due_on"),
        ({"kind": "on_request", "due_on": "2026-06-01", "requested_by": "x" * 201}, "requested_by"),
    ],
)
def test_request_a_review_bad_input_is_400(api, org, coordinator, body, field):
    plan = reviewed_plan(org)
    response = api(coordinator).post(f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_request_a_review_of_a_draft_plan_is_409(api, org, coordinator):
    plan = reviewed_plan(org, status=PlanStatus.DRAFT)
    response = api(coordinator).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/",
        {"kind": "on_request", "due_on": "2026-06-01"},
        format="json",
    )
    assert response.status_code == 409


def test_request_a_review_401_403_404(api, org, other_org, finance, coordinator):
    plan = reviewed_plan(org)
    foreign = reviewed_plan(other_org)
    body = {"kind": "on_request", "due_on": "2026-06-01"}
    assert (
        api(None).post(f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/", body, format="json").status_code == 401
    )
    assert (
        api(finance).post(f"/api/v1/orgs/07T/plans/{plan.pk}/reviews/", body, format="json").status_code
        == 403
    )
    assert (
        api(coordinator)
        .post(f"/api/v1/orgs/07T/plans/{foreign.pk}/reviews/", body, format="json")
        .status_code
        == 404
    )
    assert not Review.objects.exists()


# --- Completing a review


def test_complete_a_review(api, org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator, goals=2))
    response = api(coordinator).post(
        f"/api/v1/orgs/07T/reviews/{review.pk}/complete/", _body(review), format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["decision"], data["completed_on"]) == (
        "completed",
        "continue",
        TODAY().isoformat(),
    )
    assert data["measures"] == [
        {"instrument": "ReQoL-10", "score": "24.00", "recorded_on": TODAY().isoformat()},
        {"instrument": "WEMWBS", "score": "50.50", "recorded_on": TODAY().isoformat()},
    ]
    assert sorted(g["attainment"] for g in data["goals"]) == [1, 1]
    completed = api(coordinator).get("/api/v1/orgs/07T/reviews/?status=completed").json()["results"]
    assert [r["id"] for r in completed] == [review.pk]


@pytest.mark.parametrize(
    ("instrument", "score"),
    [("ReQoL-10", 41), ("ReQoL-10", -1), ("WEMWBS", 13), ("WEMWBS", 71), ("SWEMWBS", 6), ("SWEMWBS", "35.5")],
)
def test_complete_with_a_score_out_of_range_is_400_naming_measures(api, org, coordinator, instrument, score):
    review = ReviewFactory(plan=reviewed_plan(org))
    body = _body(review, measures=[{"instrument": instrument, "score": score}])
    response = api(coordinator).post(f"/api/v1/orgs/07T/reviews/{review.pk}/complete/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["measures"]
    assert "must be between" in response.json()["measures"][0]
    review.refresh_from_db()
    assert review.status == "scheduled"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"measures": [{"instrument": "PHQ-9", "score": 10}]}, "measures"),
        ({"measures": [{"instrument": "WEMWBS", "score": "lots"}]}, "measures"),
        ({"measures": "ReQoL-10: 20"}, "measures"),
        ({"goals": [{"goal": 999999, "attainment": 1}]}, "goals"),
        ({"decision": "pause"}, "decision"),
        ({"held_on": "yesterday"}, "held_on"),
        ({"notes": "x" * 5001}, "notes"),
        ({"decision": "close", "close_reason": "bored"}, "close_reason"),
    ],
)
def test_complete_with_bad_input_is_400_naming_the_field(api, org, coordinator, overrides, field):
    review = ReviewFactory(plan=reviewed_plan(org))
    body = _body(review, **overrides)
    response = api(coordinator).post(f"/api/v1/orgs/07T/reviews/{review.pk}/complete/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_complete_with_bad_attainment_is_400_naming_goals(api, org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org, goals=1))
    body = _body(review, goals=[{"goal": review.plan.goals.get().pk, "attainment": 3}])
    response = api(coordinator).post(f"/api/v1/orgs/07T/reviews/{review.pk}/complete/", body, format="json")
    assert response.status_code == 400
    assert "goals" in response.json()


def test_complete_twice_is_409(api, org, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    url = f"/api/v1/orgs/07T/reviews/{review.pk}/complete/"
    assert api(coordinator).post(url, _body(review), format="json").status_code == 200
    assert api(coordinator).post(url, _body(review), format="json").status_code == 409


def test_complete_with_revise_opens_a_draft_and_close_closes_the_budget(api, org, coordinator):
    revise = ReviewFactory(plan=reviewed_plan(org))
    close = ReviewFactory(plan=reviewed_plan(org))
    client = api(coordinator)
    response = client.post(
        f"/api/v1/orgs/07T/reviews/{revise.pk}/complete/", _body(revise, decision="revise"), format="json"
    )
    assert response.status_code == 200
    assert revise.budget.versions.filter(status="draft").count() == 1
    response = client.post(
        f"/api/v1/orgs/07T/reviews/{close.pk}/complete/",
        _body(close, decision="close", close_reason="goals_achieved"),
        format="json",
    )
    assert response.status_code == 200
    close.budget.refresh_from_db()
    assert close.budget.close_reason == "goals_achieved"


def test_complete_401_403_404(api, org, other_org, finance, coordinator):
    review = ReviewFactory(plan=reviewed_plan(org))
    foreign = ReviewFactory(plan=reviewed_plan(other_org))
    url = f"/api/v1/orgs/07T/reviews/{review.pk}/complete/"
    assert api(None).post(url, _body(review), format="json").status_code == 401
    assert api(finance).post(url, _body(review), format="json").status_code == 403
    assert (
        api(coordinator)
        .post(f"/api/v1/orgs/07T/reviews/{foreign.pk}/complete/", _body(foreign), format="json")
        .status_code
        == 404
    )
    review.refresh_from_db()
    assert review.status == "scheduled"


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.PHB_LEAD])
def test_team_lead_and_phb_lead_may_complete_a_review(api, org, role):
    review = ReviewFactory(plan=reviewed_plan(org))
    response = api(member(org, role)).post(
        f"/api/v1/orgs/07T/reviews/{review.pk}/complete/", _body(review), format="json"
    )
    assert response.status_code == 200


def test_person_api_shows_their_reviews(api, org, coordinator):
    review = CompletedReviewFactory(plan=reviewed_plan(org))
    response = api(coordinator).get(f"/api/v1/orgs/07T/people/{review.person_id}/")
    assert [r["id"] for r in response.json()["reviews"]] == [review.pk]


def test_schema_describes_the_review_endpoints(api, coordinator):
    schema = api(coordinator).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/orgs/{org}/review-policy/",
        "/api/v1/orgs/{org}/reviews/",
        "/api/v1/orgs/{org}/reviews/{id}/complete/",
        "/api/v1/orgs/{org}/plans/{id}/reviews/",
    ):
        assert path in paths, path
