"""Response headers (issue 13, finding 8): a Content-Security-Policy on every page, and nothing a
signed-in user sees, nor any API answer, kept by a browser or proxy cache."""

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_person_page_is_never_stored(org, coordinator, person):
    response = _signed_in(coordinator).get(f"/o/07T/people/{person.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_api_answer_by_token_is_never_stored(org, coordinator, person):
    _instance, token = AuthToken.objects.create(user=coordinator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(f"/api/v1/orgs/07T/people/{person.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_errors_are_never_stored_either(org):
    response = APIClient().get("/api/v1/orgs/07T/people/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_every_page_carries_a_policy_that_refuses_inline_scripts_and_styles(org, coordinator):
    for response in (Client().get("/accounts/login/"), _signed_in(coordinator).get("/o/07T/")):
        policy = response["Content-Security-Policy"]
        directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
