"""The Celery application: a Redis broker in production, eager in-process without one."""

import os

from celery import Celery, signals

from phb.secret_key import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings")

app = Celery("phb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _refuse_to_start_without_a_secret_key(**kwargs: object) -> None:
    require_secret_key()


# The worker and beat, like the web server, do not start on the built-in key with DEBUG off.
signals.worker_init.connect(_refuse_to_start_without_a_secret_key)
signals.beat_init.connect(_refuse_to_start_without_a_secret_key)
