"""The access log (issue 13, finding 11): opening a person, a plan, its PDF, an account or the
payments export is logged with who, when, what and which person; the org admin (as the information
governance lead) sees who opened a person's record, and nothing clinical."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from phb.constants import Role
from phb.models import RecordAccess
from tests.factories import funded_account, member

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/07T"
PAGES = "/o/07T"


@pytest.fixture
def budget(org):
    """A funded budget with one payment, so that the account and the payments export name the person."""
    from payments import services

    plan, _account = funded_account(org, total="300.00")
    finance = member(org, Role.FINANCE, username="finance")
    services.payment_record(
        actor=finance,
        plan=plan,
        amount=Decimal("40.00"),
        paid_on=timezone.localdate(),
        method="bank_transfer",
        payee="Better Leisure",
        reference="INV-1",
        idempotency_key="key-1",
    )
    return {"plan": plan, "person": plan.person, "finance": finance}


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _logged(user, what, channel):
    return list(RecordAccess.objects.filter(user=user, what=what, channel=channel))


@pytest.mark.parametrize(
    "what,path",
    [("plan", "plans/{pk}/"), ("plan_pdf", "plans/{pk}/pdf/"), ("account", "plans/{pk}/account/")],
)
def test_opening_a_plan_its_pdf_or_its_account_is_logged_in_the_api_and_on_the_page(
    api, org, coordinator, budget, what, path
):
    plan = budget["plan"]
    url = path.format(pk=plan.pk)
    assert api(coordinator).get(f"{API}/{url}").status_code == 200
    assert page_client(coordinator).get(f"{PAGES}/{url}").status_code == 200
    for channel in ("api", "web"):
        [entry] = _logged(coordinator, what, channel)
        assert entry.person_id == budget["person"].pk and entry.organisation_id == org.pk
        assert entry.user_name == f"{coordinator.get_full_name()} ({coordinator.username})"
        assert timezone.now() - entry.at < timedelta(minutes=1)


def test_the_payments_export_logs_every_person_it_names(api, org, budget):
    finance = budget["finance"]
    assert api(finance).get(f"{API}/payments/?format=csv").status_code == 200
    today = timezone.localdate().isoformat()
    download = page_client(finance).get(f"{PAGES}/payments/export/?start={today}&end={today}&download=1")
    assert download.status_code == 200
    for channel in ("api", "web"):
        [entry] = _logged(finance, "payments_export", channel)
        assert entry.person_id == budget["person"].pk


def test_the_org_admin_sees_who_opened_a_persons_record_and_nothing_clinical(api, org, coordinator, budget):
    person = budget["person"]
    api(coordinator).get(f"{API}/people/{person.pk}/")
    api(coordinator).get(f"{API}/plans/{budget['plan'].pk}/")
    admin = member(org, Role.ORG_ADMIN, username="iglead")
    page = page_client(admin).get(f"{PAGES}/access-log/", {"nhs_number": person.nhs_number_display})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{coordinator.get_full_name()} ({coordinator.username})" in html
    assert "Person&#x27;s record" in html and "Support plan" in html
    assert "Opened 2 times by 1 member of staff" in html
    for clinical in (
        person.given_name,
        person.family_name,
        person.date_of_birth.isoformat(),
        "Mental health",
    ):
        assert clinical not in html


def test_the_access_log_is_the_org_admins_alone(org, coordinator, person):
    assert page_client(coordinator).get(f"{PAGES}/access-log/").status_code == 403


def test_an_unknown_nhs_number_is_said_plainly(org, org_admin):
    page = page_client(org_admin).get(f"{PAGES}/access-log/", {"nhs_number": "943 476 5919"})
    assert "No one with this NHS number is recorded in" in page.content.decode()
    bad = page_client(org_admin).get(f"{PAGES}/access-log/", {"nhs_number": "123"})
    assert "Enter an NHS number of 10 digits" in bad.content.decode()


def test_the_access_log_cannot_be_changed(org, coordinator, person):
    from phb.access_log import access_record

    entry = access_record(
        actor=coordinator, organisation=org, what="person", obj=person, person=person, channel="web"
    )
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
