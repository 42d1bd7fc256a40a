"""The support plans API: each endpoint's 401/403/404/409/400 and happy path, as API.md writes it."""

import json
from decimal import Decimal

import pytest

from phb.constants import Role
from support_plans.models import Budget, Supplier, SupportPlan
from tests.factories import (
    ActivePlanFactory,
    ApprovedPlanFactory,
    FastTrackOfferFactory,
    PlanFactory,
    SubmittedPlanFactory,
    SupplierFactory,
    member,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"


def body(the_person, **overrides):
    data = {
        "person": the_person.pk,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "management": "direct_payment",
        "funding": {"nhs": "795.00", "social_care": "200.00", "education": None},
        "goals": [{"description": "I want to get back to swimming twice a week"}],
        "items": [
            {
                "description": "Swimming pass",
                "category": "fitness_exercise",
                "amount": "200.00",
                "frequency": "one_off",
                "supplier": "Leisure Centre",
            },
            {
                "description": "Art class",
                "category": "arts_crafts",
                "amount": "15.00",
                "frequency": "weekly",
                "payment_method": "prepaid_card",
            },
        ],
        "risks": [{"risk": "Pool closes", "mitigation": "Use the gym instead"}],
        "agreement": {"agreed_on": "2025-12-20", "agreed_by": "person", "agreed_by_name": "Amara Okafor"},
    }
    data.update(overrides)
    return data


def test_create_plan_answers_the_plan_as_a_draft_with_costs(api, coordinator, person):
    response = api(coordinator).post(f"{BASE}/plans/", body(person), format="json")
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["status"] == "draft" and plan["version"] == 1
    # 200 + 15 x 53 weeks
    assert plan["costs"] == {"total": "995.00", "weekly": "18.84", "annual": "979.45"}
    assert plan["funding"]["nhs"] is True and plan["funding"]["social_care"] is True
    assert plan["funding"]["social_care_amount"] == "200.00" and plan["funding"]["education"] is False
    assert plan["funding"]["nhs_amount"] == "795.00"
    assert plan["items"][0]["supplier"] == "Leisure Centre"
    assert plan["items"][0]["amount"] == "200.00"
    assert plan["goals"][0]["description"] == "I want to get back to swimming twice a week"
    assert plan["agreement"]["agreed_by"] == "person"
    assert plan["versions"] == [{"id": plan["id"], "version": 1, "status": "draft"}]
    assert plan["approval"] is None and plan["account"] is None


def test_create_plan_without_credentials_is_401(api, person):
    assert api(None).post(f"{BASE}/plans/", body(person), format="json").status_code == 401


def test_create_plan_as_finance_is_403(api, org, person):
    finance = member(org, Role.FINANCE)
    assert api(finance).post(f"{BASE}/plans/", body(person), format="json").status_code == 403


def test_another_organisations_plans_are_404(api, outsider, person):
    plan = PlanFactory(organisation=person.organisation, person=person)
    client = api(outsider)
    assert client.get(f"{BASE}/plans/").status_code == 404
    assert client.get(f"{BASE}/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/api/v1/orgs/15E/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/api/v1/orgs/15E/plans/{plan.pk}/submit/").status_code == 404
    assert client.get(f"/api/v1/orgs/15E/plans/{plan.pk}/pdf/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"items": [{"description": "X", "category": "other", "amount": "0", "frequency": "one_off"}]},
            "items",
        ),
        (
            {"items": [{"description": "X", "category": "other", "amount": "-1", "frequency": "one_off"}]},
            "items",
        ),
        (
            {"items": [{"description": "X", "category": "other", "amount": "1.234", "frequency": "one_off"}]},
            "items",
        ),
        (
            {
                "items": [
                    {"description": "X", "category": "other", "amount": "99999999999", "frequency": "one_off"}
                ]
            },
            "items",
        ),
        (
            {
                "items": [
                    {"description": "X", "category": "yachts", "amount": "10.00", "frequency": "one_off"}
                ]
            },
            "items",
        ),
        (
            {"items": [{"description": "X", "category": "other", "amount": "10.00", "frequency": "hourly"}]},
            "items",
        ),
        (
            {
                "items": [
                    {"description": "X" * 301, "category": "other", "amount": "10.00", "frequency": "one_off"}
                ]
            },
            "items",
        ),
        ({"goals": [{"description": "x" * 2001}]}, "goals"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"management": "cash"}, "management"),
        ({"person": 999999}, "person"),
        ({"start_date": "01/02/2026"}, "start_date"),
        ({"funding": {"nhs": "abc"}}, "funding"),
        ({"funding": {"council_tax": True}}, "funding"),
        ({"contingency": "x" * 5001}, "contingency"),
        ({"agreement": {"agreed_by": "neighbour"}}, "agreement"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_saved(api, coordinator, person, change, field):
    response = api(coordinator).post(f"{BASE}/plans/", body(person, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SupportPlan.objects.exists() and not Budget.objects.exists()


def test_malformed_json_is_400_and_nothing_is_saved(api, coordinator):
    response = api(coordinator).post(f"{BASE}/plans/", '{"person": 1,', content_type="application/json")
    assert response.status_code == 400
    assert not SupportPlan.objects.exists()


def test_list_filters_by_person_and_status(api, coordinator, org, person):
    mine = PlanFactory(organisation=org, person=person)
    SubmittedPlanFactory(organisation=org)
    client = api(coordinator)
    assert [p["id"] for p in client.get(f"{BASE}/plans/?person={person.pk}").json()["results"]] == [mine.pk]
    assert client.get(f"{BASE}/plans/?status=submitted").json()["count"] == 1
    assert client.get(f"{BASE}/plans/?status=nonsense").status_code == 400


def test_patch_changes_a_draft(api, coordinator, org):
    plan = PlanFactory(organisation=org)
    response = api(coordinator).patch(
        f"{BASE}/plans/{plan.pk}/",
        {
            "items": [
                {
                    "description": "Laptop",
                    "category": "technical_equipment",
                    "amount": "499.99",
                    "frequency": "one_off",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["costs"]["total"] == "499.99"


def test_patch_of_a_submitted_plan_is_409_naming_its_status(api, coordinator, org):
    plan = SubmittedPlanFactory(organisation=org)
    response = api(coordinator).patch(f"{BASE}/plans/{plan.pk}/", {"contingency": "x"}, format="json")
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_patch_with_bad_amount_is_400_and_keeps_the_plan(api, coordinator, org):
    plan = PlanFactory(organisation=org)
    response = api(coordinator).patch(
        f"{BASE}/plans/{plan.pk}/",
        {
            "items": [
                {
                    "description": "Laptop",
                    "category": "technical_equipment",
                    "amount": "0",
                    "frequency": "one_off",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 400 and "items" in response.json()
    assert plan.items.get().amount == Decimal("200.00")


def test_patch_as_broker_is_403(api, org):
    plan = PlanFactory(organisation=org)
    broker = member(org, Role.BROKER)
    assert (
        api(broker).patch(f"{BASE}/plans/{plan.pk}/", {"contingency": "x"}, format="json").status_code == 403
    )


def test_submit_answers_the_approval_tier_and_signoffs(api, coordinator, org, policy):
    plan = PlanFactory(organisation=org)
    response = api(coordinator).post(f"{BASE}/plans/{plan.pk}/submit/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["approval"]["tier"] == 1
    assert data["approval"]["basis"] == "total"
    assert data["approval"]["measured_amount"] == "200.00"
    assert data["approval"]["required"] == [{"role": "care_coordinator", "count": 1}]
    assert data["approval"]["id"]


def test_submit_twice_is_409(api, coordinator, org, policy):
    plan = PlanFactory(organisation=org)
    client = api(coordinator)
    client.post(f"{BASE}/plans/{plan.pk}/submit/")
    response = client.post(f"{BASE}/plans/{plan.pk}/submit/")
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_submit_of_an_empty_plan_is_400(api, coordinator, org, policy):
    plan = PlanFactory(organisation=org, goals=[], items=[])
    response = api(coordinator).post(f"{BASE}/plans/{plan.pk}/submit/")
    assert response.status_code == 400
    assert {"goals", "items"} <= set(response.json())


def test_submit_as_commissioner_is_403(api, commissioner, org, policy):
    plan = PlanFactory(organisation=org)
    assert api(commissioner).post(f"{BASE}/plans/{plan.pk}/submit/").status_code == 403


def test_required_tier_is_previewed_once_a_policy_exists(api, coordinator, org, policy):
    plan = PlanFactory(
        organisation=org,
        items=[{"description": "Laptop", "amount": Decimal("600.00"), "frequency": "one_off"}],
    )
    tier = api(coordinator).get(f"{BASE}/plans/{plan.pk}/").json()["required_tier"]
    assert tier["tier"] == 2 and tier["measured_amount"] == "600.00"
    assert [s["role"] for s in tier["required"]] == ["care_coordinator", "team_lead"]


def test_revise_an_active_plan_makes_version_two_and_version_one_stays_readable(api, coordinator, org):
    active = ActivePlanFactory(organisation=org)
    client = api(coordinator)
    response = client.post(f"{BASE}/plans/{active.pk}/revise/")
    assert response.status_code == 201, response.content
    revision = response.json()
    assert (revision["version"], revision["status"], revision["budget"]) == (2, "draft", active.budget_id)
    assert [v["version"] for v in revision["versions"]] == [1, 2]
    old = client.get(f"{BASE}/plans/{active.pk}/").json()
    assert old["status"] == "active" and old["version"] == 1


@pytest.mark.parametrize("factory", [PlanFactory, SubmittedPlanFactory, ApprovedPlanFactory])
def test_revise_a_plan_that_is_not_active_is_409(api, coordinator, org, factory):
    plan = factory(organisation=org)
    response = api(coordinator).post(f"{BASE}/plans/{plan.pk}/revise/")
    assert response.status_code == 409
    assert plan.status in response.json()["detail"]


def test_close_an_active_plan(api, commissioner, org):
    plan = ActivePlanFactory(organisation=org)
    response = api(commissioner).post(
        f"{BASE}/plans/{plan.pk}/close/", {"reason": "moved", "closed_on": "2026-06-30"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["closed_on"] == "2026-06-30"


def test_close_a_draft_is_409(api, coordinator, org):
    plan = PlanFactory(organisation=org)
    response = api(coordinator).post(
        f"{BASE}/plans/{plan.pk}/close/", {"reason": "moved", "closed_on": "2026-06-30"}, format="json"
    )
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]


def test_close_with_unknown_reason_is_400(api, coordinator, org):
    plan = ActivePlanFactory(organisation=org)
    response = api(coordinator).post(
        f"{BASE}/plans/{plan.pk}/close/", {"reason": "bored", "closed_on": "2026-06-30"}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    plan.refresh_from_db()
    assert plan.status == "active"


def test_close_as_finance_is_403(api, finance, org):
    plan = ActivePlanFactory(organisation=org)
    response = api(finance).post(
        f"{BASE}/plans/{plan.pk}/close/", {"reason": "moved", "closed_on": "2026-06-30"}, format="json"
    )
    assert response.status_code == 403


def test_pdf_is_the_persons_copy(api, coordinator, org):
    plan = PlanFactory(organisation=org, goals=["I want to walk my dog in the park every morning"])
    response = api(coordinator).get(f"{BASE}/plans/{plan.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_pdf_without_credentials_is_401(api, org):
    plan = PlanFactory(organisation=org)
    assert api(None).get(f"{BASE}/plans/{plan.pk}/pdf/").status_code == 401


def test_suppliers_search_and_add(api, coordinator, org, other_org):
    SupplierFactory(organisation=org, name="Hackney Swim Club", service="Swimming lessons")
    SupplierFactory(organisation=org, name="Art Shed", service="Art supplies", category="arts_crafts")
    SupplierFactory(organisation=other_org, name="Foreign Swim Club")
    client = api(coordinator)
    found = client.get(f"{BASE}/suppliers/?search=swim").json()["results"]
    assert [s["name"] for s in found] == ["Hackney Swim Club"]
    response = client.post(
        f"{BASE}/suppliers/",
        {
            "name": "Calm Minds",
            "service": "Counselling",
            "category": "therapies",
            "typical_amount": "45.00",
            "typical_frequency": "weekly",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Supplier.objects.filter(organisation=org, name="Calm Minds").exists()


def test_supplier_with_unknown_category_or_bad_amount_is_400(api, coordinator):
    client = api(coordinator)
    assert (
        "category"
        in client.post(f"{BASE}/suppliers/", {"name": "X", "category": "yachts"}, format="json").json()
    )
    assert (
        "typical_amount"
        in client.post(f"{BASE}/suppliers/", {"name": "X", "typical_amount": "1.001"}, format="json").json()
    )
    assert not Supplier.objects.exists()


def test_fast_track_offers_are_set_up_by_commissioners_not_care_coordinators(api, coordinator, commissioner):
    offer = {
        "name": "Smartphone and SIM",
        "description": "Smartphone with 12-month SIM",
        "category": "connectivity",
        "amount": "250.00",
    }
    assert api(coordinator).post(f"{BASE}/fast-track-offers/", offer, format="json").status_code == 403
    response = api(commissioner).post(f"{BASE}/fast-track-offers/", offer, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["frequency"] == "one_off"
    assert api(coordinator).get(f"{BASE}/fast-track-offers/").json()["count"] == 1


def test_fast_track_offer_added_to_a_plan_in_one_step(api, coordinator, org):
    offer = FastTrackOfferFactory(organisation=org)
    plan = PlanFactory(organisation=org)
    response = api(coordinator).post(
        f"{BASE}/plans/{plan.pk}/fast-track/", {"offer": offer.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["costs"]["total"] == "450.00"
    assert any(item["category"] == "connectivity" for item in response.json()["items"])


def test_fast_track_offer_of_another_organisation_is_400(api, coordinator, org, other_org):
    offer = FastTrackOfferFactory(organisation=other_org)
    plan = PlanFactory(organisation=org)
    response = api(coordinator).post(
        f"{BASE}/plans/{plan.pk}/fast-track/", {"offer": offer.pk}, format="json"
    )
    assert response.status_code == 400 and "offer" in response.json()


def test_fast_track_offer_on_a_submitted_plan_is_409(api, coordinator, org):
    offer = FastTrackOfferFactory(organisation=org)
    plan = SubmittedPlanFactory(organisation=org)
    response = api(coordinator).post(
        f"{BASE}/plans/{plan.pk}/fast-track/", {"offer": offer.pk}, format="json"
    )
    assert response.status_code == 409


def test_person_api_lists_their_plans(api, coordinator, org, person):
    plan = PlanFactory(organisation=org, person=person)
    data = api(coordinator).get(f"{BASE}/people/{person.pk}/").json()
    assert [p["id"] for p in data["plans"]] == [plan.pk]
    assert data["plans"][0]["costs"]["total"] == "200.00"


def test_schema_describes_the_plan_endpoints(api, coordinator):
    schema = api(coordinator).get("/api/schema/?format=json")
    paths = json.loads(schema.content)["paths"]
    for path in [
        "plans/",
        "plans/{id}/",
        "plans/{id}/submit/",
        "plans/{id}/pdf/",
        "suppliers/",
        "fast-track-offers/",
    ]:
        assert f"/api/v1/orgs/{{org}}/{path}" in paths


def test_a_funding_split_that_does_not_add_up_to_the_total_is_400_and_stores_nothing(
    api, coordinator, person
):
    # Issue 15: a £16 split was accepted on a £1,479.99 plan.
    response = api(coordinator).post(
        f"{BASE}/plans/", body(person, funding={"nhs": "16.00", "social_care": None}), format="json"
    )
    assert response.status_code == 400
    assert response.json()["funding"] == [
        "The funding split adds up to £16.00 but the plan costs £995.00: they must be equal."
    ]
    assert not SupportPlan.objects.exists()


def test_a_split_naming_a_contributor_without_its_amount_is_400(api, coordinator, person):
    response = api(coordinator).post(
        f"{BASE}/plans/", body(person, funding={"nhs": True, "social_care": "995.00"}), format="json"
    )
    assert response.status_code == 400
    assert "missing: nhs" in response.json()["funding"][0]
