"""A plan's limits: at most 200 items, an item at most £1,000,000, costs that fit their columns.

Each is a 400 naming `items` that stores nothing, whether the plan comes through the API or the
service, instead of a numeric(12,2) overflow (a 500 on PostgreSQL) or minutes of work.
"""

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from phb.exceptions import InvalidInput
from phb.money import LARGEST_RECORDABLE
from support_plans import costs, services
from support_plans.models import Budget, PlanItem, SupportPlan
from support_plans.pdf import plan_pdf
from tests.factories import FastTrackOfferFactory, PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"


def item(amount="10.00", frequency="one_off"):
    return {"description": "Support", "category": "home_support", "amount": amount, "frequency": frequency}


def plan_body(person, items, end_date="2026-12-31"):
    return {
        "person": person.pk,
        "start_date": "2026-01-01",
        "end_date": end_date,
        "management": "direct_payment",
        "goals": [{"description": "Stay at home"}],
        "items": items,
    }


def test_the_largest_recordable_amount_is_what_a_money_column_holds():
    field = SupportPlan._meta.get_field("cost_total")
    assert Decimal("9" * (field.max_digits - field.decimal_places) + ".99") == LARGEST_RECORDABLE


def test_costs_that_fit_their_columns_have_no_problem():
    fits = costs.Costs(total=LARGEST_RECORDABLE, weekly=Decimal("1.00"), annual=Decimal("52.00"))
    assert costs.unrecordable(fits) == []


def test_a_total_a_penny_over_the_largest_recordable_amount_is_named():
    over = costs.Costs(total=LARGEST_RECORDABLE + Decimal("0.01"), weekly=Decimal(1), annual=Decimal(52))
    [problem] = costs.unrecordable(over)
    assert "total cost (£10,000,000,000.00)" in problem


def test_two_hundred_items_are_allowed_and_the_two_hundred_and_first_is_not():
    assert costs.too_many_items(200) is None
    assert costs.too_many_items(201) == "A support plan can list at most 200 items; this one has 201."


def test_a_plan_of_201_items_is_a_400_naming_items_and_stores_nothing(api, coordinator, person):
    response = api(coordinator).post(f"{BASE}/plans/", plan_body(person, [item()] * 201), format="json")
    assert response.status_code == 400
    assert "items" in response.json()
    assert "200" in str(response.json()["items"])
    assert not SupportPlan.objects.exists()
    assert not Budget.objects.exists()


def test_a_plan_of_200_items_is_created_with_its_costs(api, coordinator, person):
    response = api(coordinator).post(f"{BASE}/plans/", plan_body(person, [item()] * 200), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["costs"]["total"] == "2000.00"
    assert PlanItem.objects.count() == 200


def test_an_item_over_a_million_pounds_is_a_400_naming_the_amount(api, coordinator, person):
    response = api(coordinator).post(
        f"{BASE}/plans/", plan_body(person, [item(amount="1000000.01")]), format="json"
    )
    assert response.status_code == 400
    assert "amount" in str(response.json()["items"])
    assert not SupportPlan.objects.exists()


def test_a_total_beyond_the_column_is_a_400_naming_items_not_an_overflow(api, coordinator, person):
    # 50 weekly items of £1,000,000 over four years: £10.45 billion, more than numeric(12,2) holds.
    items = [item(amount="1000000.00", frequency="weekly")] * 50
    response = api(coordinator).post(
        f"{BASE}/plans/", plan_body(person, items, end_date="2029-12-31"), format="json"
    )
    assert response.status_code == 400, response.content
    assert "largest amount that can be recorded" in response.json()["items"][0]
    assert not SupportPlan.objects.exists()
    assert not PlanItem.objects.exists()


def test_changing_a_draft_to_a_total_beyond_the_column_keeps_the_draft_as_it_was(org, coordinator):
    plan = PlanFactory(organisation=org, start_date=date(2026, 1, 1), end_date=date(2029, 12, 31))
    kept = list(plan.items.values_list("pk", flat=True))
    items = [
        {
            "description": "Care",
            "category": "home_support",
            "amount": Decimal("1000000.00"),
            "frequency": "weekly",
        }
    ] * 50
    with pytest.raises(InvalidInput) as refused:
        services.plan_update(actor=coordinator, plan=plan, items=items)
    assert "items" in refused.value.details
    assert list(SupportPlan.objects.get(pk=plan.pk).items.values_list("pk", flat=True)) == kept


def test_a_fast_track_offer_cannot_make_a_201st_item(org, coordinator):
    plan = PlanFactory(organisation=org, items=[])
    PlanItem.objects.bulk_create(
        [PlanItemFactory.build(plan=plan, organisation=org, position=n) for n in range(200)]
    )
    offer = FastTrackOfferFactory(organisation=org)
    with pytest.raises(InvalidInput) as refused:
        services.plan_add_fast_track_offer(actor=coordinator, plan=plan, offer=offer)
    assert refused.value.details == {
        "items": ["A support plan can list at most 200 items; this one has 201."]
    }
    assert plan.items.count() == 200


def test_the_pdf_of_the_largest_plan_allowed_is_made_well_within_the_web_servers_timeout(org):
    # 200 items with descriptions of the longest kind; a few seconds on an idle machine, and
    # gunicorn (the Dockerfile) gives a request 30 s.
    described = "Personal assistant, 10 hours a week: help with shopping, cooking and getting out " * 3
    items = [
        {"description": f"{n}. {described}"[:300], "amount": Decimal("25.00"), "frequency": "weekly"}
        for n in range(1, costs.MAX_ITEMS + 1)
    ]
    plan = PlanFactory(organisation=org, items=items)

    started = time.monotonic()
    pdf = plan_pdf(plan)
    elapsed = time.monotonic() - started

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "200. Personal assistant" in text
    assert elapsed < 30, f"{elapsed:.1f} s"
