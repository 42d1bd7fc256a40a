"""OpenID Connect sign-in against a real OpenID provider (django-oidc-provider) that the tests start
in a process of its own (tests/oidc_op), reached by another host name than the app: the browser is
sent there, signs in with the provider's own password, and comes back with a code that the app
exchanges, server to server, for signed tokens. Nothing is mocked."""

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from phb.constants import Role
from tests.factories import PersonFactory, approved_plan, budget_holder_for, member

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID, CLIENT_SECRET = "phb-test-client", "phb-test-secret-0123456789"
OP_PASSWORD = "provider-password-42"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The running provider: its URL. Its users are its own accounts, matched to ours by e-mail."""
    port = _free_port()
    database = tmp_path_factory.mktemp("oidc_op") / "op.sqlite3"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.oidc_op.serve",
            str(port),
            f"{live_server.url}/oidc/callback/",
            CLIENT_ID,
            CLIENT_SECRET,
            f"staff1:staff1@example.nhs.uk:{OP_PASSWORD}",
            f"amara:amara@example.org:{OP_PASSWORD}",
        ],
        cwd=Path(django_settings.BASE_DIR),
        env={"OIDC_OP_DATABASE": str(database), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    if "READY" not in line:
        process.kill()
        pytest.fail(f"The test OpenID provider did not start: {line}{process.stdout.read()}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def _configure(settings, provider_url: str, code: str) -> None:
    settings.OIDC_PROVIDERS = {
        code: {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{provider_url}/openid/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{provider_url}/openid/token",
            "OIDC_OP_USER_ENDPOINT": f"{provider_url}/openid/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{provider_url}/openid/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_SCOPES": "openid profile email",
        }
    }
    settings.AUTHENTICATION_BACKENDS = [
        *django_settings.AUTHENTICATION_BACKENDS,
        django_settings.OIDC_BACKENDS[code],
    ]


def _sign_in_at_provider(live_server, code: str, username: str) -> requests.Response:
    """Start at the app's sign-in page, follow it to the provider, sign in there, come back."""
    browser = requests.Session()
    sign_in = browser.get(f"{live_server.url}/accounts/login/", timeout=30)
    assert f'href="/oidc/{code}/start/"' in sign_in.text
    at_provider = browser.get(f"{live_server.url}/oidc/{code}/start/", timeout=30)
    assert at_provider.url.startswith("http://127.0.0.1:"), at_provider.url  # the provider's own page
    assert "Test identity provider" in at_provider.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', at_provider.text).group(1)
    following = re.search(r'name="next" value="([^"]*)"', at_provider.text).group(1)
    answer = browser.post(
        at_provider.url.split("?")[0],
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": OP_PASSWORD,
            "next": following.replace("&amp;", "&"),
        },
        headers={"Referer": at_provider.url},
        timeout=60,
    )
    answer.browser = browser
    return answer


def test_a_member_of_staff_signs_in_through_cis2(settings, live_server, provider, org):
    _configure(settings, provider, "cis2")
    staff = member(org, Role.CARE_COORDINATOR, username="coordinator1")
    staff.email = "staff1@example.nhs.uk"
    staff.save()
    answer = _sign_in_at_provider(live_server, "cis2", "staff1")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.url == f"{live_server.url}/o/{org.code}/"
    assert "coordinator1" in answer.text or staff.get_full_name() in answer.text
    # Signed in to the app: its session, not the provider's.
    assert (
        answer.browser.get(f"{live_server.url}/api/v1/orgs/", timeout=30).json()["results"][0]["code"]
        == org.code
    )


def test_a_budget_holder_signs_in_through_nhs_login(settings, live_server, provider, org):
    _configure(settings, provider, "nhs_login")
    coordinator = member(org, Role.CARE_COORDINATOR, username="coordinator2")
    person = PersonFactory(organisation=org, given_name="Amara")
    plan = approved_plan(org, person=person)
    holder = budget_holder_for(person, username="amara_holder", actor=coordinator)
    holder.email = "amara@example.org"
    holder.save()
    answer = _sign_in_at_provider(live_server, "nhs_login", "amara")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.url == f"{live_server.url}/my/budgets/{plan.budget_id}/"
    assert "My plan" in answer.text


def test_cis2_never_signs_a_budget_holder_in(settings, live_server, provider, org):
    """The same e-mail as a budget holder's account: CIS2 is for staff, so nobody is signed in."""
    _configure(settings, provider, "cis2")
    coordinator = member(org, Role.CARE_COORDINATOR, username="coordinator3")
    person = PersonFactory(organisation=org)
    approved_plan(org, person=person)
    holder = budget_holder_for(person, username="amara_holder2", actor=coordinator)
    holder.email = "amara@example.org"
    holder.save()
    answer = _sign_in_at_provider(live_server, "cis2", "amara")
    assert answer.url.startswith(f"{live_server.url}/accounts/login/")
    assert answer.browser.get(f"{live_server.url}/api/v1/me/", timeout=30).status_code == 401


def test_a_provider_not_configured_has_no_button_and_no_start(client, settings):
    settings.OIDC_PROVIDERS = {}
    assert "oidc" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/cis2/start/").status_code == 404
