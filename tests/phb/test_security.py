"""Security basics: sign-in throttling per username, CSRF, session timeout, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.reset_attempts()
    yield
    AxesProxyHandler.reset_attempts()


def _sign_in(client, username, password, address="127.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(org, coordinator, throttled):
    client = Client()
    for _ in range(3):
        _sign_in(client, "coordinator", "wrong")
    response = _sign_in(client, "coordinator", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_a_locked_username_does_not_lock_out_colleagues_at_the_same_address(
    org, coordinator, org_admin, throttled
):
    client = Client()
    for _ in range(3):
        _sign_in(client, "coordinator", "wrong")
    response = _sign_in(client, "orgadmin", PASSWORD)
    assert response.status_code == 302


def test_nobody_elsewhere_can_lock_out_a_known_user_on_purpose(org, coordinator, throttled):
    attacker = Client()
    for _ in range(5):
        _sign_in(attacker, "coordinator", "wrong", address="203.0.113.9")
    assert _sign_in(attacker, "coordinator", PASSWORD, address="203.0.113.9").status_code == 429
    assert _sign_in(Client(), "coordinator", PASSWORD, address="10.20.30.40").status_code == 302


def test_spraying_one_password_across_usernames_from_one_address_is_stopped(org, coordinator, throttled):
    sprayer = Client()
    for index in range(5):
        response = _sign_in(sprayer, f"guess{index}", "Summer2026!", address="203.0.113.9")
        assert response.status_code == 200  # each username alone is well under its limit
    assert _sign_in(sprayer, "guess5", "Summer2026!", address="203.0.113.9").status_code == 429
    assert _sign_in(sprayer, "guess6", "Summer2026!", address="203.0.113.9").status_code == 429
    assert _sign_in(sprayer, "coordinator", PASSWORD, address="203.0.113.9").status_code == 429
    assert _sign_in(Client(), "coordinator", PASSWORD, address="10.20.30.40").status_code == 302


def test_successful_sign_ins_from_one_address_never_count_towards_its_limit(org, coordinator, throttled):
    for _ in range(10):
        assert _sign_in(Client(), "coordinator", PASSWORD).status_code == 302


def test_successful_sign_ins_are_never_limited(org, coordinator, throttled):
    for _ in range(6):
        client = Client()
        assert _sign_in(client, "coordinator", PASSWORD).status_code == 302


def test_api_tokens_are_never_limited(org, coordinator, throttled):
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=coordinator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    statuses = {client.get("/api/v1/orgs/07T/people/").status_code for _ in range(10)}
    assert statuses == {200}


def test_forms_are_protected_by_csrf(org, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/o/07T/people/new/", {"given_name": "X"})
    assert response.status_code == 403


def test_sessions_time_out_after_thirty_minutes_of_inactivity():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_activity_renews_the_session_at_most_once_a_minute(org, coordinator, monkeypatch):
    from django.contrib.sessions.models import Session

    from phb import middleware

    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = Client()
    client.force_login(coordinator)
    client.get("/o/07T/people/")
    first = Session.objects.get().expire_date
    clock[0] += 30
    client.get("/o/07T/people/")
    assert Session.objects.get().expire_date == first
    clock[0] += 31
    client.get("/o/07T/people/")
    assert Session.objects.get().expire_date > first


def test_https_settings_are_off_by_default_so_loopback_http_works():
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False


def test_check_deploy_passes_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-production-secret-key-of-more-than-fifty-characters-0123456789-xyz",
        "ALLOWED_HOSTS": "phb.example.nhs.uk",
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
