"""Concurrent decisions, on PostgreSQL (row locks) and SQLite (one writer at a time): none is lost,
none fails for having waited, and no request is approved twice."""

import threading

import pytest
from django.db import connection

from approvals import services
from approvals.models import ApprovalRequest, Decision
from phb.constants import Role
from phb.exceptions import DomainError
from phb.models import AuditEvent
from tests.factories import approval_request_for, member, submitted_plan

pytestmark = pytest.mark.django_db(transaction=True)

TWO_COMMISSIONERS = [{"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 2}]}]


def decide_at_once(request_id: int, users: list) -> list:
    """Every user approves the request at the same moment, each on its own thread and connection."""
    barrier = threading.Barrier(len(users))
    answers: list = [None] * len(users)

    def work(index, user):
        try:
            barrier.wait(timeout=10)
            request = ApprovalRequest.objects.get(pk=request_id)
            services.decision_record(actor=user, request=request, decision="approve", role=Role.COMMISSIONER)
            answers[index] = "ok"
        except DomainError as error:
            answers[index] = error.status_code
        except Exception as error:  # a lost decision must show up as a failure, not a hang
            answers[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_eight_panel_members_at_once_fill_two_slots_and_approve_once(org):
    services.policy_publish(actor=None, organisation=org, tiers=TWO_COMMISSIONERS)
    submitter = member(org, Role.CARE_COORDINATOR, username="submitter")
    commissioners = [member(org, Role.COMMISSIONER, username=f"commissioner{n}") for n in range(8)]
    request = approval_request_for(submitted_plan(org, total="5000.00"), submitter)

    answers = decide_at_once(request.pk, commissioners)

    assert answers.count("ok") == 2, answers
    assert all(answer in ("ok", 403, 409) for answer in answers), answers
    assert Decision.objects.filter(request=request, decision="approve").count() == 2
    request.refresh_from_db()
    request.plan.refresh_from_db()
    assert (request.status, request.plan.status) == ("approved", "approved")
    assert (
        AuditEvent.objects.filter(action="approval_request_approved", object_id=str(request.pk)).count() == 1
    )
    assert AuditEvent.objects.filter(action="plan_approved", object_id=str(request.plan.pk)).count() == 1


def test_one_user_deciding_from_four_places_at_once_fills_one_slot(org):
    services.policy_publish(actor=None, organisation=org, tiers=TWO_COMMISSIONERS)
    submitter = member(org, Role.CARE_COORDINATOR, username="submitter")
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    request = approval_request_for(submitted_plan(org, total="5000.00"), submitter)

    answers = decide_at_once(request.pk, [commissioner] * 4)

    assert answers.count("ok") == 1, answers
    assert sorted(a for a in answers if a != "ok") == [403, 403, 403]
    assert Decision.objects.filter(request=request).count() == 1
    request.refresh_from_db()
    assert request.status == "pending"
