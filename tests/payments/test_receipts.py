"""Receipts (issue 13, finding 9): stored under names of our own with the sniffed type, and served
back only to the organisation, as a download, from the account page and the API entry."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from payments.models import LedgerEntry
from phb.constants import Role
from tests.factories import funded_account, member
from tests.payments.test_api import payment_body, post_payment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def broker(org):
    return member(org, Role.BROKER, username="broker")


@pytest.fixture
def funded(org):
    plan, _ = funded_account(org, total="200.00", finance=member(org, Role.FINANCE))
    return plan


def _pay_with(api, user, plan, name, content, key="k1"):
    return api(user).post(
        f"/api/v1/orgs/07T/plans/{plan.pk}/payments/",
        payment_body(receipt=SimpleUploadedFile(name, content)),
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_receipt_is_stored_under_a_generated_name_with_the_sniffed_extension(api, funded, broker):
    response = _pay_with(api, broker, funded, "evil.html", PDF)
    assert response.status_code == 201, response.json()
    stored = LedgerEntry.objects.get(kind="payment").receipt.name
    assert stored.endswith(".pdf") and "evil" not in stored and ".html" not in stored


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [(WEBP, "image/webp", ".webp"), (HEIC, "image/heic", ".heic"), (PDF, "application/pdf", ".pdf")],
)
def test_heic_and_webp_photos_are_accepted_as_what_they_are(
    api, funded, broker, content, content_type, extension
):
    response = _pay_with(api, broker, funded, "photo.jpg", content)
    assert response.status_code == 201, response.json()
    entry = LedgerEntry.objects.get(kind="payment")
    assert entry.receipt_content_type == content_type and entry.receipt.name.endswith(extension)


def test_any_other_kind_of_file_is_a_400_and_nothing_is_recorded(api, funded, broker):
    response = _pay_with(api, broker, funded, "receipt.pdf", GIF)
    assert response.status_code == 400
    assert "HEIC or WebP" in response.json()["receipt"][0]
    assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_the_api_entry_links_to_its_receipt_which_downloads_as_an_attachment(api, funded, broker):
    entry = _pay_with(api, broker, funded, "evil.html", PDF).json()
    assert entry["receipt_url"] == f"/api/v1/orgs/07T/payments/{entry['id']}/receipt/"
    response = api(broker).get(entry["receipt_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{entry["id"]}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    account = api(broker).get(f"/api/v1/orgs/07T/plans/{funded.pk}/account/").json()
    assert [e["receipt_url"] for e in account["entries"] if e["kind"] == "payment"] == [entry["receipt_url"]]


def test_a_repeated_payment_answers_with_the_same_receipt_link(api, funded, broker):
    first = _pay_with(api, broker, funded, "r.pdf", PDF, key="same").json()
    again = _pay_with(api, broker, funded, "r.pdf", PDF, key="same").json()
    assert again["receipt_url"] == first["receipt_url"] is not None


def test_another_organisation_cannot_download_a_receipt(api, funded, broker, outsider):
    entry = _pay_with(api, broker, funded, "r.pdf", PDF).json()
    assert api(outsider).get(entry["receipt_url"]).status_code == 404
    assert api(outsider).get(f"/api/v1/orgs/15E/payments/{entry['id']}/receipt/").status_code == 404
    assert api(None).get(entry["receipt_url"]).status_code == 401


def test_an_entry_without_a_receipt_has_no_link_and_no_download(api, funded, broker):
    entry = post_payment(api(broker), funded).json()
    assert entry["receipt_url"] is None
    assert api(broker).get(f"/api/v1/orgs/07T/payments/{entry['id']}/receipt/").status_code == 404


def test_the_account_page_links_to_the_receipt_download(api, funded, broker):
    entry = _pay_with(api, broker, funded, "r.pdf", PDF).json()
    client = Client()
    client.force_login(broker)
    page = client.get(f"/o/07T/plans/{funded.pk}/account/").content.decode()
    link = f"/o/07T/payments/entries/{entry['id']}/receipt/"
    assert link in page and "receipt kept" not in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
