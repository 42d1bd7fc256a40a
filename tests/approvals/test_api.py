"""The approvals API, as API.md describes it: policy, preview, requests and decisions."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import services
from phb.constants import Role
from tests.factories import BIRMINGHAM_TIERS, HACKNEY_TIERS, approval_request_for, member, submitted_plan

pytestmark = pytest.mark.django_db


def policy_url(org_code="07T"):
    return f"/api/v1/orgs/{org_code}/approval-policy/"


def approvals_url(org_code="07T", pk=None, tail=""):
    return f"/api/v1/orgs/{org_code}/approvals/" + (f"{pk}/" if pk else "") + tail


def decide(api, user, request_id, decision="approve", role=Role.CARE_COORDINATOR, comment="", org_code="07T"):
    return api(user).post(
        approvals_url(org_code, request_id, "decisions/"),
        {"decision": decision, "role": role, "comment": comment},
        format="json",
    )


@pytest.fixture
def pending(org, hackney_policy, staff):
    """A £600 plan (tier 2: care coordinator and team lead) waiting for sign-off."""
    return approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])


# --- End to end, both example policies


def test_city_and_hackney_policy_end_to_end(api, org, staff):
    commissioner = staff["commissioner"]
    response = api(commissioner).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 1
    assert response.json()["tiers"] == HACKNEY_TIERS

    person = (
        api(staff["submitter"])
        .post(
            "/api/v1/orgs/07T/people/",
            {
                "nhs_number": "9434765919",
                "given_name": "Amara",
                "family_name": "Okafor",
                "date_of_birth": "1985-04-12",
                "gender": "2",
                "ethnicity": "N",
                "cohorts": ["mental_health"],
            },
            format="json",
        )
        .json()
    )
    from phb.models import Person

    plan = submitted_plan(org, person=Person.objects.get(pk=person["id"]), total="1200.00")
    request = approval_request_for(plan, staff["submitter"])

    mine = api(staff["reviewer"]).get(approvals_url() + "?status=pending&mine=true").json()
    assert [r["id"] for r in mine["results"]] == [request.pk]
    assert api(staff["submitter"]).get(approvals_url() + "?status=pending&mine=true").json()["count"] == 0

    assert (
        decide(api, staff["reviewer"], request.pk, role=Role.LIVED_EXPERIENCE_REVIEWER).json()["status"]
        == "pending"
    )
    assert decide(api, staff["phb_lead"], request.pk, role=Role.PHB_LEAD).json()["status"] == "pending"
    response = decide(api, commissioner, request.pk, role=Role.COMMISSIONER, comment="Agreed at panel.")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "approved"
    assert (body["tier"], body["basis"], body["measured_amount"]) == (3, "total", "1200.00")
    assert [d["role"] for d in body["decisions"]] == ["lived_experience_reviewer", "phb_lead", "commissioner"]
    assert body["decisions"][2]["user"] == commissioner.pk
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_birmingham_and_solihull_policy_end_to_end(api, other_org):
    commissioner = member(other_org, Role.COMMISSIONER, username="bs_commissioner")
    coordinator = member(other_org, Role.CARE_COORDINATOR, username="bs_coordinator")
    panel = {
        Role.PHB_LEAD: member(other_org, Role.PHB_LEAD, username="bs_phb_lead"),
        Role.COMMISSIONER: commissioner,
        Role.LIVED_EXPERIENCE_REVIEWER: member(
            other_org, Role.LIVED_EXPERIENCE_REVIEWER, username="bs_reviewer"
        ),
    }
    assert (
        api(commissioner).put(policy_url("15E"), {"tiers": BIRMINGHAM_TIERS}, format="json").status_code
        == 200
    )

    small = approval_request_for(submitted_plan(other_org, total="15600.00", weekly="300.00"), coordinator)
    detail = api(commissioner).get(approvals_url("15E", small.pk)).json()
    assert (detail["tier"], detail["basis"], detail["measured_amount"]) == (1, "weekly", "300.00")
    assert detail["required"] == [{"role": "commissioner", "count": 1}]
    assert (
        decide(api, commissioner, small.pk, role=Role.COMMISSIONER, org_code="15E").json()["status"]
        == "approved"
    )

    large = approval_request_for(submitted_plan(other_org, total="26000.00", weekly="500.00"), coordinator)
    for role, user in panel.items():
        response = decide(api, user, large.pk, role=role, org_code="15E")
        assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"
    assert api(coordinator).get(approvals_url("15E", large.pk)).json()["decided_at"] is not None


# --- approval-policy


def test_policy_needs_credentials(api, org):
    assert api(None).get(policy_url()).status_code == 401
    assert api(None).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").status_code == 401


def test_policy_of_another_organisation_is_404(api, hackney_policy, outsider):
    assert api(outsider).get(policy_url()).status_code == 404
    assert api(outsider).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").status_code == 404


def test_policy_is_404_with_detail_until_one_is_set(api, org, staff):
    response = api(staff["broker"]).get(policy_url())
    assert response.status_code == 404
    assert "detail" in response.json()


def test_any_member_reads_the_policy_in_force(api, hackney_policy, staff):
    body = api(staff["broker"]).get(policy_url()).json()
    assert (body["version"], body["tiers"]) == (1, HACKNEY_TIERS)
    assert "effective_from" in body


def test_only_commissioners_and_org_admins_change_the_policy(api, org, staff, org_admin):
    assert (
        api(staff["submitter"]).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").status_code == 403
    )
    assert (
        api(staff["phb_lead"]).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").status_code == 403
    )
    assert api(org_admin).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").status_code == 200


def test_an_invalid_policy_is_400_naming_the_fields(api, org, staff):
    tiers = [dict(t) for t in HACKNEY_TIERS]
    tiers[1] = {**tiers[1], "up_to": "100.00"}
    tiers[2] = {**tiers[2], "signoffs": [{"role": "wizard", "count": 0}]}
    response = api(staff["commissioner"]).put(policy_url(), {"tiers": tiers}, format="json")
    assert response.status_code == 400
    assert {"tiers[1].up_to", "tiers[2].signoffs[0].role", "tiers[2].signoffs[0].count"} <= set(
        response.json()
    )
    assert api(staff["commissioner"]).put(policy_url(), {}, format="json").status_code == 400


def test_a_new_version_is_in_force_at_once(api, hackney_policy, staff):
    response = api(staff["commissioner"]).put(policy_url(), {"tiers": BIRMINGHAM_TIERS}, format="json")
    assert response.json()["version"] == 2
    assert api(staff["broker"]).get(policy_url()).json()["tiers"] == BIRMINGHAM_TIERS


def test_preview_names_the_tier_and_who_signs(api, hackney_policy, staff):
    body = api(staff["submitter"]).get(policy_url() + "preview/?total=600.00&weekly=11.54").json()
    assert (body["tier"], body["measured_amount"]) == (2, "600.00")
    assert body["summary"] == (
        "A plan of £600.00 total / £11.54 a week would need a care coordinator and a team lead (tier 2)."
    )


def test_preview_refuses_bad_amounts(api, hackney_policy, staff):
    response = api(staff["submitter"]).get(policy_url() + "preview/?total=12.345")
    assert response.status_code == 400
    assert "total" in response.json()


# --- approvals list and detail


def test_approvals_need_credentials(api, pending):
    assert api(None).get(approvals_url()).status_code == 401
    assert api(None).get(approvals_url(pk=pending.pk)).status_code == 401


def test_region_viewers_see_no_approvals(api, org, pending):
    viewer = member(org, Role.REGION_VIEWER, username="viewer")
    assert api(viewer).get(approvals_url()).status_code == 403
    assert api(viewer).get(approvals_url(pk=pending.pk)).status_code == 403


def test_another_organisations_request_is_404(api, pending, outsider, other_org):
    assert api(outsider).get(approvals_url(pk=pending.pk)).status_code == 404
    assert api(outsider).get(approvals_url("15E", pending.pk)).status_code == 404
    assert api(outsider).get(approvals_url("15E")).json()["count"] == 0


def test_detail_shows_the_snapshot_and_decisions(api, pending, staff):
    decide(api, staff["coordinator2"], pending.pk, comment="Fine by me.")
    body = api(staff["commissioner"]).get(approvals_url(pk=pending.pk)).json()
    for field in ("id", "plan", "person", "status", "tier", "basis", "measured_amount", "required"):
        assert field in body
    assert (body["submitted_by"], body["policy_version"]) == (staff["submitter"].pk, 1)
    decision = body["decisions"][0]
    assert set(decision) >= {"user", "user_name", "role", "decision", "comment", "at"}
    assert (decision["user"], decision["comment"]) == (staff["coordinator2"].pk, "Fine by me.")


def test_mine_lists_only_requests_with_a_slot_i_may_fill(api, org, pending, staff):
    other = approval_request_for(submitted_plan(org, total="1200.00"), staff["submitter"])
    as_team_lead = api(staff["team_lead"]).get(approvals_url() + "?status=pending&mine=true").json()
    assert [r["id"] for r in as_team_lead["results"]] == [pending.pk]
    decide(api, staff["team_lead"], pending.pk, role=Role.TEAM_LEAD)
    assert api(staff["team_lead"]).get(approvals_url() + "?status=pending&mine=true").json()["count"] == 0
    everything = api(staff["team_lead"]).get(approvals_url() + "?status=pending").json()
    assert {r["id"] for r in everything["results"]} == {pending.pk, other.pk}


def test_mine_costs_a_constant_number_of_queries(api, org, hackney_policy, staff):
    client = api(staff["commissioner"])
    approval_request_for(submitted_plan(org, total="1200.00"), staff["submitter"])
    with CaptureQueriesContext(connection) as one:
        client.get(approvals_url() + "?status=pending&mine=true")
    for _ in range(4):
        request = approval_request_for(submitted_plan(org, total="1200.00"), staff["submitter"])
        decide(api, staff["reviewer"], request.pk, role=Role.LIVED_EXPERIENCE_REVIEWER)
    with CaptureQueriesContext(connection) as five:
        response = client.get(approvals_url() + "?status=pending&mine=true")
    assert response.json()["count"] == 5
    assert len(five) == len(one)


def test_an_unknown_status_filter_is_400(api, pending, staff):
    assert api(staff["commissioner"]).get(approvals_url() + "?status=lost").status_code == 400


# --- decisions


def test_deciding_needs_credentials(api, pending):
    assert (
        api(None).post(approvals_url(pk=pending.pk, tail="decisions/"), {}, format="json").status_code == 401
    )


def test_deciding_on_another_organisations_request_is_404(api, pending, outsider):
    assert decide(api, outsider, pending.pk, org_code="15E").status_code == 404
    assert decide(api, outsider, pending.pk).status_code == 404


def test_a_user_without_a_panel_role_gets_403(api, pending, staff):
    assert decide(api, staff["broker"], pending.pk, role=Role.BROKER).status_code == 403
    assert decide(api, staff["commissioner"], pending.pk, role=Role.COMMISSIONER).status_code == 403


def test_signing_as_a_role_you_do_not_hold_is_403(api, pending, staff):
    assert decide(api, staff["coordinator2"], pending.pk, role=Role.TEAM_LEAD).status_code == 403


def test_submitter_rule_is_403_on_a_panel_tier(api, org, hackney_policy):
    dual = member(org, Role.CARE_COORDINATOR, Role.PHB_LEAD, username="dual")
    request = approval_request_for(submitted_plan(org, total="1200.00"), dual)
    response = decide(api, dual, request.pk, role=Role.PHB_LEAD)
    assert response.status_code == 403
    assert "submitted" in response.json()["detail"]


def test_deciding_twice_is_403(api, pending, staff):
    assert decide(api, staff["team_lead"], pending.pk, role=Role.CARE_COORDINATOR).status_code == 201
    assert decide(api, staff["team_lead"], pending.pk, role=Role.TEAM_LEAD).status_code == 403


def test_a_full_slot_is_403(api, pending, staff):
    assert decide(api, staff["coordinator2"], pending.pk).status_code == 201
    assert decide(api, staff["submitter"], pending.pk).status_code == 403


def test_a_decided_request_is_409(api, pending, staff):
    decide(api, staff["team_lead"], pending.pk, decision="decline", role=Role.TEAM_LEAD, comment="Too much.")
    response = decide(api, staff["coordinator2"], pending.pk)
    assert response.status_code == 409
    assert api(staff["commissioner"]).get(approvals_url(pk=pending.pk)).json()["status"] == "declined"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "role": "team_lead", "comment": ""}, "decision"),
        ({"decision": "approve", "role": "wizard", "comment": ""}, "role"),
        ({"decision": "approve", "role": "team_lead", "comment": "x" * 2001}, "comment"),
        ({"decision": "decline", "role": "team_lead", "comment": ""}, "comment"),
        ({"decision": "return", "role": "team_lead"}, "comment"),
    ],
)
def test_bad_decisions_are_400_naming_the_field(api, pending, staff, body, field):
    response = api(staff["team_lead"]).post(
        approvals_url(pk=pending.pk, tail="decisions/"), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_return_puts_the_plan_back_to_draft_with_the_comment(api, pending, staff):
    response = decide(
        api, staff["team_lead"], pending.pk, decision="return", role=Role.TEAM_LEAD, comment="Add a goal."
    )
    assert response.json()["status"] == "returned"
    pending.plan.refresh_from_db()
    assert (pending.plan.status, pending.plan.return_comment) == ("draft", "Add a goal.")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_decisions_cannot_be_changed_through_the_api(api, pending, staff, method):
    decide(api, staff["coordinator2"], pending.pk, comment="Yes.")
    response = getattr(api(staff["coordinator2"]), method)(
        approvals_url(pk=pending.pk, tail="decisions/"),
        {"decision": "decline", "comment": "No."},
        format="json",
    )
    assert response.status_code == 405
    assert (
        getattr(api(staff["coordinator2"]), method)(
            approvals_url(pk=pending.pk), {}, format="json"
        ).status_code
        == 405
    )
    decision = pending.decisions.get()
    assert (decision.decision, decision.comment) == ("approve", "Yes.")


def test_schema_describes_every_approvals_endpoint():
    from django.test import Client

    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "approval-policy/",
        "approval-policy/preview/",
        "approvals/{id}/",
        "approvals/{id}/decisions/",
    ):
        assert path in schema


def test_a_published_policy_is_in_force_from_now(api, org, staff):
    before = timezone.now()
    body = api(staff["commissioner"]).put(policy_url(), {"tiers": HACKNEY_TIERS}, format="json").json()
    assert before <= datetime.fromisoformat(body["effective_from"]) <= timezone.now()
    assert services.policy_in_force(org).version == body["version"]


def test_the_decisions_of_a_request_can_be_listed(api, pending, staff, outsider):
    decide(api, staff["coordinator2"], pending.pk, comment="Yes.")
    body = api(staff["commissioner"]).get(approvals_url(pk=pending.pk, tail="decisions/")).json()
    assert [(d["user"], d["decision"]) for d in body] == [(staff["coordinator2"].pk, "approve")]
    assert api(outsider).get(approvals_url(pk=pending.pk, tail="decisions/")).status_code == 404


def _panel_of_commissioners(org, staff, size, name="panel"):
    """A pending request needing `size` commissioners' sign-offs, and the commissioners to give them."""
    from approvals.models import ApprovalRequest

    request = approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    ApprovalRequest.objects.filter(pk=request.pk).update(
        required=[{"role": Role.COMMISSIONER, "count": size}]
    )
    return request, [member(org, Role.COMMISSIONER, username=f"{name}-commissioner{n}") for n in range(size)]


def test_recording_a_decision_costs_the_same_queries_however_many_came_before(
    api, org, hackney_policy, staff
):
    first, _ = _panel_of_commissioners(org, staff, 6)
    with CaptureQueriesContext(connection) as on_a_fresh_request:
        assert decide(api, staff["commissioner"], first.pk, role=Role.COMMISSIONER).status_code == 201
    second, panel = _panel_of_commissioners(org, staff, 6, name="second")
    for commissioner in panel[:4]:
        decide(api, commissioner, second.pk, role=Role.COMMISSIONER)
    with CaptureQueriesContext(connection) as after_four:
        assert decide(api, staff["commissioner"], second.pk, role=Role.COMMISSIONER).status_code == 201
    assert len(after_four) == len(on_a_fresh_request)
    # Membership (3), the request, its lock with its decisions (2), the decision, the audit event,
    # the transaction's edges, the answer read afresh (2), and the organisation's role holders for the
    # stuck check and for the answer's open slots (2), and whether the organisation keeps live
    # figures (1, reporting/live.py): no role re-read, no foreign key re-checked.
    assert len(after_four) <= 17


def test_the_decision_answer_is_the_request_as_read_afresh(api, org, hackney_policy, staff):
    request, panel = _panel_of_commissioners(org, staff, 3)
    decide(api, panel[0], request.pk, role=Role.COMMISSIONER, comment="Agreed.")
    answer = decide(api, panel[1], request.pk, role=Role.COMMISSIONER)
    assert answer.status_code == 201
    afresh = api(panel[1]).get(approvals_url(pk=request.pk)).json()
    assert answer.json() == afresh
    assert answer.json()["signoffs_given"] == 2
    assert [d["user"] for d in answer.json()["decisions"]] == [panel[0].pk, panel[1].pk]
