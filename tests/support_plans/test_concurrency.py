"""Care coordinators submitting one draft at once open one request, on PostgreSQL (row locks) and
on SQLite (one writer at a time)."""

import threading

import pytest
from django.db import connection

from phb.constants import Role
from phb.exceptions import DomainError
from support_plans import services
from support_plans.models import SupportPlan
from tests.factories import PlanFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_submits_open_exactly_one_approval_request(org, policy):
    plan = PlanFactory(organisation=org)
    staff = [member(org, Role.CARE_COORDINATOR) for _ in range(4)]
    barrier = threading.Barrier(len(staff))
    outcomes = []

    def submit(user):
        try:
            barrier.wait()
            services.plan_submit(actor=user, plan=SupportPlan.objects.get(pk=plan.pk))
            outcomes.append("submitted")
        except DomainError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("submitted") == 1
    assert outcomes.count("TransitionNotAllowed") == len(staff) - 1
    assert plan.approval_requests.count() == 1
