"""The approval queue read in the database: it must agree with policy.may_fill, and cost the same
number of queries however many requests are waiting."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import policy as rules
from approvals import selectors, views
from approvals.constants import RequestStatus
from approvals.models import ApprovalRequest, Decision
from phb.constants import Role
from tests.factories import approval_request_for, member, submitted_plan

pytestmark = pytest.mark.django_db

PANEL_ROLES = [
    Role.CARE_COORDINATOR,
    Role.TEAM_LEAD,
    Role.PHB_LEAD,
    Role.LIVED_EXPERIENCE_REVIEWER,
    Role.COMMISSIONER,
]


def _waiting_by_the_rule(user, roles, requests):
    """The queue as policy.py defines it, request by request in Python."""
    waiting = []
    for request in requests:
        facts = [rules.DecisionFact(d.user_id, d.role, d.decision) for d in request.decisions.all()]
        if any(
            rules.may_fill(
                role=signoff["role"],
                user_id=user.pk,
                user_roles=roles,
                submitter_id=request.submitted_by_id,
                submitter_may_sign=request.submitter_may_sign,
                required=request.required,
                decisions=facts,
            )
            for signoff in request.required
        ):
            waiting.append(request.pk)
    return waiting


def test_the_database_queue_agrees_with_the_policy_rule(org, hackney_policy):
    """Varied panels (one to three roles, counts of one to three), sign-offs part given, people who
    submitted or already decided, submitters allowed or not: the SQL filter and may_fill agree."""
    chance = random.Random(20261123)
    people = [
        member(org, *chance.sample(PANEL_ROLES, chance.randint(1, 3)), username=f"panel{n}") for n in range(8)
    ]
    roles_of = {user.pk: set(user.memberships.get().role_codes) for user in people}
    for n in range(40):
        submitter = chance.choice(people)
        plan = submitted_plan(org, total="600.00", submitted_at=timezone.now() - timedelta(hours=n))
        required = [
            {"role": role, "count": chance.randint(1, 3)}
            for role in chance.sample(PANEL_ROLES, chance.randint(1, 3))
        ]
        request = approval_request_for(plan, submitter)
        ApprovalRequest.objects.filter(pk=request.pk).update(
            required=required, submitter_may_sign=chance.random() < 0.5
        )
        for user in chance.sample(people, chance.randint(0, 4)):
            held = roles_of[user.pk] & {signoff["role"] for signoff in required}
            if held:
                Decision.objects.create(
                    organisation=org,
                    request=request,
                    user=user,
                    role=chance.choice(sorted(held)),
                    decision=rules.APPROVE,
                    at=timezone.now(),
                )
    # A decided request waits for nobody, whatever its slots say.
    ApprovalRequest.objects.filter(pk=request.pk).update(status=RequestStatus.APPROVED)
    pending = list(selectors.request_list(organisation=org, status=RequestStatus.PENDING))
    assert len(pending) == 39

    seen_waiting = 0
    for user in people:
        roles = roles_of[user.pk]
        in_database = list(
            selectors.requests_waiting_for(organisation=org, user=user, roles=roles).values_list(
                "pk", flat=True
            )
        )
        assert in_database == _waiting_by_the_rule(user, roles, pending), user.username
        seen_waiting += len(in_database)
    # The sample is varied enough to mean something: some wait, some do not.
    assert 0 < seen_waiting < len(pending) * len(people)


def test_someone_with_no_panel_role_waits_for_nothing(org, hackney_policy, staff):
    approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    assert not selectors.requests_waiting_for(organisation=org, user=staff["broker"], roles={Role.BROKER})
    assert not selectors.requests_waiting_for(organisation=org, user=staff["broker"], roles=set())


def test_the_queue_page_shows_the_oldest_and_counts_them_all(client, org, hackney_policy, staff, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_SHOWN", 2)
    for hours in (1, 3, 2):
        approval_request_for(
            submitted_plan(org, total="600.00", submitted_at=timezone.now() - timedelta(hours=hours)),
            staff["submitter"],
        )
    client.force_login(staff["team_lead"])
    response = client.get(reverse("approvals:queue", kwargs={"org": "07T"}))
    assert response.context["total"] == 3
    ages = [row.request.submitted_at for row in response.context["rows"]]
    assert len(ages) == 2 and ages == sorted(ages)
    assert "3 requests (the oldest 2 shown)" in response.content.decode()


def _queue_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_queries_however_many_wait(client, api, org, hackney_policy, staff):
    page = reverse("approvals:queue", kwargs={"org": "07T"})
    mine = "/api/v1/orgs/07T/approvals/?status=pending&mine=true"
    client.force_login(staff["team_lead"])
    client.get(page)  # the first page of a session also renews it (phb.middleware)
    approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
    before = (_queue_queries(client, page), _queue_queries(api(staff["team_lead"]), mine))
    for _ in range(5):
        request = approval_request_for(submitted_plan(org, total="600.00"), staff["submitter"])
        Decision.objects.create(
            organisation=org,
            request=request,
            user=staff["coordinator2"],
            role=Role.CARE_COORDINATOR,
            decision=rules.APPROVE,
            at=timezone.now(),
        )
    after = (_queue_queries(client, page), _queue_queries(api(staff["team_lead"]), mine))
    assert api(staff["team_lead"]).get(mine).json()["count"] == 6
    assert after == before
