"""The approvals pages: the queue, the decision page and the policy editor."""

import pytest
from django.test import Client

from approvals import services
from approvals.models import ApprovalPolicy
from phb.constants import Role
from tests.factories import HACKNEY_TIERS, approval_request_for, member, submitted_plan

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pending(org, hackney_policy, staff):
    return approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])


def test_pages_need_sign_in(pending):
    response = Client().get("/o/07T/approvals/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_organisations_pages_are_404(pending, outsider):
    client = client_for(outsider)
    assert client.get("/o/07T/approvals/").status_code == 404
    assert client.get(f"/o/07T/approvals/{pending.pk}/").status_code == 404
    assert client.get(f"/o/15E/approvals/{pending.pk}/").status_code == 404


def test_queue_shows_what_waits_for_me_oldest_first(org, pending, staff):
    older = approval_request_for(submitted_plan(org, total="700.00"), staff["submitter"])
    older.__class__.objects.filter(pk=older.pk).update(submitted_at=pending.submitted_at.replace(year=2025))
    page = client_for(staff["team_lead"]).get("/o/07T/approvals/").content.decode()
    assert "Waiting for me" in page
    assert page.index(f"/o/07T/approvals/{older.pk}/") < page.index(f"/o/07T/approvals/{pending.pk}/")
    assert "phb-waiting-long" in page  # the old one is over the organisation's limit
    assert "0 of 2" in page


def test_queue_is_empty_for_someone_with_no_slot(pending, staff):
    page = client_for(staff["phb_lead"]).get("/o/07T/approvals/").content.decode()
    assert "Nothing is waiting for your sign-off." in page


def test_team_tab_shows_the_teams_pending_requests(org, pending, staff):
    from phb.models import Membership, Team

    team = Team.objects.create(organisation=org, name="Recovery")
    Membership.objects.filter(user__in=[staff["submitter"], staff["team_lead"]]).update(team=team)
    page = client_for(staff["team_lead"]).get("/o/07T/approvals/?tab=team").content.decode()
    assert f"/o/07T/approvals/{pending.pk}/" in page
    outside = member(
        org,
        Role.CARE_COORDINATOR,
        username="elsewhere",
        team=Team.objects.create(organisation=org, name="Other"),
    )
    page = client_for(outside).get("/o/07T/approvals/?tab=team").content.decode()
    assert f"/o/07T/approvals/{pending.pk}/" not in page


def test_decision_page_shows_the_plan_the_tier_and_why(pending, staff):
    page = client_for(staff["team_lead"]).get(f"/o/07T/approvals/{pending.pk}/").content.decode()
    assert "£600.00 total is over £250.00 and at most £750.00" in page
    assert "Get back to swimming every week" in page
    assert "Leisure centre membership" in page
    assert "Missing sessions" in page
    assert 'name="decision"' in page


def test_decision_form_offers_only_roles_i_may_fill(pending, staff):
    page = client_for(staff["team_lead"]).get(f"/o/07T/approvals/{pending.pk}/").content.decode()
    assert 'value="team_lead"' in page and 'value="care_coordinator"' in page
    page = client_for(staff["broker"]).get(f"/o/07T/approvals/{pending.pk}/").content.decode()
    assert 'name="decision"' not in page


def test_signing_off_in_the_browser_records_the_decision(pending, staff):
    client = client_for(staff["coordinator2"])
    response = client.post(
        f"/o/07T/approvals/{pending.pk}/", {"decision": "approve", "role": "care_coordinator", "comment": ""}
    )
    assert response.status_code == 302
    client_for(staff["team_lead"]).post(
        f"/o/07T/approvals/{pending.pk}/", {"decision": "approve", "role": "team_lead", "comment": ""}
    )
    pending.refresh_from_db()
    assert pending.status == "approved"
    page = client.get(f"/o/07T/approvals/{pending.pk}/").content.decode()
    assert "Approved" in page


def test_declining_without_a_comment_shows_the_error(pending, staff):
    response = client_for(staff["team_lead"]).post(
        f"/o/07T/approvals/{pending.pk}/", {"decision": "decline", "role": "team_lead", "comment": ""}
    )
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_policy_page_shows_the_tiers_to_every_member(hackney_policy, staff):
    page = client_for(staff["broker"]).get("/o/07T/approval-policy/").content.decode()
    assert "Version 1" in page
    assert "a lived experience reviewer, a PHB lead clinician and a commissioner" in page.lower().replace(
        "phb", "PHB"
    )
    assert "Publish a new version" not in page


def editor_post(tiers, **extra):
    data = {
        "form-TOTAL_FORMS": str(len(tiers)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "8",
    }
    for index, tier in enumerate(tiers):
        data[f"form-{index}-up_to"] = tier["up_to"] or ""
        data[f"form-{index}-basis"] = tier["basis"]
        for signoff in tier["signoffs"]:
            data[f"form-{index}-count_{signoff['role']}"] = str(signoff["count"])
        if tier["submitter_may_sign"]:
            data[f"form-{index}-submitter_may_sign"] = "on"
    data.update(extra)
    return data


def test_a_commissioner_publishes_a_policy_in_the_browser(org, staff):
    response = client_for(staff["commissioner"]).post("/o/07T/approval-policy/", editor_post(HACKNEY_TIERS))
    assert response.status_code == 302
    published = services.policy_in_force(org).tiers
    assert [t["up_to"] for t in published] == ["250.00", "750.00", None]
    assert [sorted(s["role"] for s in t["signoffs"]) for t in published] == [
        sorted(s["role"] for s in t["signoffs"]) for t in HACKNEY_TIERS
    ]
    assert [t["submitter_may_sign"] for t in published] == [True, True, False]


def test_the_editor_puts_rule_errors_against_the_tier(org, staff):
    tiers = [dict(t) for t in HACKNEY_TIERS]
    tiers[1]["up_to"] = "100.00"
    response = client_for(staff["commissioner"]).post("/o/07T/approval-policy/", editor_post(tiers))
    assert response.status_code == 200
    assert "Each upper bound must be more than the one before" in response.content.decode()
    assert not ApprovalPolicy.objects.filter(organisation=org).exists()


def test_only_commissioners_and_org_admins_publish(org, staff):
    response = client_for(staff["team_lead"]).post("/o/07T/approval-policy/", editor_post(HACKNEY_TIERS))
    assert response.status_code == 403
    assert not ApprovalPolicy.objects.filter(organisation=org).exists()


def test_preview_of_the_tiers_being_edited(org, hackney_policy, staff):
    tiers = [
        {
            "up_to": None,
            "basis": "weekly",
            "signoffs": [{"role": "commissioner", "count": 2}],
            "submitter_may_sign": False,
        }
    ]
    response = client_for(staff["commissioner"]).post(
        "/o/07T/approval-policy/preview/", editor_post(tiers, total="900.00", weekly="100.00")
    )
    text = response.content.decode()
    assert "A plan of £900.00 total / £100.00 a week would need 2 commissioners" in text


def test_preview_of_the_policy_in_force(hackney_policy, staff):
    text = (
        client_for(staff["broker"]).get("/o/07T/approval-policy/preview/?total=100&weekly=2").content.decode()
    )
    assert "would need a care coordinator" in text
