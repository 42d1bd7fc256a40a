from django.apps import AppConfig


class SupportPlansConfig(AppConfig):
    name = "support_plans"
