"""Policies from a date: a version agreed at a board is published in advance and takes effect on its
day; a request is judged by the version in force when it was submitted; a scheduled one can be withdrawn."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalPolicy
from phb.exceptions import Conflict, InvalidInput
from phb.models import AuditEvent
from tests.factories import BIRMINGHAM_TIERS, approval_request_for, submitted_plan

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def test_a_request_submitted_the_day_before_keeps_the_old_tiers_and_on_the_day_gets_the_new(
    org, hackney_policy, staff
):
    scheduled = services.policy_publish(
        actor=None, organisation=org, tiers=BIRMINGHAM_TIERS, effective_on=tomorrow()
    )
    day_before = submitted_plan(org, total="600.00", submitted_at=start_of(tomorrow()) - timedelta(minutes=1))
    on_the_day = submitted_plan(org, total="600.00", weekly="450.00", submitted_at=start_of(tomorrow()))
    old = approval_request_for(day_before, staff["submitter"])
    new = approval_request_for(on_the_day, staff["submitter"])
    assert (old.policy, old.basis, old.tier) == (hackney_policy, "total", 2)
    assert (new.policy, new.basis, new.tier) == (scheduled, "weekly", 2)


def test_a_policy_cannot_be_back_dated(org, hackney_policy):
    with pytest.raises(InvalidInput) as caught:
        services.policy_publish(
            actor=None,
            organisation=org,
            tiers=BIRMINGHAM_TIERS,
            effective_on=timezone.localdate() - timedelta(days=1),
        )
    assert "effective_from" in caught.value.details


def test_a_withdrawn_version_never_comes_into_force(org, hackney_policy):
    scheduled = services.policy_publish(
        actor=None, organisation=org, tiers=BIRMINGHAM_TIERS, effective_on=tomorrow()
    )
    services.policy_withdraw(actor=None, policy=scheduled)
    assert services.policy_in_force(org, at=start_of(tomorrow()) + timedelta(hours=1)) == hackney_policy
    assert services.policies_scheduled(org) == []
    assert AuditEvent.objects.filter(action="approval_policy_withdrawn").exists()


def test_a_version_in_force_cannot_be_withdrawn(org, hackney_policy):
    with pytest.raises(Conflict):
        services.policy_withdraw(actor=None, policy=hackney_policy)


def test_the_api_schedules_shows_and_withdraws_a_version(api, org, hackney_policy, staff):
    commissioner = staff["commissioner"]
    body = {"tiers": BIRMINGHAM_TIERS, "effective_from": tomorrow().isoformat(), "note": "Board, 1 April"}
    response = api(commissioner).put(f"{BASE}/approval-policy/", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["version"] == hackney_policy.version  # still the one in force
    assert [v["version"] for v in answer["scheduled"]] == [hackney_policy.version + 1]
    assert answer["scheduled"][0]["effective_from"].startswith(tomorrow().isoformat())
    shown = api(staff["submitter"]).get(f"{BASE}/approval-policy/").json()
    assert shown["scheduled"][0]["tiers"][0]["basis"] == "weekly"

    preview = api(staff["submitter"]).get(
        f"{BASE}/approval-policy/preview/",
        {"total": "600.00", "weekly": "450.00", "version": hackney_policy.version + 1},
    )
    assert preview.status_code == 200
    assert (preview.json()["basis"], preview.json()["policy_version"]) == (
        "weekly",
        hackney_policy.version + 1,
    )

    version = hackney_policy.version + 1
    assert api(staff["submitter"]).delete(f"{BASE}/approval-policy/scheduled/{version}/").status_code == 403
    assert api(commissioner).delete(f"{BASE}/approval-policy/scheduled/{version}/").status_code == 204
    assert api(commissioner).delete(f"{BASE}/approval-policy/scheduled/{version}/").status_code == 409
    assert (
        api(commissioner).delete(f"{BASE}/approval-policy/scheduled/{hackney_policy.version}/").status_code
        == 409
    )
    assert api(commissioner).delete(f"{BASE}/approval-policy/scheduled/99/").status_code == 404
    assert api(commissioner).get(f"{BASE}/approval-policy/").json()["scheduled"] == []
    assert ApprovalPolicy.objects.filter(version=version, withdrawn_at__isnull=False).exists()


def test_the_api_refuses_a_past_date(api, org, hackney_policy, staff):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api(staff["commissioner"]).put(
        f"{BASE}/approval-policy/", {"tiers": BIRMINGHAM_TIERS, "effective_from": yesterday}
    )
    assert response.status_code == 400
    assert "effective_from" in response.json()
    assert ApprovalPolicy.objects.filter(organisation=org).count() == 1


def test_the_policy_page_schedules_lists_and_withdraws_a_version(org, hackney_policy, staff):
    from tests.approvals.test_views import client_for, editor_post

    browser = client_for(staff["commissioner"])
    response = browser.post(
        "/o/07T/approval-policy/", editor_post(BIRMINGHAM_TIERS, effective_from=tomorrow().isoformat())
    )
    assert response.status_code == 302
    assert services.policy_in_force(org) == hackney_policy
    page = browser.get("/o/07T/approval-policy/").content.decode()
    assert f"Version {hackney_policy.version + 1} comes into force on" in page
    assert "Scheduled" in page and "Withdraw" in page
    withdrawn = browser.post(f"/o/07T/approval-policy/scheduled/{hackney_policy.version + 1}/withdraw/")
    assert withdrawn.status_code == 302
    page = browser.get("/o/07T/approval-policy/").content.decode()
    assert "Withdrawn" in page and "comes into force on" not in page


def test_the_policy_page_refuses_a_past_date_and_keeps_the_tiers(org, hackney_policy, staff):
    from tests.approvals.test_views import client_for, editor_post

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(staff["commissioner"]).post(
        "/o/07T/approval-policy/", editor_post(BIRMINGHAM_TIERS, effective_from=yesterday)
    )
    assert response.status_code == 200
    assert "must be today or later" in response.content.decode()
    assert ApprovalPolicy.objects.filter(organisation=org).count() == 1
