"""Budgets name their broker (issue 15): the django-guardian grant, who may name one, who is told,
and what a broker reaches: only their own budgets, and those naming no broker yet."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import get_users_with_perms

from payments import services
from payments.broker_selectors import MANAGE_PERMISSION, accounts_managed_by
from payments.broker_services import account_broker_assign
from payments.models import BudgetAccount
from phb.constants import Role
from phb.exceptions import Conflict, InvalidInput, NotPermitted
from phb.models import AuditEvent, Notification
from tests.factories import approved_plan, funded_account, member, open_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def broker(org):
    user = member(org, Role.BROKER, username="broker")
    user.first_name, user.last_name, user.email = "Bea", "Broker", "bea@example.org"
    user.save()
    return user


@pytest.fixture
def other_broker(org):
    return member(org, Role.BROKER, username="other_broker")


@pytest.fixture
def funded(org, finance):
    """An approved plan, all of it released; its one-off item fell due a week ago (overdue)."""
    return funded_account(org, total="300.00", finance=finance)


def _grant_holders(account) -> set[str]:
    return {u.username for u in get_users_with_perms(account, only_with_perms_in=["manage_budget"])}


# --- The service


def test_naming_a_broker_gives_them_the_guardian_grant_and_the_account_names_them(finance, broker, funded):
    plan, account = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    account.refresh_from_db()
    assert account.broker == broker
    assert broker.has_perm(MANAGE_PERMISSION, account)
    assert list(accounts_managed_by(user=broker, organisation=plan.organisation)) == [account]


def test_naming_another_broker_takes_the_grant_from_the_first(finance, broker, other_broker, funded):
    plan, account = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    account_broker_assign(actor=finance, plan=plan, broker=other_broker)
    assert _grant_holders(account) == {"other_broker"}
    # A fresh object: guardian caches permissions per user instance.
    assert not type(broker).objects.get(pk=broker.pk).has_perm(MANAGE_PERMISSION, account)


def test_naming_nobody_takes_the_grant_away(finance, broker, funded):
    plan, account = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    account_broker_assign(actor=finance, plan=plan, broker=None)
    account.refresh_from_db()
    assert account.broker is None and _grant_holders(account) == set()


def test_only_a_member_holding_the_broker_role_can_be_named(org, finance, coordinator, funded):
    plan, account = funded
    with pytest.raises(InvalidInput) as refused:
        account_broker_assign(actor=finance, plan=plan, broker=coordinator)
    assert "broker role" in str(refused.value.details["broker"])
    assert _grant_holders(account) == set()


def test_a_broker_of_another_organisation_cannot_be_named(other_org, finance, funded):
    plan, _ = funded
    stranger = member(other_org, Role.BROKER, username="stranger")
    with pytest.raises(InvalidInput):
        account_broker_assign(actor=finance, plan=plan, broker=stranger)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.FINANCE, Role.PHB_LEAD, Role.TEAM_LEAD])
def test_commissioners_finance_phb_leads_and_team_leads_may_name_the_broker(org, broker, funded, role):
    plan, account = funded
    account_broker_assign(actor=member(org, role), plan=plan, broker=broker)
    assert _grant_holders(account) == {"broker"}


@pytest.mark.parametrize("role", [Role.BROKER, Role.CARE_COORDINATOR, Role.ORG_ADMIN])
def test_others_may_not_name_the_broker_not_even_a_broker_themselves(org, broker, funded, role):
    plan, account = funded
    actor = broker if role == Role.BROKER else member(org, role)
    with pytest.raises(NotPermitted):
        account_broker_assign(actor=actor, plan=plan, broker=broker)
    assert _grant_holders(account) == set()


def test_naming_the_broker_is_audited_with_before_and_after(finance, broker, other_broker, funded):
    plan, account = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    account_broker_assign(actor=finance, plan=plan, broker=other_broker)
    events = list(AuditEvent.objects.filter(action="account_broker_assigned").order_by("id"))
    assert len(events) == 2
    assert events[0].before == {"broker": None}
    assert events[0].after == {"broker": {"id": broker.pk, "name": "Bea Broker"}}
    assert events[1].before == {"broker": {"id": broker.pk, "name": "Bea Broker"}}
    assert events[1].actor == finance and events[1].person == account.person


def test_the_broker_is_told_once_in_the_app_and_by_email_after_the_commit(
    finance, broker, funded, django_capture_on_commit_callbacks
):
    plan, _ = funded
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account_broker_assign(actor=finance, plan=plan, broker=broker)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    told = Notification.objects.filter(user=broker, subject__startswith="Budget assigned to you")
    assert told.count() == 1
    assert [m.to for m in mail.outbox if "Budget assigned" in m.subject] == [["bea@example.org"]]
    assert reverse("payments:account", kwargs={"org": plan.organisation.code, "pk": plan.pk}) in told[0].path


def test_naming_the_broker_it_already_names_changes_and_tells_nothing(finance, broker, funded):
    plan, _ = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    assert Notification.objects.filter(user=broker, subject__startswith="Budget assigned").count() == 1
    assert AuditEvent.objects.filter(action="account_broker_assigned").count() == 1


def test_a_plan_with_no_account_yet_cannot_name_a_broker(org, finance, broker):
    plan = approved_plan(org, status="submitted")
    with pytest.raises(Conflict):
        account_broker_assign(actor=finance, plan=plan, broker=broker)


def test_a_closed_budget_cannot_be_given_a_broker(finance, broker, funded):
    plan, account = funded
    BudgetAccount.objects.filter(pk=account.pk).update(closed_on=account.opened_at.date())
    with pytest.raises(Conflict):
        account_broker_assign(actor=finance, plan=plan, broker=broker)


def test_money_news_goes_to_the_budgets_broker_not_every_broker(org, finance, broker, other_broker):
    plan = approved_plan(org, total="100.00")
    open_account(plan)
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    services.release_record(actor=finance, plan=plan, amount=Decimal("100.00"), released_on=plan.start_date)
    released = Notification.objects.filter(subject__startswith="Funds released")
    assert {n.user.username for n in released} == {"broker"}


# --- What a broker reaches (API)


@pytest.fixture
def assigned(finance, broker, funded):
    plan, account = funded
    account_broker_assign(actor=finance, plan=plan, broker=broker)
    return plan, account


def test_a_broker_without_the_grant_is_refused_the_budget_that_names_another(
    api, org, other_broker, assigned
):
    plan, _ = assigned
    client = api(other_broker)
    base = f"/api/v1/orgs/{org.code}/plans/{plan.pk}"
    assert client.get(f"{base}/account/").status_code == 403
    assert client.get(f"{base}/").status_code == 403
    assert client.get(f"/api/v1/orgs/{org.code}/people/{plan.person_id}/").status_code == 403
    paid = client.post(
        f"{base}/payments/",
        {
            "amount": "10.00",
            "paid_on": plan.start_date.isoformat(),
            "method": "bank_transfer",
            "payee": "Swim",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert paid.status_code == 403


def test_a_broker_without_the_grant_finds_the_budget_in_no_list_or_export(
    api, org, finance, broker, other_broker, assigned
):
    plan, _ = assigned
    services.payment_record(
        actor=broker,
        plan=plan,
        amount=Decimal("25.00"),
        paid_on=plan.start_date,
        method="bank_transfer",
        payee="Swim England",
        reference="",
        idempotency_key=str(uuid.uuid4()),
    )
    client = api(other_broker)
    assert client.get(f"/api/v1/orgs/{org.code}/budgets/").json()["count"] == 0
    assert client.get(f"/api/v1/orgs/{org.code}/payments/").json()["count"] == 0
    csv = client.get(f"/api/v1/orgs/{org.code}/payments/?format=csv").content.decode()
    assert "Swim England" not in csv
    assert client.get(f"/api/v1/orgs/{org.code}/people/").json()["count"] == 0
    # Its own broker and finance still see it all.
    assert api(broker).get(f"/api/v1/orgs/{org.code}/payments/").json()["count"] == 1
    assert api(finance).get(f"/api/v1/orgs/{org.code}/payments/").json()["count"] == 1


def test_a_budget_naming_no_broker_yet_is_seen_by_every_broker(api, org, broker, other_broker, funded):
    plan, _ = funded
    for user in (broker, other_broker):
        assert api(user).get(f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/").status_code == 200


def test_a_broker_who_is_also_finance_sees_every_budget(api, org, assigned):
    plan, _ = assigned
    both = member(org, Role.BROKER, Role.FINANCE, username="both")
    assert api(both).get(f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/").status_code == 200


# --- The API: the account names its broker, PATCH names one


def test_the_account_shows_its_broker(api, org, broker, assigned):
    plan, _ = assigned
    answer = api(broker).get(f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/").json()
    assert answer["broker"] == {"id": broker.pk, "name": "Bea Broker"}


def test_an_account_without_a_broker_shows_null(api, org, finance, funded):
    plan, _ = funded
    assert api(finance).get(f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/").json()["broker"] is None


def test_patch_names_the_broker(api, org, finance, broker, funded):
    plan, account = funded
    answer = api(finance).patch(
        f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/", {"broker": broker.pk}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["broker"] == {"id": broker.pk, "name": "Bea Broker"}
    assert _grant_holders(account) == {"broker"}


def test_patch_needs_credentials(api, org, funded, broker):
    plan, _ = funded
    url = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/"
    assert api(None).patch(url, {"broker": broker.pk}, format="json").status_code == 401


def test_patch_is_refused_to_a_broker_and_a_care_coordinator(api, org, coordinator, broker, funded):
    plan, account = funded
    url = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/"
    for user in (broker, coordinator):
        assert api(user).patch(url, {"broker": broker.pk}, format="json").status_code == 403
    assert _grant_holders(account) == set()


def test_patch_from_another_organisation_is_a_404(api, org, outsider, broker, funded):
    plan, _ = funded
    url = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/"
    assert api(outsider).patch(url, {"broker": broker.pk}, format="json").status_code == 404


def test_patch_naming_someone_who_is_no_broker_is_a_400(api, org, finance, coordinator, funded):
    plan, _ = funded
    url = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/"
    for body in ({"broker": coordinator.pk}, {"broker": "x"}, {}):
        answer = api(finance).patch(url, body, format="json")
        assert answer.status_code == 400, body
        assert "broker" in answer.json()


def test_patch_on_a_plan_with_no_account_is_a_409(api, org, finance, broker):
    plan = approved_plan(org, status="submitted")
    url = f"/api/v1/orgs/{org.code}/plans/{plan.pk}/account/"
    assert api(finance).patch(url, {"broker": broker.pk}, format="json").status_code == 409


# --- The broker's work list: GET budgets/?mine=true


def test_mine_lists_the_brokers_budgets_overdue_first_then_unfunded(api, org, finance, broker):
    quiet = approved_plan(org, total="50.00", items=[{"amount": "50.00", "frequency": "monthly"}])
    open_account(quiet)
    services.release_record(actor=finance, plan=quiet, amount=Decimal("50.00"), released_on=quiet.start_date)
    # Starts in a week: nothing overdue.
    overdue_plan, _ = funded_account(org, total="80.00", finance=finance)
    unfunded = approved_plan(org, total="120.00", approved_days_ago=9)
    open_account(unfunded)
    not_mine, _ = funded_account(org, total="70.00", finance=finance)
    for plan in (quiet, overdue_plan, unfunded):
        account_broker_assign(actor=finance, plan=plan, broker=broker)
    # The monthly plan started a week ago too; make its instalments fall in the future.
    BudgetAccount.objects.get(budget_id=quiet.budget_id).instalments.update(
        due_on=quiet.start_date + (quiet.end_date - quiet.start_date)
    )
    answer = api(broker).get(f"/api/v1/orgs/{org.code}/budgets/?mine=true")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [r["plan"] for r in rows] == [overdue_plan.pk, unfunded.pk, quiet.pk]
    assert rows[0]["instalments_overdue"] == 1
    assert rows[1]["unfunded"] is True and rows[1]["days_since_approval"] == 9
    assert rows[2]["unfunded"] is False and rows[2]["instalments_overdue"] == 0
    assert all(r["broker"]["id"] == broker.pk for r in rows)
    assert not_mine.pk not in [r["plan"] for r in rows]


def test_budgets_filter_unfunded_and_refuse_a_bad_flag(api, org, finance, broker):
    funded_account(org, finance=finance)
    waiting = approved_plan(org)
    open_account(waiting)
    rows = api(finance).get(f"/api/v1/orgs/{org.code}/budgets/?unfunded=true").json()["results"]
    assert [r["plan"] for r in rows] == [waiting.pk]
    assert api(finance).get(f"/api/v1/orgs/{org.code}/budgets/?mine=maybe").status_code == 400


def test_budgets_need_credentials_and_a_money_role(api, org, coordinator, outsider):
    url = f"/api/v1/orgs/{org.code}/budgets/"
    assert api(None).get(url).status_code == 401
    assert api(member(org, Role.ORG_ADMIN)).get(url).status_code == 403
    assert api(outsider).get(url).status_code == 404


# --- Pages


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_names_the_broker_and_offers_the_change_to_finance(org, finance, broker, assigned):
    plan, _ = assigned
    page = _client(finance).get(reverse("payments:account", kwargs={"org": org.code, "pk": plan.pk}))
    text = page.content.decode()
    assert "Bea Broker" in text
    assert reverse("payments:account-broker", kwargs={"org": org.code, "pk": plan.pk}) in text
    as_broker = _client(broker).get(reverse("payments:account", kwargs={"org": org.code, "pk": plan.pk}))
    assert reverse("payments:account-broker", kwargs={"org": org.code, "pk": plan.pk}) not in (
        as_broker.content.decode()
    )


def test_the_broker_form_names_the_broker(org, finance, broker, funded):
    plan, account = funded
    url = reverse("payments:account-broker", kwargs={"org": org.code, "pk": plan.pk})
    client = _client(finance)
    assert "Bea Broker" in client.get(url).content.decode()
    answer = client.post(url, {"broker": broker.pk}, follow=True)
    assert "Bea Broker is the broker of this budget." in answer.content.decode()
    assert _grant_holders(account) == {"broker"}


def test_the_broker_form_refuses_someone_who_is_no_broker(org, finance, coordinator, funded):
    plan, account = funded
    url = reverse("payments:account-broker", kwargs={"org": org.code, "pk": plan.pk})
    answer = _client(finance).post(url, {"broker": coordinator.pk})
    assert answer.status_code == 200
    assert "broker role" in answer.content.decode()
    assert _grant_holders(account) == set()


def test_a_broker_cannot_open_the_broker_form(org, broker, funded):
    plan, _ = funded
    url = reverse("payments:account-broker", kwargs={"org": org.code, "pk": plan.pk})
    assert _client(broker).get(url).status_code == 403


def test_a_broker_without_the_grant_is_refused_the_account_page(org, other_broker, assigned):
    plan, _ = assigned
    url = reverse("payments:account", kwargs={"org": org.code, "pk": plan.pk})
    assert _client(other_broker).get(url).status_code == 403


def test_the_budgets_page_lists_the_brokers_budgets_with_days_and_what_is_due(org, finance, broker):
    mine, _ = funded_account(org, total="80.00", finance=finance)
    account_broker_assign(actor=finance, plan=mine, broker=broker)
    unfunded = approved_plan(org, total="120.00", approved_days_ago=4)
    open_account(unfunded)
    account_broker_assign(actor=finance, plan=unfunded, broker=broker)
    others, _ = funded_account(org, total="70.00", finance=finance)
    text = _client(broker).get(reverse("payments:budgets", kwargs={"org": org.code})).content.decode()
    assert text.index(mine.person.full_name) < text.index(unfunded.person.full_name)
    assert "1 overdue" in text and "Unfunded" in text and "4 days" in text
    assert others.person.full_name not in text


def test_the_brokers_home_page_counts_their_budgets(org, finance, broker):
    mine, _ = funded_account(org, total="80.00", finance=finance)
    account_broker_assign(actor=finance, plan=mine, broker=broker)
    waiting = approved_plan(org)
    open_account(waiting)
    account_broker_assign(actor=finance, plan=waiting, broker=broker)
    text = _client(broker).get(reverse("org-home", kwargs={"org": org.code})).content.decode()
    budgets = reverse("payments:budgets", kwargs={"org": org.code})
    assert f'href="{budgets}"' in text
    assert '<span class="phb-figure">2</span> budgets you manage' in text
    assert '<span class="phb-figure">1</span> of them approved but unfunded' in text
    assert '<span class="phb-figure">1</span> instalments overdue on them' in text


def test_the_worklist_shows_a_broker_only_the_instalments_they_may_pay(org, finance, broker, other_broker):
    mine, _ = funded_account(org, total="80.00", finance=finance)
    account_broker_assign(actor=finance, plan=mine, broker=broker)
    theirs, _ = funded_account(org, total="70.00", finance=finance)
    account_broker_assign(actor=finance, plan=theirs, broker=other_broker)
    text = _client(broker).get(reverse("payments:worklist", kwargs={"org": org.code})).content.decode()
    assert mine.person.full_name in text
    assert theirs.person.full_name not in text
