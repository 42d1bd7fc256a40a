from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports from spreadsheets"

    def ready(self) -> None:
        # Registers the background import with Celery in the web process too, so that the service
        # can queue it by name (imports.services.CONFIRM_TASK) without importing its own caller.
        from . import tasks  # noqa: F401
