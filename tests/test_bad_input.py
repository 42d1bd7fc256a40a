"""Bad input of every kind at every write endpoint and page, found by walking the URL configuration.

API.md, "Bad input, always a 4xx with a JSON body": JSON nested 1,000 deep, a NUL character in the
body, query or path, and a body over the size limit are refused with a JSON message under /api/
(a page elsewhere) and nothing is stored. New endpoints are covered without editing this file.
"""

import json
import re
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from phb.bad_input import DEEP_JSON, MAX_UPLOAD_BODY_BYTES, NUL_IN_TEXT, json_depth_exceeds, json_problem
from phb.constants import Role
from phb.demo import seed_all
from phb.models import Organisation
from tests.factories import funded_account, member
from tests.test_isolation import _fill, _kwargs_in, _walk

pytestmark = pytest.mark.django_db

HOME = "07T"
PROJECT_APPS = ("phb", "referrals", "support_plans", "approvals", "payments", "reviews", "reporting")
WRITES = {
    "post": ("post", "create"),
    "put": ("put", "update"),
    "patch": ("patch", "partial_update"),
    "delete": ("delete", "destroy"),
}

DEEP = "[" * 1000 + "]" * 1000
DEEP_IN_A_FIELD = '{"goals": ' + "[" * 999 + "]" * 999 + ', "reason": "moved"}'
NUL_IN_JSON = json.dumps({"reason": "moved\x00", "name": "A\x00", "description": "x\x00y", "amount": "1.00"})
TOO_BIG = json.dumps({"notes": "x" * (3 * 1024 * 1024)})


def write_endpoints():
    """(route, view class, [methods]) of every API endpoint that writes."""
    found = []
    for route, entry in _walk(get_resolver()):
        if not route.startswith("api/"):
            continue
        view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
        methods = [m for m, names in WRITES.items() if any(hasattr(view, n) for n in names)]
        if methods:
            found.append((route, view, methods))
    return found


def page_write_routes():
    """(route, view class) of every page that takes a POST."""
    found = []
    for route, entry in _walk(get_resolver()):
        if route.startswith(("api/", "admin/")):
            continue
        view = getattr(entry.callback, "view_class", None)
        if view is not None and hasattr(view, "post"):
            found.append((route, view))
    return found


def _values(route, view, organisation):
    """A real object of the home organisation for each URL parameter, where the view names its model."""
    values = {}
    for name in _kwargs_in(route):
        if name == "org":
            values[name] = HOME
        elif name == "region":
            values[name] = organisation.region
        elif name == "pk" and getattr(view, "model", None) is not None:
            obj = view.model.objects.filter(organisation=organisation).order_by("pk").first()
            values[name] = obj.pk if obj else 1
        else:
            values[name] = 1
    return values


def row_counts() -> dict[str, int]:
    """Rows of every model of the product's apps (tenant rows, audit events, people, users' roles)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }


@pytest.fixture
def world(db):
    seed_all()
    organisation = Organisation.objects.get(code=HOME)
    user = member(organisation, *Role.values, username="everyrole")
    user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return {"client": client, "organisation": organisation}


def _send(client, method, url, body, content_type="application/json"):
    return getattr(client, method)(url, data=body, content_type=content_type)


def _problems(response, expected_status, expected_detail=None) -> str | None:
    if response.status_code != expected_status:
        return f"{response.status_code} (expected {expected_status}): {response.content[:120]!r}"
    if not response["Content-Type"].startswith("application/json"):
        return f"{response.status_code} but {response['Content-Type']}, not JSON"
    detail = response.json().get("detail")
    if not detail or (expected_detail and detail != expected_detail):
        return f"{response.status_code} with {response.json()!r}, which does not name the problem"
    return None


# Each bad input: how to send it to an endpoint, the status and the message it must get.
BAD_INPUTS = {
    "1,000-deep JSON": (lambda url: (url, DEEP, "application/json"), 400, DEEP_JSON),
    "1,000-deep JSON in a field": (lambda url: (url, DEEP_IN_A_FIELD, "application/json"), 400, DEEP_JSON),
    "NUL in a JSON string": (lambda url: (url, NUL_IN_JSON, "application/json"), 400, NUL_IN_TEXT),
    "NUL in a form field": (
        lambda url: (url, "reason=moved%00&name=A%00", "application/x-www-form-urlencoded"),
        400,
        NUL_IN_TEXT,
    ),
    "NUL in the query": (
        lambda url: (url + "?search=%00&q=a%00", "{}", "application/json"),
        400,
        NUL_IN_TEXT,
    ),
    "NUL in the path": (
        lambda url: (re.sub(r"^/api/v1/(orgs/07T|\w+)/", r"/api/v1/\1%00/", url), "{}", "application/json"),
        404,
        None,
    ),
    "a 3 MB body": (lambda url: (url, TOO_BIG, "application/json"), 413, None),
}


def test_every_write_endpoint_refuses_bad_input_with_json_and_stores_nothing(world):
    endpoints = write_endpoints()
    assert len(endpoints) > 20, "the walk found too few write endpoints"
    before = row_counts()
    failures = []
    for kind, (build, expected_status, expected_detail) in BAD_INPUTS.items():
        for route, view, methods in endpoints:
            url = _fill(route, **_values(route, view, world["organisation"]))
            for method in methods:
                target, body, content_type = build(url)
                response = _send(world["client"], method, target, body, content_type)
                problem = _problems(response, expected_status, expected_detail)
                if problem:
                    failures.append(f"{kind}: {method.upper()} {target[:90]} -> {problem}")
    assert failures == []
    assert row_counts() == before


def test_the_token_endpoint_refuses_deep_json_without_credentials(db):
    response = Client().post("/api/v1/auth/token/", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": DEEP_JSON}


def test_a_nul_in_a_search_is_a_400_on_every_api_list(world):
    failures = []
    for route, entry in _walk(get_resolver()):
        view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
        if not route.startswith("api/v1/") or view is None:
            continue
        url = _fill(route, **_values(route, view, world["organisation"]))
        response = world["client"].get(url + "?search=%00")
        problem = _problems(response, 400, NUL_IN_TEXT)
        if problem:
            failures.append(f"GET {url}?search=%00 -> {problem}")
    assert failures == []


def test_every_page_form_refuses_a_nul_with_a_page_and_stores_nothing(world):
    routes = page_write_routes()
    assert len(routes) > 10, "the walk found too few pages that take a POST"
    before = row_counts()
    failures = []
    for route, view in routes:
        url = _fill(route, **_values(route, view, world["organisation"]))
        response = world["client"].post(url, {"reason": "moved\x00", "name": "A\x00", "notes": "\x00"})
        if response.status_code != 400 or not response["Content-Type"].startswith("text/html"):
            failures.append(f"POST {url} -> {response.status_code} {response['Content-Type']}")
        elif "cannot be used" not in response.content.decode():
            failures.append(f"POST {url} -> 400 without the explanation page")
    assert failures == []
    assert row_counts() == before


@pytest.fixture
def signed_in(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


@pytest.fixture
def payments_url(org):
    # Released in full: a payment may not take paid money above released money.
    plan, _account = funded_account(org, total="200.00", released="200.00")
    return f"/api/v1/orgs/{org.code}/plans/{plan.pk}/payments/"


def test_an_unknown_api_url_is_a_404_with_json(signed_in):
    response = signed_in.get("/api/v1/orgs/07T/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_nul_in_a_page_path_is_the_not_found_page(signed_in):
    response = signed_in.get("/o/07T%00/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_nul_in_a_page_query_is_a_400_page(signed_in):
    response = signed_in.get("/o/07T/people/?search=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL character" in response.content.decode()


def test_a_page_form_over_the_size_limit_is_a_413_page(signed_in):
    before = row_counts()
    response = signed_in.post("/o/07T/people/new/", {"given_name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too much was sent at once" in response.content.decode()
    assert row_counts() == before


def test_an_upload_over_the_upload_limit_is_a_413_with_json(signed_in, payments_url):
    big = b"%PDF-" + b"0" * (MAX_UPLOAD_BODY_BYTES + 1)
    response = signed_in.post(
        payments_url, {"amount": "1.00", "receipt": SimpleUploadedFile("receipt.pdf", big, "application/pdf")}
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_nul_in_an_uploaded_file_name_is_refused_and_nothing_is_stored(org, payments_url):
    broker = member(org, Role.BROKER, username="broker")
    client = Client()
    client.force_login(broker)
    body = {
        "amount": "10.00",
        "paid_on": "2026-01-05",
        "method": "bank_transfer",
        "payee": "PA",
        "receipt": SimpleUploadedFile("receipt\x00.pdf", b"%PDF-1.4 receipt", "application/pdf"),
    }
    before = row_counts()
    response = client.post(payments_url, body, HTTP_IDEMPOTENCY_KEY="nul-file-name")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_IN_TEXT}
    assert row_counts() == before


def test_a_multipart_payment_with_a_receipt_still_records_it(org, payments_url):
    """The middleware parses multipart bodies itself; what it hands on is what the view reads."""
    broker = member(org, Role.BROKER, username="broker")
    client = Client()
    client.force_login(broker)
    body = {
        "amount": "10.00",
        "paid_on": "2026-01-05",
        "method": "bank_transfer",
        "payee": "PA",
        "receipt": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf"),
    }
    response = client.post(payments_url, body, HTTP_IDEMPOTENCY_KEY="with-receipt")
    assert response.status_code == 201, response.content


# --- The JSON screen itself (phb/bad_input.py): brackets and escapes inside strings do not count.


@pytest.mark.parametrize(
    "raw, too_deep",
    [
        (b"[" * 64 + b"]" * 64, False),
        (b"[" * 65 + b"]" * 65, True),
        (b'{"a": "' + b"[" * 100 + b'"}', False),
        (b'["\\"' + b"[" * 100 + b'"]', False),
        (b'{"a": "\\\\"' + b", " + b"[" * 70 + b"]" * 70 + b"}", True),
    ],
)
def test_depth_counts_only_brackets_outside_strings(raw, too_deep):
    assert json_depth_exceeds(raw) is too_deep


@pytest.mark.parametrize(
    "raw, refused",
    [
        (b'{"a": "\\u0000"}', True),
        (b'{"a": "\\\\\\u0000"}', True),
        (b'{"a": "\\\\u0000"}', False),  # the text backslash-u-0000, not a NUL
        (b'{"a": "x\x00"}', True),
    ],
)
def test_a_nul_escape_is_told_from_the_text_of_one(raw, refused):
    assert (json_problem(raw) == NUL_IN_TEXT) is refused


@pytest.mark.parametrize(
    "raw", [b'"' * 2_500_000, b'"' + b'\\"' * 1_200_000, b'"' + b"\\" * 2_500_000, b"[" * 2_500_000]
)
def test_the_screen_reads_any_body_up_to_the_limit_in_one_pass(raw):
    started = time.monotonic()
    json_problem(raw)
    assert time.monotonic() - started < 15  # a quadratic scan would take hours
