"""The indicative budget API: the allocation questionnaire (PUT, versions), estimate, plans with answers."""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from phb.audit import AuditEvent
from phb.constants import Role
from support_plans import allocation_services, services
from support_plans.models import AllocationQuestionnaire, SupportPlan
from tests.factories import ActivePlanFactory, PlanFactory, member

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"

QUESTIONS = [
    {
        "code": "daily_living",
        "text": "Help with washing and dressing",
        "answers": [
            {"code": "none", "text": "None", "points": 0},
            {"code": "daily", "text": "Every day", "points": 40},
        ],
    },
    {
        "code": "carers",
        "text": "Support from family",
        "answers": [
            {"code": "strong", "text": "Strong", "points": 5},
            {"code": "none", "text": "None", "points": 25},
        ],
    },
]
BODY = {"questions": QUESTIONS, "pounds_per_point": "100.00", "basis": "annual"}


def publish(org, user=None, **overrides):
    return allocation_services.questionnaire_publish(actor=user, organisation=org, **{**BODY, **overrides})


def test_put_needs_credentials(api, org):
    assert api(None).put(f"{BASE}/allocation/", BODY, format="json").status_code == 401


def test_a_care_coordinator_cannot_change_the_questionnaire(api, coordinator):
    response = api(coordinator).put(f"{BASE}/allocation/", BODY, format="json")
    assert response.status_code == 403
    assert not AllocationQuestionnaire.objects.exists()


def test_another_organisation_is_a_404(api, org, outsider):
    publish(org)
    assert api(outsider).get(f"{BASE}/allocation/").status_code == 404
    assert api(outsider).put(f"{BASE}/allocation/", BODY, format="json").status_code == 404


def test_a_commissioner_publishes_version_1_and_anyone_reads_it(api, org, commissioner, coordinator):
    response = api(commissioner).put(f"{BASE}/allocation/", BODY, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 1 and data["basis"] == "annual" and data["pounds_per_point"] == "100.00"
    assert data["questions"] == QUESTIONS
    assert data["points_range"] == {"low": 5, "high": 65}
    assert data["margin_percent"] == "10.00"
    assert api(coordinator).get(f"{BASE}/allocation/").json()["version"] == 1
    event = AuditEvent.objects.get(action="allocation_questionnaire_published")
    assert "version 1" in event.summary and event.actor == commissioner


def test_each_put_is_a_new_version_and_the_old_stays(api, org, commissioner):
    api(commissioner).put(f"{BASE}/allocation/", BODY, format="json")
    response = api(commissioner).put(
        f"{BASE}/allocation/", {**BODY, "pounds_per_point": "120.50", "basis": "weekly"}, format="json"
    )
    assert response.json()["version"] == 2 and response.json()["pounds_per_point"] == "120.50"
    assert list(AllocationQuestionnaire.objects.order_by("version").values_list("version", "basis")) == [
        (1, "annual"),
        (2, "weekly"),
    ]


def test_a_version_from_a_later_date_is_scheduled_and_the_current_stays_in_force(api, org, commissioner):
    api(commissioner).put(f"{BASE}/allocation/", BODY, format="json")
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = api(commissioner).put(
        f"{BASE}/allocation/", {**BODY, "pounds_per_point": "200.00", "effective_from": later}, format="json"
    )
    data = response.json()
    assert data["version"] == 1
    assert [v["version"] for v in data["scheduled"]] == [2]
    assert data["scheduled"][0]["pounds_per_point"] == "200.00"


def test_a_scheduled_version_is_withdrawn_before_it_starts_and_one_in_force_cannot_be(
    api, org, commissioner, coordinator
):
    api(commissioner).put(f"{BASE}/allocation/", BODY, format="json")
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    api(commissioner).put(
        f"{BASE}/allocation/", {**BODY, "pounds_per_point": "200.00", "effective_from": later}, format="json"
    )
    assert api(coordinator).delete(f"{BASE}/allocation/scheduled/2/").status_code == 403

    assert api(commissioner).delete(f"{BASE}/allocation/scheduled/2/").status_code == 204

    assert api(commissioner).get(f"{BASE}/allocation/").json()["scheduled"] == []
    assert AllocationQuestionnaire.objects.get(version=2).withdrawn_at is not None
    assert AuditEvent.objects.filter(action="allocation_questionnaire_withdrawn").count() == 1
    again = api(commissioner).delete(f"{BASE}/allocation/scheduled/2/")
    assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]
    in_force = api(commissioner).delete(f"{BASE}/allocation/scheduled/1/")
    assert in_force.status_code == 409 and "already in force" in in_force.json()["detail"]
    assert api(commissioner).delete(f"{BASE}/allocation/scheduled/9/").status_code == 404


def test_a_past_date_is_refused(api, org, commissioner):
    earlier = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api(commissioner).put(
        f"{BASE}/allocation/", {**BODY, "effective_from": earlier}, format="json"
    )
    assert response.status_code == 400 and "effective_from" in response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["questions"].append(copy.deepcopy(b["questions"][0])), "questions[2].code"),
        (
            lambda b: b["questions"][0]["answers"].append({"code": "none", "text": "Again", "points": 1}),
            "questions[0].answers[2].code",
        ),
        (lambda b: b["questions"][1]["answers"][0].update(points=-5), "questions[1].answers[0].points"),
        (lambda b: b["questions"][1]["answers"][0].update(points=2.5), "questions[1].answers[0].points"),
        (lambda b: b.update(pounds_per_point="0"), "pounds_per_point"),
        (lambda b: b.update(pounds_per_point="-3.00"), "pounds_per_point"),
        (lambda b: b.update(pounds_per_point="ten"), "pounds_per_point"),
        (lambda b: b.update(basis="monthly"), "basis"),
        (lambda b: b.update(questions="none"), "questions"),
    ],
)
def test_put_refuses_a_questionnaire_that_does_not_hold(api, org, commissioner, change, field):
    body = copy.deepcopy(BODY)
    change(body)
    response = api(commissioner).put(f"{BASE}/allocation/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not AllocationQuestionnaire.objects.exists()


def test_get_without_a_questionnaire_is_a_404_saying_so(api, org, coordinator):
    response = api(coordinator).get(f"{BASE}/allocation/")
    assert response.status_code == 404 and "no allocation questionnaire" in response.content.decode()


def test_estimate_gives_points_and_the_budget_on_its_basis(api, org, coordinator):
    publish(org)
    response = api(coordinator).post(
        f"{BASE}/allocation/estimate/",
        {"answers": {"daily_living": "daily", "carers": "none"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"points": 65, "indicative_budget": "6500.00", "basis": "annual", "version": 1}


def test_estimate_names_an_unknown_question(api, org, coordinator):
    publish(org)
    response = api(coordinator).post(
        f"{BASE}/allocation/estimate/",
        {"answers": {"daily_living": "daily", "carers": "none", "pets": "cat"}},
        format="json",
    )
    assert response.status_code == 400
    assert "pets" in response.json()["answers.pets"][0]


def test_estimate_names_an_unknown_answer(api, org, coordinator):
    publish(org)
    response = api(coordinator).post(
        f"{BASE}/allocation/estimate/",
        {"answers": {"daily_living": "hourly", "carers": "none"}},
        format="json",
    )
    assert response.status_code == 400
    assert "hourly" in response.json()["answers.daily_living"][0]


def test_estimate_without_a_questionnaire_is_a_404(api, org, coordinator):
    response = api(coordinator).post(f"{BASE}/allocation/estimate/", {"answers": {}}, format="json")
    assert response.status_code == 404


def test_estimate_is_for_plan_writers(api, org, org_admin):
    publish(org)
    response = api(org_admin).post(
        f"{BASE}/allocation/estimate/",
        {"answers": {"daily_living": "daily", "carers": "none"}},
        format="json",
    )
    assert response.status_code == 403


def test_the_commissioner_who_sets_the_questionnaire_may_estimate_with_it(api, org, commissioner):
    publish(org)
    response = api(commissioner).post(
        f"{BASE}/allocation/estimate/",
        {"answers": {"daily_living": "daily", "carers": "none"}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["indicative_budget"] == "6500.00"


# --- Plans with answers


def plan_body(person, **overrides):
    return {
        "person": person.pk,
        "start_date": "2026-01-01",
        "end_date": "2026-12-30",  # 364 days: exactly 52 weeks
        "management": "direct_payment",
        "items": [
            {
                "description": "Personal assistant",
                "category": "personal_assistant",
                "amount": "150.00",
                "frequency": "weekly",
            }
        ],
        **overrides,
    }


def test_a_plan_with_answers_shows_its_indicative_budget_beside_its_costs(api, org, coordinator, person):
    publish(org)
    response = api(coordinator).post(
        f"{BASE}/plans/",
        plan_body(person, allocation_answers={"daily_living": "daily", "carers": "none"}),
        format="json",
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["costs"]["total"] == "7800.00"
    indicative = plan["indicative_budget"]
    assert (
        indicative["points"] == 65 and indicative["amount"] == "6500.00" and indicative["basis"] == "annual"
    )
    assert indicative["for_plan_period"] == "6500.00"
    assert indicative["difference"] == "1300.00"
    assert indicative["limit"] == "7150.00"
    assert indicative["over"] is True
    assert plan["allocation_answers"] == {"daily_living": "daily", "carers": "none"}


def test_a_plan_within_the_margin_is_not_over(api, org, coordinator, person):
    publish(org, pounds_per_point="115.00")  # 65 points: £7,475 a year, and £7,800 is within 10%
    response = api(coordinator).post(
        f"{BASE}/plans/",
        plan_body(person, allocation_answers={"daily_living": "daily", "carers": "none"}),
        format="json",
    )
    assert response.json()["indicative_budget"]["over"] is False


def test_the_organisations_margin_decides_over(api, org, coordinator, person):
    publish(org)
    org.indicative_margin_percent = Decimal("25")
    org.save()
    response = api(coordinator).post(
        f"{BASE}/plans/",
        plan_body(person, allocation_answers={"daily_living": "daily", "carers": "none"}),
        format="json",
    )
    assert response.json()["indicative_budget"]["over"] is False
    assert response.json()["indicative_budget"]["margin_percent"] == "25.00"


def test_a_plan_without_answers_has_no_indicative_budget(api, org, coordinator, person):
    publish(org)
    plan = api(coordinator).post(f"{BASE}/plans/", plan_body(person), format="json").json()
    assert plan["indicative_budget"] is None and plan["allocation_answers"] is None


def test_answers_to_an_unknown_question_are_refused_and_nothing_is_written(api, org, coordinator, person):
    publish(org)
    response = api(coordinator).post(
        f"{BASE}/plans/",
        plan_body(person, allocation_answers={"daily_living": "daily", "carers": "none", "pets": "cat"}),
        format="json",
    )
    assert response.status_code == 400
    assert "allocation_answers.pets" in response.json()
    assert not SupportPlan.objects.exists()


def test_answers_without_a_questionnaire_are_refused(api, org, coordinator, person):
    response = api(coordinator).post(
        f"{BASE}/plans/", plan_body(person, allocation_answers={"daily_living": "daily"}), format="json"
    )
    assert response.status_code == 400 and "allocation_answers" in response.json()


def test_patch_answers_then_skip_them(api, org, coordinator, person):
    publish(org)
    plan = api(coordinator).post(f"{BASE}/plans/", plan_body(person), format="json").json()
    url = f"{BASE}/plans/{plan['id']}/"
    answered = (
        api(coordinator)
        .patch(url, {"allocation_answers": {"daily_living": "none", "carers": "strong"}}, format="json")
        .json()
    )
    assert answered["indicative_budget"]["points"] == 5
    # A change of dates keeps the answers and works the budget out over the new period.
    shorter = api(coordinator).patch(url, {"end_date": "2026-01-14"}, format="json").json()
    assert shorter["indicative_budget"]["for_plan_period"] == "19.23"  # £500 a year over two weeks
    skipped = api(coordinator).patch(url, {"allocation_answers": None}, format="json").json()
    assert skipped["indicative_budget"] is None


def test_a_plan_keeps_the_version_it_was_answered_under(api, org, coordinator, person):
    publish(org)
    plan = (
        api(coordinator)
        .post(
            f"{BASE}/plans/",
            plan_body(person, allocation_answers={"daily_living": "daily", "carers": "none"}),
            format="json",
        )
        .json()
    )
    publish(org, pounds_per_point="1.00")
    again = api(coordinator).get(f"{BASE}/plans/{plan['id']}/").json()
    assert again["indicative_budget"]["amount"] == "6500.00"
    assert again["indicative_budget"]["questionnaire_version"] == 1


def test_a_revision_keeps_the_answers(org, coordinator, person):
    version = publish(org)
    plan = ActivePlanFactory(organisation=org, person=person)
    plan.allocation_questionnaire, plan.allocation_answers = (
        version,
        {"daily_living": "daily", "carers": "none"},
    )
    plan.save()
    revision = services.plan_revise(actor=coordinator, plan=plan)
    assert revision.allocation_answers == {"daily_living": "daily", "carers": "none"}
    assert revision.allocation_points == 65 and revision.indicative_budget is not None


def test_the_organisation_shows_its_margin(api, org, coordinator):
    org.indicative_margin_percent = Decimal("15.50")
    org.save()
    assert api(coordinator).get(f"{BASE}/").json()["indicative_margin_percent"] == "15.50"


def test_plan_writer_roles_only_for_answers_through_plans(api, org, person):
    publish(org)
    finance = member(org, Role.FINANCE, username="fin")
    response = api(finance).post(f"{BASE}/plans/", plan_body(person), format="json")
    assert response.status_code == 403
    assert PlanFactory._meta.model.objects.count() == 0
