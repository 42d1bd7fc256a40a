"""Sign-offs that cannot happen: open slots with eligible counts, stuck requests, the author rule,
and the policy editor's warnings (approvals/policy.py, its services, API and pages)."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from approvals import policy as rules
from approvals import services
from phb.constants import Role
from phb.exceptions import SlotNotAllowed
from phb.models import Notification
from tests.factories import approval_request_for, member, submitted_plan

CC, TL = "care_coordinator", "team_lead"
CO_SIGN = [{"role": CC, "count": 1}, {"role": TL, "count": 1}]


def approve(user_id, role):
    return rules.DecisionFact(user_id=user_id, role=role, decision=rules.APPROVE)


def state(required=CO_SIGN, decisions=(), holders=None, submitter=1, may_sign=True, author=None):
    arguments = {
        "required": required,
        "decisions": list(decisions),
        "holders": holders or {},
        "submitter_id": submitter,
        "submitter_may_sign": may_sign,
        "author_id": author,
    }
    return rules.open_slots(**arguments), rules.is_stuck(**arguments)


# --- The rule


def test_a_team_lead_who_signed_as_care_coordinator_leaves_the_team_lead_slot_nobody_can_fill():
    # Issue 15: the only team lead also holds care coordinator, submits and fills that slot.
    slots, stuck = state(decisions=[approve(1, CC)], holders={CC: {1, 2}, TL: {1}})
    assert slots == [rules.OpenSlot(role=TL, remaining=1, eligible=0)]
    assert stuck is True


def test_a_request_with_enough_distinct_people_is_not_stuck():
    slots, stuck = state(decisions=[approve(1, CC)], holders={CC: {1, 2}, TL: {1, 3}})
    assert slots == [rules.OpenSlot(role=TL, remaining=1, eligible=1)]
    assert stuck is False


def test_the_submitter_and_the_plans_author_are_not_eligible_where_the_tier_says_so():
    slots, stuck = state(holders={CC: {1, 5, 6}, TL: {5, 7}}, submitter=1, may_sign=False, author=5)
    assert slots == [rules.OpenSlot(CC, 1, 1), rules.OpenSlot(TL, 1, 1)]
    assert stuck is False
    slots, stuck = state(holders={CC: {1, 5}, TL: {5, 7}}, submitter=1, may_sign=False, author=5)
    assert slots[0] == rules.OpenSlot(CC, 1, 0)
    assert stuck is True


def test_one_person_holding_both_needed_roles_cannot_fill_both_slots():
    slots, stuck = state(holders={CC: {9}, TL: {9}}, submitter=1)
    assert [s.eligible for s in slots] == [1, 1]
    assert stuck is True


def test_the_author_may_not_sign_where_the_submitter_may_not():
    problem = rules.refusal(
        decision=rules.APPROVE,
        role=CC,
        user_id=5,
        user_roles={CC},
        submitter_id=1,
        submitter_may_sign=False,
        required=[{"role": CC, "count": 1}],
        decisions=[],
        author_id=5,
    )
    assert problem == "At this tier the person who wrote the plan cannot sign it off."


def test_the_editor_warns_of_a_tier_needing_more_holders_than_there_are():
    tiers = rules.validate_tiers(
        [
            {
                "up_to": "250.00",
                "basis": "total",
                "signoffs": [{"role": CC, "count": 1}],
                "submitter_may_sign": True,
            },
            {"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 2}]},
        ]
    )
    warnings = rules.tier_shortfalls(tiers, {CC: {1}, "commissioner": {2}})
    assert warnings == ["Tier 2 needs 2 different commissioners, but the organisation has 1."]
    assert rules.tier_shortfalls(tiers, {CC: {1}, "commissioner": {2, 3}}) == []


def test_the_editor_warns_when_one_person_would_have_to_sign_twice():
    tiers = rules.validate_tiers([{"up_to": None, "basis": "total", "signoffs": CO_SIGN}])
    [warning] = rules.tier_shortfalls(tiers, {CC: {4}, TL: {4}})
    assert "2 sign-offs from different people" in warning


people = st.frozensets(st.integers(min_value=1, max_value=8), max_size=6)


@given(cc=people, tl=people, signed=st.sampled_from([None, 1, 2, 3]), may_sign=st.booleans())
def test_stuck_exactly_when_no_assignment_of_distinct_people_completes_the_request(cc, tl, signed, may_sign):
    decisions = [approve(signed, CC)] if signed is not None and signed in cc else []
    slots, stuck = state(
        decisions=decisions, holders={CC: cc, TL: tl}, submitter=1, may_sign=may_sign, author=2
    )
    excluded = {d.user_id for d in decisions} | (set() if may_sign else {1, 2})
    open_roles = {s.role for s in slots}
    pools = {CC: cc - excluded, TL: tl - excluded}
    for slot in slots:
        assert slot.eligible == len(pools[slot.role])
    # Brute force: is there a choice of different people for the open slots?
    if open_roles == {CC, TL}:
        possible = any(a != b for a in pools[CC] for b in pools[TL])
    elif open_roles:
        (role,) = open_roles
        possible = bool(pools[role])
    else:
        possible = True
    assert stuck is (not possible)


# --- Services: a stuck request tells admins and commissioners at once, once


@pytest.fixture
def lonely_lead(org, hackney_policy):
    """City and Hackney with one team lead, who also holds care coordinator."""
    lead = member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="only_lead")
    member(org, Role.CARE_COORDINATOR, username="cc2")
    return lead


@pytest.mark.django_db
def test_a_request_that_becomes_stuck_tells_admins_and_commissioners_once(org, lonely_lead, org_admin):
    commissioner = member(org, Role.COMMISSIONER, username="comm")
    plan = submitted_plan(org, total="600.00")
    request = approval_request_for(plan, lonely_lead)
    assert not Notification.objects.filter(key=f"approval:{request.pk}:stuck").exists()

    services.decision_record(actor=lonely_lead, request=request, decision="approve", role=CC)

    told = Notification.objects.filter(key=f"approval:{request.pk}:stuck")
    assert {n.user for n in told} == {org_admin, commissioner}
    assert "team lead: 1 still needed, 0 could give it" in told.first().body
    services.approval_request_tell_if_stuck(request=request)
    assert told.count() == 2


@pytest.mark.django_db
def test_a_request_stuck_from_the_start_is_told_when_it_opens(org, hackney_policy, org_admin):
    submitter = member(org, Role.CARE_COORDINATOR, username="cc_only")
    plan = submitted_plan(org, total="600.00")  # needs a team lead, and the organisation has none
    request = approval_request_for(plan, submitter)
    assert Notification.objects.filter(key=f"approval:{request.pk}:stuck", user=org_admin).exists()


@pytest.mark.django_db
def test_the_plans_author_cannot_sign_a_panel_tier(org, hackney_policy):
    author = member(org, Role.CARE_COORDINATOR, Role.COMMISSIONER, username="author")
    submitter = member(org, Role.CARE_COORDINATOR, username="submitter")
    plan = submitted_plan(org, total="5000.00")
    plan.created_by = author
    plan.save(update_fields=["created_by"])
    request = approval_request_for(plan, submitter)
    with pytest.raises(SlotNotAllowed, match="wrote the plan"):
        services.decision_record(actor=author, request=request, decision="approve", role="commissioner")


# --- API and pages


@pytest.mark.django_db
def test_every_request_in_the_api_carries_open_slots_with_eligible_and_stuck(api, org, lonely_lead):
    plan = submitted_plan(org, total="600.00")
    request = approval_request_for(plan, lonely_lead)
    services.decision_record(actor=lonely_lead, request=request, decision="approve", role=CC)

    detail = api(lonely_lead).get(f"/api/v1/orgs/07T/approvals/{request.pk}/").json()
    assert detail["open_slots"] == [{"role": TL, "remaining": 1, "eligible": 0, "count": 1}]
    assert detail["stuck"] is True
    [listed] = api(lonely_lead).get("/api/v1/orgs/07T/approvals/?status=pending").json()["results"]
    assert listed["stuck"] is True


@pytest.mark.django_db
def test_a_request_people_can_finish_is_not_stuck_in_the_api(api, org, lonely_lead):
    member(org, Role.TEAM_LEAD, username="second_lead")
    plan = submitted_plan(org, total="600.00")
    request = approval_request_for(plan, lonely_lead)
    detail = api(lonely_lead).get(f"/api/v1/orgs/07T/approvals/{request.pk}/").json()
    assert detail["stuck"] is False
    assert {s["role"]: s["eligible"] for s in detail["open_slots"]} == {CC: 2, TL: 2}


@pytest.mark.django_db
def test_putting_a_policy_answers_with_its_warnings(api, org):
    commissioner = member(org, Role.COMMISSIONER, username="comm")
    tiers = [{"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 3}]}]
    response = api(commissioner).put("/api/v1/orgs/07T/approval-policy/", {"tiers": tiers}, format="json")
    assert response.status_code == 200
    assert response.json()["warnings"] == [
        "Tier 1 needs 3 different commissioners, but the organisation has 1."
    ]
    assert (
        api(commissioner).get("/api/v1/orgs/07T/approval-policy/").json()["warnings"]
        == response.json()["warnings"]
    )


def _html(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path).content.decode()


@pytest.mark.django_db
def test_the_decision_page_says_the_request_is_stuck_and_why(org, lonely_lead):
    plan = submitted_plan(org, total="600.00")
    request = approval_request_for(plan, lonely_lead)
    services.decision_record(actor=lonely_lead, request=request, decision="approve", role=CC)

    html = _html(lonely_lead, f"/o/07T/approvals/{request.pk}/")
    assert "Nobody can give a sign-off this request needs" in html
    assert "Team lead: 1 still needed, 0 people could give it" in html
    assert "You have already decided on this request" in html


@pytest.mark.django_db
def test_the_policy_page_warns_of_tiers_the_staff_cannot_fill(org, hackney_policy):
    commissioner = member(org, Role.COMMISSIONER, username="comm")
    html = _html(commissioner, "/o/07T/approval-policy/")
    assert "Some sign-offs cannot be given by the staff you have" in html
    assert "Tier 2 needs 1 different team lead, but the organisation has 0." in html
