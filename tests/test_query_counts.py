"""Queries per request do not grow with the number of rows, on every list page and list endpoint.

Walks the URL conf (as tests/test_isolation.py does) for every page and API endpoint under an
organisation without a `pk`, GETs each as a member holding every role, on a small and on a four
times larger generated data set (manage.py generate_dataset), and compares the number of SQL
queries. A difference of one is allowed (a paginator's count appearing once there is a second
page); anything more is an N+1 query, named in the failure with both counts.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from phb.constants import Role
from phb.models import Membership, Organisation, Team
from referrals.models import Referral
from support_plans.models import SupportPlan
from tests.factories import member

pytestmark = pytest.mark.django_db
SMALL, LARGE = (150, 600) if connection.vendor == "postgresql" else (120, 480)
QUERY_STRINGS = ("", "?status=pending&mine=true")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def list_routes():
    """Routes under an organisation that take no pk: the lists, queues, dashboards and exports."""
    routes = []
    for route, _entry in _walk(get_resolver()):
        if "<str:org>" in route and "<int:pk>" not in route:
            routes.append(route)
    return sorted(set(routes))


def _fill(route, org):
    return "/" + re.sub(r"<(?:\w+:)?org>", org, route).lstrip("^").rstrip("$")


def _world(people):
    call_command(
        "generate_dataset",
        orgs=2,
        people=people,
        seed=3,
        bench_pending=10,
        force=True,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    org = Organisation.objects.order_by("id").first()
    user = member(org, *Role.values, username="counter")
    Membership.objects.filter(user=user, organisation=org).update(team=Team.objects.for_org(org).first())
    # Give the counting user the whole organisation's caseload, so that the caseload grows too.
    Referral.objects.for_org(org).filter(care_coordinator__isnull=False).update(care_coordinator=user)
    SupportPlan.objects.for_org(org).update(care_coordinator=user)
    client = Client()
    client.force_login(user)
    return org, client


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, len(captured.captured_queries)


def _measure(people):
    org, client = _world(people)
    counts, errors = {}, []
    for route in list_routes():
        for query in QUERY_STRINGS:
            url = _fill(route, org.code) + query
            _count(client, url)  # warm caches that are not per-request (content types, sessions)
            status, n = _count(client, url)
            if status >= 500:
                errors.append(f"GET {url} -> {status}")
            elif status == 200:
                counts[route + query] = n
    return counts, errors


def test_queries_per_request_do_not_grow_with_the_data():
    small, small_errors = _measure(SMALL)
    large, large_errors = _measure(LARGE)
    assert small_errors == [] and large_errors == [], f"Pages failing: {small_errors + large_errors}"
    assert len(small) > 10, f"Too few list pages answered 200: {sorted(small)}"
    grew = {url: (small[url], large[url]) for url in small if url in large and large[url] > small[url] + 1}
    assert grew == {}, f"Queries grew with the data (small, 4x larger): {grew}"
