"""Shared fixtures: two organisations, named users (member, outsider), API clients."""

import pytest
from rest_framework.test import APIClient

from phb.constants import Role
from tests.factories import OrganisationFactory, PersonFactory, member


def pytest_collection_modifyitems(config, items):
    """Browser walks run last. Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session, and Django's async_to_sync (the health checks use it) refuses to
    run beside one; the walks are also the slowest, so every faster failure is seen first."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Run Celery tasks in-process, even when REDIS_URL is set (as in CI), except in worker tests."""
    from phb.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Reports count afresh in tests (factories write without the audit trail that versions the
    cache); reporting's cache tests switch it on. The cache is emptied between tests."""
    from django.core.cache import cache

    settings.PHB = {**settings.PHB, "REPORT_CACHE": False}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def org(db):
    return OrganisationFactory(code="07T", name="NHS City and Hackney", region="London", population=290000)


@pytest.fixture
def other_org(db):
    return OrganisationFactory(code="15E", name="NHS Birmingham and Solihull", region="Midlands")


@pytest.fixture
def coordinator(org):
    return member(org, Role.CARE_COORDINATOR, username="coordinator")


@pytest.fixture
def org_admin(org):
    return member(org, Role.ORG_ADMIN, username="orgadmin")


@pytest.fixture
def outsider(other_org):
    """A member of another organisation, with every role there."""
    return member(other_org, *Role.values, username="outsider")


@pytest.fixture
def person(org):
    return PersonFactory(organisation=org, given_name="Amara", family_name="Okafor")


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """`api(user)` gives a DRF client authenticated as that user (None: anonymous)."""
    return api_client_for
