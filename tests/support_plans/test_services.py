"""Support plan services: creating, changing, submitting, every transition allowed and refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from phb.exceptions import Conflict, InvalidInput, TransitionNotAllowed
from phb.models import AuditEvent
from support_plans import services
from support_plans.constants import PLAN_TRANSITIONS, PlanStatus
from support_plans.models import Budget, PlanItem, SupportPlan
from tests.factories import (
    ActivePlanFactory,
    ApprovedPlanFactory,
    FastTrackOfferFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    SubmittedPlanFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now


def plan_fields(**overrides):
    fields = {
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "management": "direct_payment",
        "goals": [
            {
                "description": "I want to get back to swimming twice a week",
                "how_budget_helps": "Pays the pass",
            }
        ],
        "items": [
            {
                "description": "Swimming pass",
                "category": "fitness_exercise",
                "amount": Decimal("200.00"),
                "frequency": "one_off",
            },
            {
                "description": "Personal assistant",
                "category": "personal_assistant",
                "amount": Decimal("60.00"),
                "frequency": "weekly",
            },
        ],
        "risks": [{"risk": "Pool closes", "mitigation": "Use the leisure centre"}],
    }
    fields.update(overrides)
    return fields


def make_plan(org, person, actor, **overrides):
    return services.plan_create(actor=actor, organisation=org, person=person, **plan_fields(**overrides))


def test_plan_create_makes_a_budget_and_version_one_with_costs_from_the_rule(org, person, coordinator):
    plan = make_plan(org, person, coordinator)
    assert plan.version == 1
    assert plan.status == PlanStatus.DRAFT
    assert plan.budget.person == person
    # 200 one-off + 60 weekly x 53 Thursdays of 2026
    assert plan.cost_total == Decimal("3380.00")
    assert plan.cost_weekly == Decimal("63.84")
    assert plan.care_coordinator == coordinator
    assert [g.description for g in plan.goals.all()] == ["I want to get back to swimming twice a week"]
    assert plan.items.count() == 2 and plan.risks.count() == 1
    assert AuditEvent.objects.filter(action="plan_created", person=person).exists()


def test_a_person_may_hold_more_than_one_budget(org, person, coordinator):
    first = make_plan(org, person, coordinator)
    second = make_plan(org, person, coordinator)
    assert first.budget != second.budget
    assert Budget.objects.filter(person=person).count() == 2


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("-1.00")}, "amount"),
        ({"amount": Decimal("1.234")}, "amount"),
        ({"amount": Decimal("1000000.01")}, "amount"),
        ({"category": "yachts"}, "category"),
        ({"frequency": "hourly"}, "frequency"),
        ({"start_date": date(2026, 3, 1), "end_date": date(2026, 2, 1)}, "must end on or after"),
    ],
)
def test_plan_create_refuses_bad_items_and_saves_nothing(org, person, coordinator, item, problem):
    values = {
        "description": "X",
        "category": "other",
        "amount": Decimal("10.00"),
        "frequency": "one_off",
        **item,
    }
    with pytest.raises(InvalidInput) as error:
        make_plan(org, person, coordinator, items=[values])
    assert problem in " ".join(error.value.details["items"])
    assert not SupportPlan.objects.exists() and not Budget.objects.exists()


def test_plan_create_refuses_end_before_start(org, person, coordinator):
    with pytest.raises(InvalidInput) as error:
        make_plan(org, person, coordinator, start_date=date(2026, 2, 1), end_date=date(2026, 1, 1))
    assert "end_date" in error.value.details
    assert not Budget.objects.exists()


def test_plan_create_refuses_another_organisations_person(org, coordinator):
    stranger = PersonFactory(organisation=OrganisationFactory(code="99X"))
    with pytest.raises(InvalidInput) as error:
        make_plan(org, stranger, coordinator)
    assert "person" in error.value.details


def test_organisation_may_use_its_own_spend_category(org, person, coordinator):
    from support_plans.models import OrganisationSpendCategory

    OrganisationSpendCategory.objects.create(organisation=org, code="peer_support", label="Peer support")
    plan = make_plan(
        org,
        person,
        coordinator,
        items=[
            {
                "description": "Peer group",
                "category": "peer_support",
                "amount": Decimal("20.00"),
                "frequency": "one_off",
            }
        ],
    )
    assert plan.items.get().category == "peer_support"


def test_plan_update_replaces_items_and_recomputes_costs(org, person, coordinator):
    plan = make_plan(org, person, coordinator)
    services.plan_update(
        actor=coordinator,
        plan=plan,
        contingency="Call the crisis line",
        items=[
            {
                "description": "Art supplies",
                "category": "arts_crafts",
                "amount": Decimal("120.50"),
                "frequency": "one_off",
            }
        ],
    )
    plan.refresh_from_db()
    assert plan.cost_total == Decimal("120.50")
    assert plan.contingency == "Call the crisis line"
    assert list(plan.items.values_list("description", flat=True)) == ["Art supplies"]
    assert plan.goals.count() == 1  # not given, so kept


@pytest.mark.parametrize("factory", [SubmittedPlanFactory, ApprovedPlanFactory, ActivePlanFactory])
def test_plan_update_refuses_anything_but_a_draft(org, factory):
    plan = factory(organisation=org)
    with pytest.raises(TransitionNotAllowed, match=plan.status):
        services.plan_update(actor=None, plan=plan, contingency="x")


# --- Submitting


def test_plan_submit_sets_submitted_and_opens_the_approval_request(org, coordinator, policy):
    plan = PlanFactory(organisation=org)
    request = services.plan_submit(actor=coordinator, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.submitted_at is not None
    assert request is not None and request.plan == plan
    assert request.tier == 1 and request.basis == "total"
    assert plan.approval_requests.count() == 1


def test_plan_submit_needs_a_goal_and_an_item(org, coordinator, policy):
    plan = PlanFactory(organisation=org, goals=[], items=[])
    with pytest.raises(InvalidInput) as error:
        services.plan_submit(actor=coordinator, plan=plan)
    assert set(error.value.details) == {"goals", "items"}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_plan_submit_without_an_approval_policy_changes_nothing(org, coordinator):
    plan = PlanFactory(organisation=org)
    with pytest.raises(Conflict):
        services.plan_submit(actor=coordinator, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


@pytest.mark.parametrize("factory", [SubmittedPlanFactory, ApprovedPlanFactory, ActivePlanFactory])
def test_plan_submit_refuses_a_plan_that_is_not_a_draft(org, coordinator, policy, factory):
    plan = factory(organisation=org)
    with pytest.raises(TransitionNotAllowed):
        services.plan_submit(actor=coordinator, plan=plan)


# --- Decisions from approvals, activation from payments


def test_plan_mark_approved_then_active(org, coordinator):
    plan = SubmittedPlanFactory(organisation=org)
    at = NOW()
    services.plan_mark_approved(actor=coordinator, plan=plan, at=at)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_at, plan.decided_at) == (PlanStatus.APPROVED, at, at)
    services.plan_mark_active(actor=coordinator, plan=plan, at=at)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.activated_at == at
    # payments calls it on every release or payment: a second call changes nothing
    services.plan_mark_active(actor=coordinator, plan=plan, at=NOW())
    plan.refresh_from_db()
    assert plan.activated_at == at


def test_plan_mark_declined_and_returned(org, coordinator):
    declined = SubmittedPlanFactory(organisation=org)
    services.plan_mark_declined(actor=coordinator, plan=declined, at=NOW())
    declined.refresh_from_db()
    assert declined.status == PlanStatus.DECLINED
    returned = SubmittedPlanFactory(organisation=org)
    services.plan_mark_returned(actor=coordinator, plan=returned, comment="Add a risk", at=NOW())
    returned.refresh_from_db()
    assert returned.status == PlanStatus.DRAFT and returned.return_comment == "Add a risk"


ACTIONS = {
    "approve": lambda plan: services.plan_mark_approved(actor=None, plan=plan, at=NOW()),
    "decline": lambda plan: services.plan_mark_declined(actor=None, plan=plan, at=NOW()),
    "return": lambda plan: services.plan_mark_returned(actor=None, plan=plan, comment="", at=NOW()),
    "activate": lambda plan: services.plan_mark_active(actor=None, plan=plan, at=NOW()),
    "close": lambda plan: services.plan_close(
        actor=None, plan=plan, reason="moved", closed_on=date(2026, 6, 1)
    ),
}
TARGET = {
    "approve": PlanStatus.APPROVED,
    "decline": PlanStatus.DECLINED,
    "return": PlanStatus.DRAFT,
    "activate": PlanStatus.ACTIVE,
    "close": PlanStatus.CLOSED,
}


@pytest.mark.parametrize("status", [s for s in PlanStatus.values])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_is_allowed_only_by_the_transition_table(org, status, action):
    plan = PlanFactory(organisation=org, status=status)
    allowed = TARGET[action] in PLAN_TRANSITIONS[PlanStatus(status)] or (
        action == "activate" and status == PlanStatus.ACTIVE  # idempotent
    )
    if allowed:
        ACTIONS[action](plan)
        plan.refresh_from_db()
        assert plan.status == TARGET[action]
    else:
        with pytest.raises(TransitionNotAllowed):
            ACTIONS[action](plan)
        plan.refresh_from_db()
        assert plan.status == status


# --- Versions


def test_plan_revise_makes_a_new_draft_version_and_the_active_one_stays_readable(org, coordinator):
    active = ActivePlanFactory(organisation=org, goals=["I want to cook for my family again"])
    revision = services.plan_revise(actor=coordinator, plan=active)
    assert (revision.version, revision.status, revision.budget_id) == (2, PlanStatus.DRAFT, active.budget_id)
    assert [g.description for g in revision.goals.all()] == ["I want to cook for my family again"]
    assert revision.items.count() == active.items.count()
    assert revision.cost_total == active.cost_total
    active.refresh_from_db()
    assert active.status == PlanStatus.ACTIVE


def test_a_second_revision_while_one_is_open_is_refused(org, coordinator):
    active = ActivePlanFactory(organisation=org)
    services.plan_revise(actor=coordinator, plan=active)
    with pytest.raises(Conflict):
        services.plan_revise(actor=coordinator, plan=active)


@pytest.mark.parametrize("status", ["draft", "submitted", "approved", "declined", "closed", "superseded"])
def test_only_an_active_plan_can_be_revised(org, coordinator, status):
    plan = PlanFactory(organisation=org, status=status)
    with pytest.raises(TransitionNotAllowed, match=status):
        services.plan_revise(actor=coordinator, plan=plan)


def test_approving_a_revision_supersedes_the_active_version_and_stays_active(org, coordinator):
    active = ActivePlanFactory(organisation=org)
    revision = services.plan_revise(actor=coordinator, plan=active)
    SupportPlan.objects.filter(pk=revision.pk).update(status=PlanStatus.SUBMITTED)
    revision.refresh_from_db()
    services.plan_mark_approved(actor=coordinator, plan=revision, at=NOW())
    active.refresh_from_db()
    revision.refresh_from_db()
    assert active.status == PlanStatus.SUPERSEDED and active.superseded_at is not None
    assert revision.status == PlanStatus.ACTIVE


# --- Closing


def test_plan_close_records_reason_and_date_on_the_budget(org, coordinator):
    plan = ActivePlanFactory(organisation=org)
    services.plan_close(actor=coordinator, plan=plan, reason="goals_achieved", closed_on=date(2026, 9, 30))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert (plan.budget.closed_on, plan.budget.close_reason) == (date(2026, 9, 30), "goals_achieved")


def test_plan_close_refuses_an_unknown_reason(org, coordinator):
    plan = ActivePlanFactory(organisation=org)
    with pytest.raises(InvalidInput) as error:
        services.plan_close(actor=coordinator, plan=plan, reason="bored", closed_on=date(2026, 9, 30))
    assert "reason" in error.value.details


# --- Directory and fast-track offers


def test_supplier_create_refuses_a_duplicate(org, coordinator):
    services.supplier_create(actor=coordinator, organisation=org, name="Better Gym", service="Membership")
    with pytest.raises(InvalidInput) as error:
        services.supplier_create(actor=coordinator, organisation=org, name="better gym", service="membership")
    assert "name" in error.value.details


def test_fast_track_offer_is_added_to_a_draft_in_one_step(org, coordinator):
    supplier = SupplierFactory(organisation=org, name="Phones 4 All")
    offer = services.fast_track_offer_create(
        actor=coordinator,
        organisation=org,
        name="Smartphone and SIM for 12 months",
        description="Smartphone with 12-month SIM",
        category="connectivity",
        amount=Decimal("250.00"),
        supplier=supplier,
    )
    plan = PlanFactory(organisation=org)
    services.plan_add_fast_track_offer(actor=coordinator, plan=plan, offer=offer)
    plan.refresh_from_db()
    item = plan.items.get(description="Smartphone with 12-month SIM")
    assert (item.amount, item.supplier, item.supplier_name) == (Decimal("250.00"), supplier, "Phones 4 All")
    assert plan.cost_total == Decimal("450.00")


def test_fast_track_offer_cannot_be_added_to_a_submitted_plan(org, coordinator):
    offer = FastTrackOfferFactory(organisation=org)
    plan = SubmittedPlanFactory(organisation=org)
    with pytest.raises(TransitionNotAllowed):
        services.plan_add_fast_track_offer(actor=coordinator, plan=plan, offer=offer)
    assert PlanItem.objects.filter(plan=plan).count() == 1
