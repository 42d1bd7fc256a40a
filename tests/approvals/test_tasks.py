"""E-approval e-mails to everyone who can fill an open slot, the outcome e-mail, and the stale nudge."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from approvals import services
from approvals.models import ApprovalRequest
from approvals.tasks import nudge_stale_approvals
from phb.constants import Role
from tests.factories import approval_request_for, submitted_plan

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_new_request_emails_everyone_who_can_fill_an_open_slot(
    org, hackney_policy, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = approval_request_for(submitted_plan(org, total="1200.00"), staff["submitter"])
    assert recipients() == sorted(
        staff[k].email for k in ("reviewer", "phb_lead", "commissioner", "commissioner2")
    )
    assert f"/o/07T/approvals/{request.pk}/" in mail.outbox[0].body


def test_the_submitter_is_emailed_only_where_they_may_sign(
    org, hackney_policy, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approval_request_for(submitted_plan(org, total="100.00"), staff["submitter"])
    # Tier 1 (£250 or less): any care coordinator, the submitter included.
    assert recipients() == sorted(staff[k].email for k in ("submitter", "coordinator2", "team_lead"))


def test_the_submitter_hears_the_outcome(org, hackney_policy, staff, django_capture_on_commit_callbacks):
    request = approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            actor=staff["team_lead"],
            request=request,
            decision="return",
            role=Role.TEAM_LEAD,
            comment="Add risks.",
        )
    assert recipients() == [staff["submitter"].email]
    assert "Add risks." in mail.outbox[0].body


def make_stale(request, days):
    ApprovalRequest.objects.filter(pk=request.pk).update(submitted_at=timezone.now() - timedelta(days=days))


def test_stale_requests_nudge_their_approvers_once(
    org, hackney_policy, staff, django_capture_on_commit_callbacks
):
    request = approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    services.decision_record(
        actor=staff["coordinator2"],
        request=request,
        decision="approve",
        role=Role.CARE_COORDINATOR,
        comment="",
    )
    make_stale(request, days=org.stale_approval_days + 1)
    with django_capture_on_commit_callbacks(execute=True):
        first = nudge_stale_approvals()
        second = nudge_stale_approvals()
    # Only the team lead slot is open now: the team lead is nudged, once.
    assert (first, second) == (1, 0)
    assert recipients() == [staff["team_lead"].email]
    request.refresh_from_db()
    assert request.last_nudged_at is not None


def test_a_request_waiting_another_period_is_nudged_again(
    org, hackney_policy, staff, django_capture_on_commit_callbacks
):
    request = approval_request_for(submitted_plan(org, total="100.00"), staff["submitter"])
    make_stale(request, days=org.stale_approval_days + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert nudge_stale_approvals() == 3
    make_stale(request, days=2 * org.stale_approval_days + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert nudge_stale_approvals() == 3
        assert nudge_stale_approvals() == 0
    assert len(mail.outbox) == 6


def test_requests_within_the_limit_are_not_nudged(org, hackney_policy, staff):
    request = approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    make_stale(request, days=org.stale_approval_days - 1)
    assert nudge_stale_approvals() == 0
