"""Payments pages: work lists, the account page, recording a payment in a few clicks, the export."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from payments.models import BudgetAccount, LedgerEntry
from phb.constants import Role
from tests.factories import approved_plan, funded_account, member, open_account

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def overdue(org, finance):
    """A funded plan whose one instalment fell due a week ago."""
    plan, account = funded_account(org, total="120.00", finance=finance)
    return plan, account.instalments.get()


def test_broker_work_list_shows_overdue_instalments_with_a_record_payment_link(org, broker, overdue):
    plan, instalment = overdue
    page = client_for(broker).get("/o/07T/payments/").content.decode()
    assert "Instalments to pay" in page and "Overdue" in page
    assert f"/o/07T/plans/{plan.pk}/payments/new/?instalment={instalment.pk}" in page
    assert "Waiting for funds" not in page


def test_finance_waiting_list_shows_days_waiting_and_highlights_the_long_waits(org, finance):
    plan = approved_plan(org, approved_days_ago=40)
    open_account(plan)
    page = client_for(finance).get("/o/07T/payments/").content.decode()
    assert "Waiting for funds" in page and "40 days" in page and "phb-waiting-long" in page
    assert f"/o/07T/plans/{plan.pk}/account/release/" in page


def test_care_coordinator_cannot_open_the_payment_form(org, coordinator, overdue):
    plan, _ = overdue
    assert client_for(coordinator).get(f"/o/07T/plans/{plan.pk}/payments/new/").status_code == 403


def test_payment_form_is_filled_in_from_the_instalment(org, broker, overdue):
    plan, instalment = overdue
    page = client_for(broker).get(f"/o/07T/plans/{plan.pk}/payments/new/?instalment={instalment.pk}")
    form = page.context["form"]
    assert str(form["amount"].value()) == "120.00"
    assert form["payee"].value() == "Swim England" and form["method"].value() == "paid_to_provider"
    assert form["paid_on"].value() == timezone.localdate()


def test_recording_a_payment_from_the_page_twice_with_one_form_records_once(org, broker, overdue):
    plan, instalment = overdue
    client = client_for(broker)
    data = {
        "payment-amount": "120.00",
        "payment-paid_on": timezone.localdate().isoformat(),
        "payment-method": "paid_to_provider",
        "payment-payee": "Swim England",
        "payment-reference": "INV-9",
        "payment-instalment": str(instalment.pk),
        "payment-idempotency_key": "form-key-1",
    }
    url = f"/o/07T/plans/{plan.pk}/payments/new/"
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/o/07T/plans/{plan.pk}/account/"
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert BudgetAccount.objects.get().paid == instalment.amount
    page = client.get(first["Location"]).content.decode()
    assert "Payment of £120.00 to Swim England recorded." in page


def test_overspend_from_the_page_is_shown_on_the_form(org, broker, overdue):
    plan, _ = overdue
    response = client_for(broker).post(
        f"/o/07T/plans/{plan.pk}/payments/new/",
        {
            "payment-amount": "120.01",
            "payment-paid_on": timezone.localdate().isoformat(),
            "payment-method": "bank_transfer",
            "payment-payee": "PA",
            "payment-idempotency_key": "k",
        },
    )
    assert response.status_code == 200
    assert "exceed the approved budget" in response.content.decode()


def test_future_date_and_a_bad_receipt_are_form_errors(org, broker, overdue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan, _ = overdue
    response = client_for(broker).post(
        f"/o/07T/plans/{plan.pk}/payments/new/",
        {
            "payment-amount": "10.00",
            "payment-paid_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "payment-method": "bank_transfer",
            "payment-payee": "PA",
            "payment-idempotency_key": "k",
            "payment-receipt": SimpleUploadedFile("r.pdf", b"<html>not a pdf</html>"),
        },
    )
    form = response.context["form"]
    assert "paid_on" in form.errors and "receipt" in form.errors
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_account_page_shows_the_figures_and_only_the_forms_the_role_allows(org, broker, finance, overdue):
    plan, _ = overdue
    broker_page = client_for(broker).get(f"/o/07T/plans/{plan.pk}/account/")
    assert [label for label, _ in broker_page.context["figures"]] == [
        "Approved",
        "Released",
        "Paid",
        "Balance",
    ]
    text = broker_page.content.decode()
    assert "£120.00" in text and "Record a payment" in text
    assert "Correct an entry" not in text and "Release funds" not in text
    finance_text = client_for(finance).get(f"/o/07T/plans/{plan.pk}/account/").content.decode()
    assert "Correct an entry" in finance_text and "Record a refund" in finance_text


def test_finance_releases_funds_from_the_page(org, finance):
    plan = approved_plan(org, total="250.00")
    open_account(plan)
    client = client_for(finance)
    form = client.get(f"/o/07T/plans/{plan.pk}/account/release/").context["form"]
    assert str(form["amount"].value()) == "250.00"
    response = client.post(
        f"/o/07T/plans/{plan.pk}/account/release/",
        {
            "release-amount": "250.00",
            "release-released_on": timezone.localdate().isoformat(),
            "release-idempotency_key": form["idempotency_key"].value(),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert BudgetAccount.objects.get().released == 250 and plan.status == "active"


def test_export_page_downloads_the_csv_for_the_period(org, broker, finance, overdue):
    plan, _ = overdue
    client_for(broker).post(
        f"/o/07T/plans/{plan.pk}/payments/new/",
        {
            "payment-amount": "20.00",
            "payment-paid_on": timezone.localdate().isoformat(),
            "payment-method": "bank_transfer",
            "payment-payee": "PA",
            "payment-idempotency_key": "e1",
        },
    )
    day = timezone.localdate().isoformat()
    response = client_for(finance).get(f"/o/07T/payments/export/?start={day}&end={day}&download=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().strip().splitlines()[-1].endswith(",20.00")


def test_person_page_shows_the_budget_account(org, broker, overdue):
    plan, _ = overdue
    page = client_for(broker).get(f"/o/07T/people/{plan.person.pk}/").content.decode()
    assert "Budget accounts" in page and f"/o/07T/plans/{plan.pk}/account/" in page


def test_another_organisations_plan_account_page_is_404(org, outsider, overdue):
    plan, _ = overdue
    assert client_for(outsider).get(f"/o/07T/plans/{plan.pk}/account/").status_code == 404
    assert client_for(outsider).get(f"/o/15E/plans/{plan.pk}/account/").status_code == 404
