"""The approval services: opening a request, each sign-off rule, and the outcome on the plan."""

from decimal import Decimal

import pytest

from approvals import policy as rules
from approvals import services
from approvals.models import ApprovalRequest, Decision
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, SlotNotAllowed, TransitionNotAllowed
from phb.models import AuditEvent
from tests.factories import BIRMINGHAM_TIERS, approval_request_for, member, submitted_plan

pytestmark = pytest.mark.django_db


def open_request(org, submitter, total="600.00", **costs):
    plan = submitted_plan(org, total=total, care_coordinator=submitter, **costs)
    return approval_request_for(plan, submitter)


def approve(request, user, role):
    return services.decision_record(actor=user, request=request, decision="approve", role=role, comment="")


# --- Policies


def test_publishing_makes_a_new_version_each_time(org, hackney_policy):
    second = services.policy_publish(actor=None, organisation=org, tiers=BIRMINGHAM_TIERS)
    assert (hackney_policy.version, second.version) == (1, 2)
    assert services.policy_in_force(org) == second


def test_the_policy_in_force_is_the_latest_to_have_taken_effect(org, hackney_policy):
    from datetime import timedelta

    from django.utils import timezone

    services.policy_publish(
        actor=None,
        organisation=org,
        tiers=BIRMINGHAM_TIERS,
        effective_from=timezone.now() + timedelta(days=7),
    )
    assert services.policy_in_force(org) == hackney_policy


def test_an_invalid_policy_is_refused_with_field_keyed_messages(org):
    with pytest.raises(InvalidInput) as caught:
        services.policy_publish(actor=None, organisation=org, tiers=[{"up_to": "100.00", "basis": "total"}])
    assert "tiers[0].up_to" in caught.value.details
    assert "tiers[0].signoffs" in caught.value.details


# --- Opening a request


def test_submitting_snapshots_the_policy_tier_basis_amount_and_slots(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    assert request.policy == hackney_policy
    assert request.policy_version == 1
    assert (request.tier, request.basis, request.measured_amount) == (2, "total", Decimal("600.00"))
    assert request.up_to == Decimal("750.00")
    assert request.required == [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}]
    assert request.submitter_may_sign is True
    assert request.submitted_by == staff["submitter"]
    assert request.status == "pending"
    assert AuditEvent.objects.filter(action="approval_requested", object_id=str(request.pk)).exists()


def test_a_weekly_policy_measures_the_weekly_cost(org, staff):
    services.policy_publish(actor=None, organisation=org, tiers=BIRMINGHAM_TIERS)
    request = open_request(org, staff["submitter"], total="30000.00", weekly="450.00")
    assert (request.tier, request.basis, request.measured_amount) == (2, "weekly", Decimal("450.00"))


def test_submitting_without_a_policy_is_a_conflict(org, staff):
    plan = submitted_plan(org)
    with pytest.raises(Conflict, match="no approval policy"):
        approval_request_for(plan, staff["submitter"])


def test_a_later_policy_change_never_changes_a_pending_request(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    services.policy_publish(
        actor=None,
        organisation=org,
        tiers=[{"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 2}]}],
    )
    request.refresh_from_db()
    assert (request.policy_version, request.tier) == (1, 2)
    assert request.required == [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}]
    # And it is still decided by its own snapshot: the old panel approves it.
    approve(request, staff["coordinator2"], Role.CARE_COORDINATOR)
    request = approve(request, staff["team_lead"], Role.TEAM_LEAD)
    assert request.status == "approved"


# --- The sign-off rules, one per test


def test_each_slot_needs_a_distinct_user(org, staff):
    services.policy_publish(
        actor=None,
        organisation=org,
        tiers=[{"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 2}]}],
    )
    request = open_request(org, staff["submitter"])
    approve(request, staff["commissioner"], Role.COMMISSIONER)
    with pytest.raises(SlotNotAllowed):
        approve(request, staff["commissioner"], Role.COMMISSIONER)
    request = approve(request, staff["commissioner2"], Role.COMMISSIONER)
    assert request.status == "approved"
    assert Decision.objects.filter(request=request).count() == 2


def test_panel_member_cannot_fill_two_slots(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    approve(request, staff["team_lead"], Role.CARE_COORDINATOR)  # the team lead is also a care coordinator
    with pytest.raises(SlotNotAllowed, match="already decided"):
        approve(request, staff["team_lead"], Role.TEAM_LEAD)
    request.refresh_from_db()
    assert request.status == "pending"


def test_submitter_cannot_sign_where_the_tier_forbids_it(org, hackney_policy, staff):
    submitter = member(org, Role.CARE_COORDINATOR, Role.COMMISSIONER, username="dual")
    request = open_request(org, submitter, total="1200.00")
    assert request.tier == 3
    with pytest.raises(SlotNotAllowed, match="submitted"):
        approve(request, submitter, Role.COMMISSIONER)


def test_submitter_may_sign_where_the_tier_allows_it(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="200.00")
    assert request.tier == 1
    request = approve(request, staff["submitter"], Role.CARE_COORDINATOR)
    assert request.status == "approved"


def test_a_user_without_the_role_cannot_sign(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    with pytest.raises(SlotNotAllowed, match="do not hold"):
        approve(request, staff["broker"], Role.TEAM_LEAD)


def test_a_full_slot_cannot_be_filled_twice(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    approve(request, staff["coordinator2"], Role.CARE_COORDINATOR)
    with pytest.raises(SlotNotAllowed, match="already given"):
        approve(request, staff["submitter"], Role.CARE_COORDINATOR)


def test_any_decline_declines(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="1200.00")
    approve(request, staff["reviewer"], Role.LIVED_EXPERIENCE_REVIEWER)
    approve(request, staff["phb_lead"], Role.PHB_LEAD)
    request = services.decision_record(
        actor=staff["commissioner"],
        request=request,
        decision="decline",
        role=Role.COMMISSIONER,
        comment="No.",
    )
    assert request.status == "declined"
    assert request.decided_at is not None
    request.plan.refresh_from_db()
    assert request.plan.status == "declined"


def test_return_sends_the_plan_back_to_draft_with_the_comment(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    request = services.decision_record(
        actor=staff["team_lead"],
        request=request,
        decision="return",
        role=Role.TEAM_LEAD,
        comment="Add a risk.",
    )
    assert request.status == "returned"
    request.plan.refresh_from_db()
    assert (request.plan.status, request.plan.return_comment) == ("draft", "Add a risk.")


def test_approved_the_moment_the_last_slot_is_filled(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="1200.00")
    approve(request, staff["reviewer"], Role.LIVED_EXPERIENCE_REVIEWER)
    request = approve(request, staff["phb_lead"], Role.PHB_LEAD)
    request.plan.refresh_from_db()
    assert (request.status, request.plan.status) == ("pending", "submitted")
    request = approve(request, staff["commissioner"], Role.COMMISSIONER)
    request.plan.refresh_from_db()
    last = Decision.objects.filter(request=request).latest("at")
    assert (request.status, request.plan.status) == ("approved", "approved")
    assert request.decided_at == last.at == request.plan.approved_at
    assert (
        AuditEvent.objects.filter(action="approval_request_approved", object_id=str(request.pk)).count() == 1
    )


def test_a_decided_request_takes_no_more_decisions(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="200.00")
    approve(request, staff["submitter"], Role.CARE_COORDINATOR)
    with pytest.raises(TransitionNotAllowed):
        approve(request, staff["coordinator2"], Role.CARE_COORDINATOR)


@pytest.mark.parametrize("decision", ["decline", "return"])
def test_declining_or_returning_needs_a_comment(org, hackney_policy, staff, decision):
    request = open_request(org, staff["submitter"], total="600.00")
    with pytest.raises(InvalidInput) as caught:
        services.decision_record(
            actor=staff["team_lead"], request=request, decision=decision, role="team_lead"
        )
    assert "comment" in caught.value.details


def test_the_unique_constraint_is_the_last_line_of_defence(org, hackney_policy, staff, monkeypatch):
    request = open_request(org, staff["submitter"], total="1200.00")
    approve(request, staff["reviewer"], Role.LIVED_EXPERIENCE_REVIEWER)
    monkeypatch.setattr(rules, "refusal", lambda **kwargs: None)  # as if the check had raced
    with pytest.raises(SlotNotAllowed, match="already decided"):
        approve(request, staff["reviewer"], Role.LIVED_EXPERIENCE_REVIEWER)
    assert Decision.objects.filter(request=request).count() == 1


def test_decisions_and_their_times_are_recorded_for_the_dashboards(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"], total="600.00")
    approve(request, staff["coordinator2"], Role.CARE_COORDINATOR)
    request = approve(request, staff["team_lead"], Role.TEAM_LEAD)
    decisions = list(Decision.objects.filter(request=request))
    assert [(d.user, d.role, d.decision) for d in decisions] == [
        (staff["coordinator2"], "care_coordinator", "approve"),
        (staff["team_lead"], "team_lead", "approve"),
    ]
    assert request.submitted_at <= decisions[0].at <= decisions[1].at == request.decided_at
    summaries = AuditEvent.objects.filter(person=request.person).values_list("summary", flat=True)
    assert any("Signed off by" in s and "as team lead" in s for s in summaries)


def test_a_plan_waits_on_one_request_at_a_time(org, hackney_policy, staff):
    request = open_request(org, staff["submitter"])
    with pytest.raises(Conflict):
        approval_request_for(request.plan, staff["submitter"])
    assert ApprovalRequest.objects.filter(plan=request.plan).count() == 1


def test_submitting_through_support_plans_opens_the_request(org, hackney_policy, staff, person):
    from datetime import date

    from support_plans import services as plan_services

    plan = plan_services.plan_create(
        actor=staff["submitter"],
        organisation=org,
        person=person,
        start_date=date(2026, 1, 5),
        end_date=date(2026, 12, 27),
        management="direct_payment",
        goals=[{"description": "Feel less isolated"}],
        items=[
            {
                "description": "Laptop",
                "category": "technical_equipment",
                "amount": Decimal("480.00"),
                "frequency": "one_off",
            }
        ],
    )
    request = plan_services.plan_submit(actor=staff["submitter"], plan=plan)
    assert isinstance(request, ApprovalRequest)
    assert (request.tier, request.measured_amount) == (2, Decimal("480.00"))
