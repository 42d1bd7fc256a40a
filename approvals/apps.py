from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    # The person's page shows their approval requests (phb/sections.py).
    person_section = ("approvals/_person_section.html", "approvals.selectors.person_section")
    home_panel = ("includes/home_panel.html", "approvals.selectors.home_panel")
