from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    # The person's page shows their approval requests (phb/sections.py).
    person_section = ("approvals/_person_section.html", "approvals.selectors.person_section")
    home_panel = ("includes/home_panel.html", "approvals.selectors.home_panel")
    # A plan's page offers "Sign now" to someone who may fill an open sign-off of its request.
    plan_section = ("approvals/_plan_section.html", "approvals.selectors.plan_section")
    # The support plan's page, API answer and PDF show the tier it needs and its sign-off.
    plan_parts = {
        "required_tier": "approvals.selectors.plan_required_tier",
        "approval": "approvals.selectors.plan_approval",
    }
