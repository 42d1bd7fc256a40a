"""The review reminder job: before due, on due, escalation to the team lead; each sent once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from phb.constants import Role
from phb.models import SentNotification
from reviews.tasks import send_review_reminders
from support_plans.constants import PlanStatus
from support_plans.models import Budget
from tests.factories import TeamFactory, member
from tests.factories.reviews import OverdueReviewFactory, ReviewFactory, ReviewPolicyFactory, reviewed_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(org):
    return TeamFactory(organisation=org, name="Community mental health")


@pytest.fixture
def care_coordinator(org, team):
    return member(org, Role.CARE_COORDINATOR, username="cc", team=team)


@pytest.fixture
def team_lead(org, team):
    return member(org, Role.TEAM_LEAD, Role.CARE_COORDINATOR, username="lead", team=team)


def run_job(capture, today=None):
    with capture(execute=True):
        return send_review_reminders.delay(today.isoformat() if today else None).get()


def test_overdue_review_reminds_coordinator_and_escalates_once_however_often_the_job_runs(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    review = OverdueReviewFactory(
        plan=reviewed_plan(org, care_coordinator=care_coordinator)
    )  # 20 days overdue

    assert run_job(django_capture_on_commit_callbacks) == 2
    assert run_job(django_capture_on_commit_callbacks) == 0

    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox) == [
        ("cc@example.nhs.uk", "Review due"),
        ("lead@example.nhs.uk", "Overdue review"),
    ]
    assert set(SentNotification.objects.values_list("key", flat=True)) == {
        f"review:{review.pk}:on_due",
        f"review:{review.pk}:escalation",
    }
    assert SentNotification.objects.filter(sent_at__isnull=False).count() == 2
    assert f"/o/07T/reviews/{review.pk}/complete/" in mail.outbox[0].body


def test_review_due_soon_sends_one_before_due_reminder_to_the_coordinator(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    ReviewFactory(
        plan=reviewed_plan(org, care_coordinator=care_coordinator),
        due_on=timezone.localdate() + timedelta(days=3),
    )
    assert run_job(django_capture_on_commit_callbacks) == 1
    assert run_job(django_capture_on_commit_callbacks) == 0
    assert [(m.to, m.subject.split(":")[0]) for m in mail.outbox] == [
        (["cc@example.nhs.uk"], "Review due soon")
    ]


def test_reminders_follow_the_days_the_job_runs(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    due = timezone.localdate() + timedelta(days=10)
    ReviewFactory(plan=reviewed_plan(org, care_coordinator=care_coordinator), due_on=due)
    sent = [
        run_job(django_capture_on_commit_callbacks, due + timedelta(days=offset))
        for offset in (-12, -7, -1, 0, 13, 14, 15)
    ]
    assert sent == [0, 1, 0, 1, 0, 1, 0]


def test_escalation_goes_to_the_lead_of_the_coordinators_team_not_other_teams(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    other_lead = member(org, Role.TEAM_LEAD, username="otherlead", team=TeamFactory(organisation=org))
    OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=care_coordinator))
    run_job(django_capture_on_commit_callbacks)
    escalations = [m for m in mail.outbox if m.subject.startswith("Overdue review")]
    assert [m.to for m in escalations] == [[team_lead.email]]
    assert other_lead.email not in {m.to[0] for m in mail.outbox}


def test_organisation_policy_sets_the_escalation_day(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    ReviewPolicyFactory(organisation=org, escalate_days_after=30)
    OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=care_coordinator))  # 20 days overdue
    assert run_job(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[care_coordinator.email]]


def test_no_reminders_for_a_closed_budget_or_a_completed_review(
    org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    closed = OverdueReviewFactory(
        plan=reviewed_plan(org, care_coordinator=care_coordinator, status=PlanStatus.CLOSED)
    )
    Budget.objects.filter(pk=closed.budget_id).update(closed_on=timezone.localdate())
    OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=care_coordinator), status="completed")
    assert run_job(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_each_organisation_reminds_its_own_staff(
    org, other_org, care_coordinator, team_lead, django_capture_on_commit_callbacks
):
    theirs = member(other_org, Role.CARE_COORDINATOR, username="theirs")
    OverdueReviewFactory(plan=reviewed_plan(other_org, care_coordinator=theirs))
    run_job(django_capture_on_commit_callbacks)
    assert {m.to[0] for m in mail.outbox} == {theirs.email}
    assert set(SentNotification.objects.values_list("organisation__code", flat=True)) == {"15E"}
