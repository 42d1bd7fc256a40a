"""The budget holder's pages under /my/: plan, money, reviews, the PDF and receipts; their own only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments.constants import EntryKind
from payments.models import LedgerEntry
from reviews.constants import ReviewKind
from reviews.models import Review
from support_plans.models import SupportPlan

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def signed_in(client, holder):
    client.force_login(holder)
    return client


def _text(response) -> str:
    return response.content.decode()


def test_home_goes_to_the_one_budget(signed_in, plan):
    assert signed_in.get("/").headers["Location"] == "/my/"
    response = signed_in.get("/my/")
    assert response.status_code == 302
    assert response["Location"] == f"/my/budgets/{plan.budget_id}/"


def test_my_plan_shows_goals_in_my_words_what_it_pays_for_and_how_it_is_managed(signed_in, plan):
    page = _text(signed_in.get(f"/my/budgets/{plan.budget_id}/"))
    assert "I want to swim twice a week" in page
    assert "Swimming pass" in page and "£300.00" in page
    assert "You have a direct payment" in page
    assert f"/my/budgets/{plan.budget_id}/plan.pdf" in page


def test_my_money_shows_approved_paid_and_balance(signed_in, plan):
    page = _text(signed_in.get(f"/my/budgets/{plan.budget_id}/money/"))
    assert "£300.00" in page and "£35.00" in page and "£265.00" in page
    assert "Add receipt" in page


def test_my_plan_pdf_downloads(signed_in, plan):
    response = signed_in.get(f"/my/budgets/{plan.budget_id}/plan.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_asking_for_a_review_on_the_page(signed_in, plan):
    url = f"/my/budgets/{plan.budget_id}/reviews/"
    assert "Ask for a review" in _text(signed_in.get(url))
    response = signed_in.post(url, {"reason": "My needs have changed"})
    assert response.status_code == 302
    review = Review.objects.get(budget=plan.budget, kind=ReviewKind.ON_REQUEST)
    assert review.reason == "My needs have changed"
    page = _text(signed_in.get(url))
    assert "We have told your care coordinator" in page
    assert f"{review.due_on:%-d %B %Y}" in page


def test_an_empty_reason_keeps_the_form_with_a_plain_message(signed_in, plan):
    response = signed_in.post(f"/my/budgets/{plan.budget_id}/reviews/", {"reason": ""})
    assert response.status_code == 200
    assert "Tell us why you would like a review" in _text(response)
    assert not Review.objects.filter(budget=plan.budget, kind=ReviewKind.ON_REQUEST).exists()


def test_a_direct_payment_holder_adds_a_receipt_for_a_payment(signed_in, plan):
    payment = LedgerEntry.objects.get(account__budget=plan.budget, kind=EntryKind.PAYMENT)
    url = f"/my/budgets/{plan.budget_id}/payments/{payment.pk}/receipt/"
    assert signed_in.get(url).status_code == 200
    response = signed_in.post(
        url, {"receipt": SimpleUploadedFile("photo.png", PNG, content_type="image/png")}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.receipt and payment.receipt_content_type == "image/png"
    assert not payment.receipt.name.endswith("photo.png")
    assert "We have it" in _text(signed_in.get(f"/my/budgets/{plan.budget_id}/money/"))


def test_a_receipt_that_is_not_an_image_or_pdf_is_refused(signed_in, plan):
    payment = LedgerEntry.objects.get(account__budget=plan.budget, kind=EntryKind.PAYMENT)
    url = f"/my/budgets/{plan.budget_id}/payments/{payment.pk}/receipt/"
    upload = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="image/png")
    response = signed_in.post(url, {"receipt": upload})
    assert response.status_code == 200
    assert "PDF, JPEG, PNG, HEIC or WebP" in _text(response)
    payment.refresh_from_db()
    assert not payment.receipt


def test_no_receipts_without_a_direct_payment(signed_in, plan):
    SupportPlan.objects.filter(pk=plan.pk).update(management="notional")
    payment = LedgerEntry.objects.get(account__budget=plan.budget, kind=EntryKind.PAYMENT)
    assert "Add receipt" not in _text(signed_in.get(f"/my/budgets/{plan.budget_id}/money/"))
    response = signed_in.post(
        f"/my/budgets/{plan.budget_id}/payments/{payment.pk}/receipt/",
        {"receipt": io.BytesIO(PNG)},
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    assert not payment.receipt


def test_every_my_page_of_another_persons_budget_is_404(signed_in, other_holder, other_plan):
    budget = other_plan.budget_id
    payment = LedgerEntry.objects.get(account__budget=other_plan.budget, kind=EntryKind.PAYMENT)
    for url in (
        f"/my/budgets/{budget}/",
        f"/my/budgets/{budget}/money/",
        f"/my/budgets/{budget}/reviews/",
        f"/my/budgets/{budget}/plan.pdf",
        f"/my/budgets/{budget}/payments/{payment.pk}/receipt/",
    ):
        assert signed_in.get(url).status_code == 404, url
        assert signed_in.post(url, {"reason": "x"}).status_code in (404, 405), url
    assert not Review.objects.filter(budget_id=budget, kind=ReviewKind.ON_REQUEST).exists()


def test_a_payment_of_another_budget_is_404_under_your_own(signed_in, plan, other_holder, other_plan):
    payment = LedgerEntry.objects.get(account__budget=other_plan.budget, kind=EntryKind.PAYMENT)
    url = f"/my/budgets/{plan.budget_id}/payments/{payment.pk}/receipt/"
    assert signed_in.get(url).status_code == 404


def test_my_pages_are_not_for_staff(client, coordinator, plan):
    client.force_login(coordinator)
    assert client.get("/my/").status_code == 404
    assert client.get(f"/my/budgets/{plan.budget_id}/").status_code == 404
