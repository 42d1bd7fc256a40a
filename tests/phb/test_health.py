"""The health endpoints the containers' probes use (phb/health.py, scripts/healthcheck.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

from phb import health
from phb.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_liveness_answers_without_touching_the_database():
    # No `db` fixture: any query would raise, and the view would not answer 200.
    response = Client().get("/health/live/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readiness_checks_database_cache_broker_and_migrations():
    response = Client().get("/health/ready/?format=json")
    assert response.status_code == 200
    body = response.json()
    names = " ".join(body)
    for check in ("Database", "Cache", "Broker", "MigrationsApplied"):
        assert check in names
    assert set(body.values()) == {"OK"}


@pytest.mark.django_db(transaction=True)
def test_readiness_fails_while_a_migration_is_not_applied():
    # Committed (the checks run on their own connections, in threads), and put back afterwards.
    # The app's latest migration, so that the history stays consistent (nothing applied after it).
    recorded = MigrationRecorder.Migration.objects.filter(app="reviews").order_by("-name").first()
    recorded.delete()
    try:
        response = Client().get("/health/ready/?format=json")
    finally:
        MigrationRecorder.Migration.objects.create(
            app=recorded.app, name=recorded.name, applied=recorded.applied
        )
    assert response.status_code == 500
    message = next(value for key, value in response.json().items() if "MigrationsApplied" in key)
    assert f"1 migrations not applied: reviews.{recorded.name}" in message


@pytest.mark.django_db
def test_readiness_fails_when_the_cache_is_unreachable():
    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": dead}):
        response = Client().get("/health/ready/?format=json")
    assert response.status_code == 500
    failed = [key for key, value in response.json().items() if value != "OK"]
    assert any("Cache" in key for key in failed)


def test_jobs_check_fails_before_the_first_heartbeat_and_passes_after_it():
    response = Client().get("/health/jobs/?format=json")
    assert response.status_code == 500
    assert "No heartbeat yet" in next(iter(response.json().values()))

    heartbeat.delay()  # as beat sends it; run in-process here

    response = Client().get("/health/jobs/?format=json")
    assert response.status_code == 200
    assert list(response.json().values()) == ["OK"]


def test_jobs_check_fails_when_the_last_heartbeat_is_too_old():
    health.record_heartbeat(now=time.time() - health.HEARTBEAT_MAX_AGE.total_seconds() - 60)
    response = Client().get("/health/jobs/?format=json")
    assert response.status_code == 500
    assert "Last heartbeat" in next(iter(response.json().values()))


def test_beat_sends_the_heartbeat_more_often_than_the_check_allows_it_to_age():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "phb.tasks.heartbeat")
    assert entry["schedule"] * 3 <= health.HEARTBEAT_MAX_AGE.total_seconds()


def test_beat_container_probe_command_exits_by_the_heartbeat():
    """docker-compose.yml's beat healthcheck: manage.py health_check health-jobs --no-http."""
    with pytest.raises(SystemExit) as stale:
        call_command("health_check", "health-jobs", "--no-http")
    assert stale.value.code == 1
    health.record_heartbeat()
    with pytest.raises(SystemExit) as fresh:
        call_command("health_check", "health-jobs", "--no-http")
    assert fresh.value.code == 0


def _probe(live_server, path, **env):
    port = live_server.url.rsplit(":", 1)[1]
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "healthcheck.py"), path],
        env={**os.environ, "PORT": port, "ALLOWED_HOSTS": "localhost", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_container_probe_script_exits_0_for_a_healthy_endpoint_and_1_otherwise(live_server):
    assert _probe(live_server, "/health/ready/").returncode == 0
    missing = _probe(live_server, "/health/no-such-check/")
    assert missing.returncode == 1
    assert "HTTP 404" in missing.stdout


def test_container_probe_passes_the_https_redirect_as_the_proxy_does(live_server, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _probe(live_server, "/health/live/").returncode == 0
    # Without the proxy's header the same request is redirected to https, as a browser's would be.
    assert Client().get("/health/live/").status_code == 301
