from django.apps import AppConfig


class SupportPlansConfig(AppConfig):
    name = "support_plans"
    verbose_name = "Support plans"
    # The person's page and the person API show their budgets and plan versions.
    person_section = ("support_plans/_person_section.html", "support_plans.selectors.person_section")
    person_api_section = ("plans", "support_plans.api.person_plans")
    home_panel = ("support_plans/_home_panel.html", "support_plans.selectors.home_panel")
