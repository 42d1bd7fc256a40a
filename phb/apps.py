from django.apps import AppConfig


class PhbConfig(AppConfig):
    name = "phb"
    verbose_name = "PHB kernel"

    def ready(self):
        # Registers the OpenAPI extension that publishes decimals as the API reads them.
        from . import schema  # noqa: F401
