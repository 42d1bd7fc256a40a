"""The person's copy of their plan: a PDF in plain English holding their goals in their words."""

import io
import re

import pytest
from pypdf import PdfReader

from support_plans.pdf import plan_pdf
from tests.factories import PlanFactory, PlanRiskFactory

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_pdf_holds_the_persons_goals_items_contacts_and_review(org, coordinator):
    plan = PlanFactory(
        organisation=org,
        care_coordinator=coordinator,
        contacts="Duty team: 020 7946 0000",
        goals=["I want to get back to swimming twice a week", "I want to see my grandchildren"],
    )
    PlanRiskFactory(plan=plan, organisation=org, risk="The pool closes in winter")
    pdf = plan_pdf(plan)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "Your personal health budget support plan" in text
    assert "I want to get back to swimming twice a week" in text
    assert "I want to see my grandchildren" in text
    assert "Swimming pass" in text and "£200.00" in text
    assert "direct payment" in text
    assert "Duty team: 020 7946 0000" in text
    assert coordinator.get_full_name() in text
    assert "within 3 months of your plan starting" in text
    assert "The pool closes in winter" in text


def test_pdf_is_a4(org):
    reader = PdfReader(io.BytesIO(plan_pdf(PlanFactory(organisation=org))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_uses_the_organisations_review_policy(org):
    from reviews.models import ReviewPolicy

    ReviewPolicy.objects.create(organisation=org, first_review_weeks=6)
    text = text_of(plan_pdf(PlanFactory(organisation=org)))
    assert "within 6 weeks of your plan starting" in text
