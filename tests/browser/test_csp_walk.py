"""Every page works under the Content-Security-Policy (no inline script or style is refused) and is
sent with `Cache-Control: no-store`: found by walking the URL configuration, as the isolation tests do."""

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from phb.constants import Role
from phb.demo import seed_all
from phb.models import Organisation
from tests.factories import member
from tests.factories.kernel import PASSWORD
from tests.test_isolation import _fill, _kwargs_in, org_patterns

from .conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages(home) -> list[str]:
    urls = ["/", "/organisations/new/", reverse("api-docs"), reverse("admin:index")]
    for route, view in org_patterns():
        if route.startswith("api/"):
            continue
        values = {"org": home.code}
        if "pk" in _kwargs_in(route):
            obj = view.model.objects.filter(organisation=home).first() if view and view.model else None
            if obj is None:
                continue
            values["pk"] = obj.pk
        if set(_kwargs_in(route)) - set(values):
            continue
        urls.append(_fill(route, **values))
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_every_page_runs_under_the_content_security_policy_and_is_not_cached(page):
    seed_all()
    home = Organisation.objects.get(code="07T")
    user = member(home, *Role.values, username="walker")
    user.is_superuser = user.is_staff = True
    user.save()
    sign_in(page, "walker", PASSWORD)
    csp_violations(page)

    refused, cached, visited = [], [], 0
    for url in _pages(home):
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            # A file to save (a spreadsheet template, an export): its headers, read without a page.
            response = page.request.get(url)
        visited += 1
        for violation in csp_violations(page):
            refused.append(f"{url}: {violation}")
        if response.status < 400 and "no-store" not in (response.headers.get("cache-control") or ""):
            cached.append(f"{url} ({response.status})")
    assert visited > 40
    assert refused == []
    assert cached == []
