from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    person_section = ("payments/_person_section.html", "payments.selectors.person_section")
    home_panel = ("includes/home_panel.html", "payments.selectors.home_panel")
    plan_parts = {"account": "payments.selectors.plan_account"}
