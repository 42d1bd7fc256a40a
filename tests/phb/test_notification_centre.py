"""The notification centre: each event in the pathway tells the people who act next, once, by e-mail
(after the commit) and in an in-app list whose unread count is on every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from approvals import services as approval_services
from payments import services as payment_services
from phb.constants import Role
from phb.models import Notification, SentNotification
from phb.notifications import notify
from reviews import services as review_services
from support_plans import services as plan_services
from tests.factories import (
    HACKNEY_TIERS,
    approval_request_for,
    approved_plan,
    member,
    open_account,
    submitted_plan,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def people(org):
    return {
        "coordinator": member(org, Role.CARE_COORDINATOR, username="cc"),
        "finance": member(org, Role.FINANCE, username="fin"),
        "broker": member(org, Role.BROKER, username="brk"),
        "team_lead": member(org, Role.TEAM_LEAD, username="tl"),
    }


def told(key):
    return {n.user.username for n in Notification.objects.filter(key=key)}


def test_the_same_key_tells_a_person_once(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            organisation=org, key="k:1", users=[people["finance"]], subject="S", body="B", path="/x/"
        )
        again = notify(
            organisation=org, key="k:1", users=[people["finance"]], subject="S", body="B", path="/x/"
        )
    assert (first, again) == (1, 0)
    assert Notification.objects.filter(key="k:1").count() == 1
    assert [m.to for m in mail.outbox] == [[people["finance"].email]]
    assert SentNotification.objects.get(key="k:1").sent_at is not None


def test_a_submitted_plan_tells_its_approvers(org, people, django_capture_on_commit_callbacks):
    approval_services.policy_publish(actor=None, organisation=org, tiers=HACKNEY_TIERS)
    plan = submitted_plan(org, total="600.00")
    with django_capture_on_commit_callbacks(execute=True):
        request = approval_request_for(plan, people["coordinator"])
    # At £600 the care coordinator (the submitter may sign here) and the team lead co-sign.
    assert told(f"approval:{request.pk}:open") == {"cc", "tl"}


def test_an_approved_plan_tells_finance_and_the_broker(org, people):
    approval_services.policy_publish(actor=None, organisation=org, tiers=HACKNEY_TIERS)
    plan = submitted_plan(org, total="200.00")
    request = approval_request_for(plan, people["coordinator"])
    approval_services.decision_record(
        actor=people["coordinator"], request=request, decision="approve", role=Role.CARE_COORDINATOR
    )
    assert told(f"plan:{plan.pk}:approved") == {"fin", "brk"}


def test_released_funds_tell_the_broker_and_a_payment_tells_the_care_coordinator(org, people):
    plan = approved_plan(org, total="300.00")
    plan.care_coordinator = people["coordinator"]
    plan.save(update_fields=["care_coordinator"])
    open_account(plan)

    release = payment_services.release_record(
        actor=people["finance"], plan=plan, amount=Decimal("300.00"), released_on=TODAY()
    )
    assert told(f"release:{release.pk}") == {"brk", "cc"}

    payment = payment_services.payment_record(
        actor=people["broker"],
        plan=plan,
        amount=Decimal("50.00"),
        paid_on=TODAY(),
        method="bank_transfer",
        payee="Swim England",
        reference="INV",
        idempotency_key="p1",
    )
    assert told(f"payment:{payment.pk}") == {"cc"}
    assert "£50.00 to Swim England" in Notification.objects.get(key=f"payment:{payment.pk}").body


def test_a_closed_budget_tells_finance_and_the_broker(org, people):
    plan = approved_plan(org, total="300.00")
    open_account(plan)
    plan_services.plan_close(
        actor=people["coordinator"], plan=plan, reason="goals_achieved", closed_on=TODAY()
    )
    assert told(f"budget:{plan.budget_id}:closed") == {"fin", "brk"}


def test_a_review_request_tells_the_care_coordinator(org, people):
    plan = approved_plan(org, total="300.00")
    plan.care_coordinator = people["coordinator"]
    plan.save(update_fields=["care_coordinator"])
    review = review_services.review_request(
        actor=people["team_lead"], plan=plan, due_on=TODAY() + timedelta(days=7), requested_by="Her daughter"
    )
    assert told(f"review:{review.pk}:requested") == {"cc"}


# --- Pages and API


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_page_shows_the_unread_count_and_the_list_marks_them_read(org, people):
    for n in range(3):
        notify(organisation=org, key=f"k:{n}", users=[people["finance"]], subject=f"Thing {n}", body="Do it")
    client = _client(people["finance"])

    home = client.get("/o/07T/").content.decode()
    assert 'id="notifications-link"' in home
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">3</strong>' in home

    listing = client.get("/o/07T/notifications/").content.decode()
    assert "Thing 2" in listing and "Thing 0" in listing
    client.post("/o/07T/notifications/", {})
    after = client.get("/o/07T/notifications/").content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">0</strong>' in after


def test_one_persons_notifications_are_not_anothers(org, people, other_org):
    notify(organisation=org, key="mine", users=[people["finance"]], subject="For finance", body="")
    assert "For finance" not in _client(people["broker"]).get("/o/07T/notifications/").content.decode()
    outsider = member(other_org, Role.FINANCE, username="elsewhere")
    assert _client(outsider).get("/o/07T/notifications/").status_code == 404


def test_the_api_lists_mine_with_the_unread_count_and_marks_read(api, org, people):
    notify(organisation=org, key="a", users=[people["broker"]], subject="A", body="")
    notify(organisation=org, key="b", users=[people["broker"]], subject="B", body="")
    listed = api(people["broker"]).get("/api/v1/orgs/07T/notifications/").json()
    assert listed["unread"] == 2
    first = listed["results"][0]["id"]

    answer = api(people["broker"]).post(
        "/api/v1/orgs/07T/notifications/read/", {"ids": [first]}, format="json"
    )

    assert answer.json() == {"marked": 1, "unread": 1}
    assert api(None).get("/api/v1/orgs/07T/notifications/").status_code == 401
    bad = api(people["broker"]).post("/api/v1/orgs/07T/notifications/read/", {"ids": "all"}, format="json")
    assert bad.status_code == 400
