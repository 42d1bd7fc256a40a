"""The budget account API as API.md states it: statuses, idempotency, receipts, the finance CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments import ledger
from payments.models import BudgetAccount, LedgerEntry
from payments.selectors import signed_amount
from phb.constants import Role
from tests.factories import approved_plan, funded_account, member, open_account

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def finance(org):
    return member(org, Role.FINANCE, username="finance")


@pytest.fixture
def funded(org, finance):
    plan, _ = funded_account(org, total="200.00", finance=finance)
    return plan


def today():
    return timezone.localdate().isoformat()


def payment_body(**overrides):
    body = {
        "amount": "50.00",
        "paid_on": today(),
        "method": "paid_to_provider",
        "payee": "Swim England",
        "reference": "INV-7",
    }
    body.update(overrides)
    return body


def post_payment(client, plan, body=None, key="key-1", org_code="07T"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/v1/orgs/{org_code}/plans/{plan.pk}/payments/", body or payment_body(), format="json", **headers
    )


# --- GET account


def test_account_shows_totals_entries_instalments_and_delays(api, funded, broker):
    post_payment(api(broker), funded)
    data = api(broker).get(f"/api/v1/orgs/07T/plans/{funded.pk}/account/").json()
    assert (data["approved"], data["released"], data["paid"], data["balance"]) == (
        "200.00",
        "200.00",
        "50.00",
        "150.00",
    )
    assert [e["kind"] for e in data["entries"]] == ["release", "payment"]
    assert data["entries"][1]["payee"] == "Swim England" and data["entries"][1]["created_by"] == "broker"
    assert data["instalments"][0]["amount"] == "200.00"
    assert data["approval_to_release_days"] == 0 and data["approval_to_first_payment_days"] == 0


def test_account_of_a_plan_not_yet_approved_is_404_with_a_clear_detail(api, org, broker):
    plan = approved_plan(org, status="submitted")
    response = api(broker).get(f"/api/v1/orgs/07T/plans/{plan.pk}/account/")
    assert response.status_code == 404
    assert "opened when the plan is approved" in response.json()["detail"]


def test_account_needs_credentials(api, funded):
    assert api(None).get(f"/api/v1/orgs/07T/plans/{funded.pk}/account/").status_code == 401


def test_account_of_another_organisation_is_404(api, funded, outsider):
    assert api(outsider).get(f"/api/v1/orgs/07T/plans/{funded.pk}/account/").status_code == 404
    assert api(outsider).get(f"/api/v1/orgs/15E/plans/{funded.pk}/account/").status_code == 404


# --- POST payments


def test_payment_is_created_with_201(api, funded, broker):
    response = post_payment(api(broker), funded)
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["amount"], body["payee"], body["method"]) == (
        "payment",
        "50.00",
        "Swim England",
        "paid_to_provider",
    )
    funded.refresh_from_db()
    assert funded.status == "active"


def test_repeat_with_same_key_and_body_gets_the_same_answer_and_records_once(api, funded, broker):
    first = post_payment(api(broker), funded, key="abc")
    second = post_payment(api(broker), funded, key="abc")
    assert (second.status_code, second.json()) == (first.status_code, first.json()) == (201, first.json())
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_same_key_with_another_body_is_409(api, funded, broker):
    post_payment(api(broker), funded, key="abc")
    response = post_payment(api(broker), funded, payment_body(amount="51.00"), key="abc")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_payment_without_an_idempotency_key_is_400(api, funded, broker):
    response = post_payment(api(broker), funded, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


def test_payment_beyond_the_approved_amount_is_409(api, funded, broker):
    assert post_payment(api(broker), funded, payment_body(amount="150.00"), key="a").status_code == 201
    response = post_payment(api(broker), funded, payment_body(amount="50.01"), key="b")
    assert response.status_code == 409
    assert "exceed the approved budget" in response.json()["detail"]
    assert BudgetAccount.objects.get().paid == D("150.00")


def test_care_coordinator_recording_a_payment_gets_403(api, funded, coordinator):
    assert post_payment(api(coordinator), funded).status_code == 403
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_payment_needs_credentials(api, funded):
    assert post_payment(api(None), funded).status_code == 401


def test_payment_on_another_organisations_plan_is_404(api, funded, outsider):
    assert post_payment(api(outsider), funded).status_code == 404
    assert post_payment(api(outsider), funded, org_code="15E").status_code == 404


def test_payment_on_a_plan_without_an_account_is_409_naming_its_status(api, org, broker):
    plan = approved_plan(org, status="draft")
    response = post_payment(api(broker), plan)
    assert response.status_code == 409 and "draft" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0.00"),
        ("amount", "-5.00"),
        ("amount", "10.001"),
        ("amount", "1000000.01"),
        ("amount", "ten"),
        ("method", "cheque"),
        ("paid_on", "2026-13-45"),
        ("paid_on", (timezone.localdate() + timedelta(days=1)).isoformat()),
        ("payee", "x" * 201),
        ("reference", "x" * 101),
    ],
)
def test_bad_payment_input_is_400_naming_the_field(api, funded, broker, field, value):
    response = post_payment(api(broker), funded, payment_body(**{field: value}))
    assert response.status_code == 400
    assert field in response.json()


def test_payment_with_a_pdf_receipt_keeps_it(api, funded, broker):
    body = payment_body(receipt=SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf"))
    response = api(broker).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/payments/", body, format="multipart", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert response.status_code == 201, response.json()
    entry = LedgerEntry.objects.get(kind="payment")
    assert entry.receipt and entry.receipt_content_type == "application/pdf"


def test_receipt_named_like_a_pdf_but_not_one_is_400(api, funded, broker):
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api(broker).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/payments/",
        payment_body(receipt=fake),
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="r2",
    )
    assert response.status_code == 400 and "receipt" in response.json()


def test_receipt_over_five_megabytes_is_400(api, funded, broker):
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = api(broker).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/payments/",
        payment_body(receipt=big),
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="r3",
    )
    assert response.status_code == 400 and "receipt" in response.json()


# --- Release, refunds, clawbacks, corrections


def test_finance_releases_funds_and_the_plan_becomes_active(api, org, finance):
    plan = approved_plan(org, total="300.00")
    open_account(plan)
    response = api(finance).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/account/release/",
        {"amount": "300.00", "released_on": today()},
        format="json",
    )
    assert response.status_code == 201 and response.json()["kind"] == "release"
    plan.refresh_from_db()
    assert plan.status == "active"


def test_broker_releasing_funds_gets_403(api, org, broker):
    plan = approved_plan(org)
    open_account(plan)
    response = api(broker).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/account/release/", {"amount": "10.00", "released_on": today()}
    )
    assert response.status_code == 403


def test_release_beyond_approved_is_409(api, org, finance):
    plan = approved_plan(org, total="100.00")
    open_account(plan)
    response = api(finance).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/account/release/",
        {"amount": "100.01", "released_on": today()},
        format="json",
    )
    assert response.status_code == 409


def test_refund_and_correction_through_the_api(api, funded, broker, finance):
    payment = post_payment(api(broker), funded, payment_body(amount="80.00")).json()
    refund = api(finance).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/refunds/",
        {"amount": "20.00", "refunded_on": today(), "reason": "Session cancelled"},
        format="json",
    )
    assert refund.status_code == 201
    correction = api(finance).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/corrections/",
        {"entry": payment["id"], "amount": "10.00", "reason": "Keyed £10 too much"},
        format="json",
    )
    assert correction.status_code == 201 and correction.json()["reverses"] == payment["id"]
    account = api(finance).get(f"/api/v1/orgs/07T/plans/{funded.pk}/account/").json()
    assert (account["paid"], account["balance"]) == ("50.00", "150.00")


def test_refund_more_than_paid_is_409_and_without_reason_is_400(api, funded, finance):
    url = f"/api/v1/orgs/07T/plans/{funded.pk}/refunds/"
    assert api(finance).post(url, {"amount": "1.00", "reason": "x"}, format="json").status_code == 409
    assert api(finance).post(url, {"amount": "1.00"}, format="json").status_code == 400


def test_clawback_by_commissioner(api, org, funded):
    commissioner = member(org, Role.COMMISSIONER, username="commissioner")
    response = api(commissioner).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/clawbacks/",
        {"amount": "40.00", "reason": "Unspent"},
        format="json",
    )
    assert response.status_code == 201
    assert BudgetAccount.objects.get().released == D("160.00")


def test_correction_of_an_entry_on_another_budget_is_400(api, org, funded, finance):
    other, _ = funded_account(org, finance=finance)
    foreign_entry = LedgerEntry.objects.filter(plan=other).first()
    response = api(finance).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/corrections/",
        {"entry": foreign_entry.pk, "amount": "1.00", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400 and "entry" in response.json()


# --- The finance export


def test_payments_csv_lists_payments_and_refunds_and_its_total_reconciles_with_the_ledger(
    api, org, funded, broker, finance
):
    client = api(broker)
    post_payment(client, funded, payment_body(amount="80.00", payee="=HYPERLINK(1)"), key="p1")
    post_payment(client, funded, payment_body(amount="30.00"), key="p2")
    api(finance).post(
        f"/api/v1/orgs/07T/plans/{funded.pk}/refunds/",
        {"amount": "15.00", "reason": "Returned"},
        format="json",
    )
    old = post_payment(
        client,
        funded,
        payment_body(amount="5.00", paid_on=(timezone.localdate() - timedelta(days=40)).isoformat()),
    )
    start = (timezone.localdate() - timedelta(days=7)).isoformat()
    response = api(finance).get(f"/api/v1/orgs/07T/payments/?from={start}&to={today()}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["entry_id", "date", "organisation_code"] and rows[0][-1] == "amount"
    lines, total = rows[1:-1], rows[-1]
    assert [r[7] for r in lines] == ["payment", "payment", "refund"]
    assert [r[-1] for r in lines] == ["80.00", "30.00", "-15.00"]
    assert lines[0][9] == "'=HYPERLINK(1)", "a payee is never run as a spreadsheet formula"
    assert lines[0][3] == funded.person.nhs_number and lines[0][2] == "07T"
    assert total[0] == "TOTAL" and total[-1] == "95.00"
    # The ledger agrees: what was paid in the period, by the ledger rules.
    in_period = LedgerEntry.objects.filter(entry_date__gte=start).exclude(pk=old.json()["id"])
    paid = ledger.position_from(D(0), [ledger.Entry(e.kind, e.amount) for e in in_period]).paid
    assert D(total[-1]) == paid == sum(signed_amount(e) for e in in_period if e.kind != "release")


def test_payments_json_is_paginated_with_the_total(api, funded, broker):
    post_payment(api(broker), funded)
    data = api(broker).get("/api/v1/orgs/07T/payments/").json()
    assert data["count"] == 1 and data["results"][0]["amount"] == "50.00" and data["total"] == "50.00"


def test_payments_list_with_a_malformed_date_is_400(api, funded, finance):
    response = api(finance).get("/api/v1/orgs/07T/payments/?from=31-01-2026")
    assert response.status_code == 400 and "from" in response.json()


def test_payments_list_is_403_for_a_care_coordinator_and_404_for_another_org(api, coordinator, outsider):
    assert api(coordinator).get("/api/v1/orgs/07T/payments/").status_code == 403
    assert api(outsider).get("/api/v1/orgs/07T/payments/").status_code == 404


# --- Waiting for funds


def test_unfunded_lists_approved_plans_with_no_release_oldest_first(api, org, finance, funded):
    newer = approved_plan(org, approved_days_ago=3)
    open_account(newer)
    older = approved_plan(org, approved_days_ago=30)
    open_account(older)
    results = api(finance).get("/api/v1/orgs/07T/accounts/unfunded/").json()["results"]
    assert [r["plan"] for r in results] == [older.pk, newer.pk]
    assert [r["days_waiting"] for r in results] == [30, 3]
    assert [r["over_limit"] for r in results] == [True, False]


def test_recording_a_payment_costs_the_same_queries_however_long_the_ledger(api, funded, broker):
    def queries_of_one_payment(key):
        with CaptureQueriesContext(connection) as queries:
            assert post_payment(api(broker), funded, payment_body(amount="1.00"), key=key).status_code == 201
        return len(queries)

    first = queries_of_one_payment("first")
    for n in range(6):
        post_payment(api(broker), funded, payment_body(amount="1.00", reference=f"INV-{n}"), key=f"more-{n}")
    assert queries_of_one_payment("eighth") == first
    # Auth and membership (3), the plan, the account lock, the idempotency check, the current plan,
    # the entry, the account, the audit event, the idempotency record, the transaction's edges, and
    # the PaymentRecorded reaction reading the plan to tell the care coordinator (1),
    # whether the budget is paid from a fund (1), whether it names another broker (1), and whether
    # the organisation keeps live figures (1, reporting/live.py).
    assert first <= 17
