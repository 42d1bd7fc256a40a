"""The person's copy of their support plan, as an A4 PDF in plain English (WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import allocation_services, selectors
from .constants import Frequency, SpendCategory
from .models import SupportPlan

HOW_OFTEN = {
    Frequency.ONE_OFF: "once",
    Frequency.WEEKLY: "every week",
    Frequency.FORTNIGHTLY: "every two weeks",
    Frequency.FOUR_WEEKLY: "every four weeks",
    Frequency.MONTHLY: "every month",
    Frequency.ANNUALLY: "every year",
}

MANAGED = {
    "direct_payment": (
        "You have a direct payment: the money is paid to you (or your representative) and you "
        "buy the support yourself, keeping receipts."
    ),
    "notional": (
        "Your budget is a notional budget: the NHS holds the money and buys the support you "
        "have chosen for you."
    ),
    "third_party": (
        "Your budget is managed by a third party (a broker or support organisation), who pays "
        "for the support on your behalf."
    ),
}


def plan_pdf_context(plan: SupportPlan) -> dict:
    categories = dict(SpendCategory.choices)
    items = [
        {
            "description": item.description,
            "supplier": item.supplier_name,
            "category": categories.get(item.category, item.category),
            "amount": item.amount,
            "how_often": HOW_OFTEN.get(item.frequency, item.get_frequency_display()),
        }
        for item in plan.items.all()
    ]
    coordinator = plan.care_coordinator
    return {
        "plan": plan,
        "person": plan.person,
        "organisation": plan.organisation,
        "goals": list(plan.goals.all()),
        "items": items,
        "risks": list(plan.risks.all()),
        "costs": selectors.plan_costs(plan),
        "indicative": allocation_services.plan_indicative(plan),
        "managed": MANAGED.get(plan.management, plan.get_management_display()),
        "coordinator_name": (coordinator.get_full_name() or coordinator.username) if coordinator else "",
        "review": selectors.first_review(plan),
        "printed_on": timezone.localdate(),
    }


def plan_pdf(plan: SupportPlan) -> bytes:
    """Render the person's copy; fonts and styles are inline so it needs no network or static files."""
    from weasyprint import HTML

    html = render_to_string("support_plans/plan_pdf.html", plan_pdf_context(plan))
    return HTML(string=html).write_pdf()
