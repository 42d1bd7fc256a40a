"""API tokens (issue 13, finding 5): they expire, there may be one per device, and each is revoked alone."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db


def _token(username="coordinator"):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def _with(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_after_ten_hours_by_default(org, coordinator):
    body = _token()
    assert set(body) == {"token", "expiry"}
    expires_in = parse_datetime(body["expiry"]) - timezone.now()
    assert timedelta(hours=9, minutes=59) < expires_in <= timedelta(hours=10)


def test_the_lifetime_follows_the_configured_ttl(org, coordinator, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    expires_in = parse_datetime(_token()["expiry"]) - timezone.now()
    assert timedelta(hours=1, minutes=59) < expires_in <= timedelta(hours=2)


def test_an_expired_token_is_refused(org, coordinator):
    token = _token()["token"]
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert _with(token).get("/api/v1/orgs/").status_code == 401


def test_each_device_has_its_own_token_and_revoking_one_leaves_the_other(org, coordinator):
    laptop, phone = _token()["token"], _token()["token"]
    assert laptop != phone
    assert _with(laptop).delete("/api/v1/auth/token/").status_code == 204
    assert _with(laptop).get("/api/v1/orgs/").status_code == 401
    assert _with(laptop).delete("/api/v1/auth/token/").status_code == 401
    assert _with(phone).get("/api/v1/orgs/").status_code == 200


def test_revoking_needs_the_token_itself(org, coordinator):
    _token()
    client = APIClient()
    client.force_login(coordinator)  # a browser session is not a token
    assert client.delete("/api/v1/auth/token/").status_code == 401
    assert AuthToken.objects.count() == 1


def test_signing_out_of_the_browser_does_not_revoke_api_tokens(org, coordinator):
    token = _token()["token"]
    browser = Client()
    browser.post("/accounts/login/", {"username": "coordinator", "password": PASSWORD})
    browser.post("/accounts/logout/")
    assert _with(token).get("/api/v1/orgs/").status_code == 200


def test_tokens_are_kept_only_as_digests(org, coordinator):
    token = _token()["token"]
    stored = AuthToken.objects.get()
    assert token not in (stored.digest, stored.token_key)
