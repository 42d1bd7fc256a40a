"""Health endpoints for the containers' probes (django-health-check), docker-compose.yml and Dockerfile.

- `/health/live/`: the process answers; touches nothing else, so a database outage does not make an
  orchestrator restart healthy web processes.
- `/health/ready/`: the database answers, the cache and the Celery broker answer, and every migration
  is applied: the web container's healthcheck, which the proxy waits for.
- `/health/jobs/`: the heartbeat job, which beat schedules every minute and a worker runs, has run
  within HEARTBEAT_MAX_AGE: the beat container's healthcheck.

Caddy answers 404 for /health/* from outside (deploy/Caddyfile): the probes run inside the containers.
"""

import dataclasses
import datetime
import time

from django.core.cache import cache
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import path
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from phb.celery import app

HEARTBEAT_KEY = "phb:health:heartbeat"
# Beat sends the heartbeat every minute (settings.CELERY_BEAT_SCHEDULE); five missed in a row is a fault.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=5)


def record_heartbeat(now: float | None = None) -> float:
    """Write the time of this heartbeat where every process can read it (the shared cache)."""
    stamp = time.time() if now is None else now
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration on disk is applied: a web process of a new release is not ready before `migrate`."""

    alias: str = "default"

    def run(self) -> None:
        connection = connections[self.alias]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:3])
            more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
            raise ServiceUnavailable(f"{len(plan)} migrations not applied: {names}{more}")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis in production)."""

    def run(self) -> None:
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=3)
        except Exception as error:
            raise ServiceUnavailable(f"Celery broker unreachable ({type(error).__name__})") from error


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """The heartbeat job has run recently: beat is scheduling and a worker is running what it sends."""

    max_age: datetime.timedelta = dataclasses.field(default=HEARTBEAT_MAX_AGE, repr=False)

    def run(self) -> None:
        stamp = cache.get(HEARTBEAT_KEY)
        if stamp is None:
            raise ServiceUnavailable("No heartbeat yet: is beat running, and a worker?")
        age = time.time() - float(stamp)
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"Last heartbeat {age:.0f} s ago (more than {self.max_age})")


class LiveView(HealthCheckView):
    checks = ()


class ReadyView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
        MigrationsApplied,
    )


class JobsView(HealthCheckView):
    checks = (BeatHeartbeat,)


urlpatterns = [
    path("live/", LiveView.as_view(), name="health-live"),
    path("ready/", ReadyView.as_view(), name="health-ready"),
    path("jobs/", JobsView.as_view(), name="health-jobs"),
]
