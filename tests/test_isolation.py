"""Cross-tenant isolation over every page and API endpoint, found by walking the URL conf.

A member of one organisation (with every role) reaches nothing of another: the other
organisation's URLs are 404, the other organisation's objects under their own org code are 404,
and no list, search or count of their own organisation shows a foreign row. New endpoints are
covered without editing this file: every org-scoped view declares its `model`.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from payments.models import Fund, LedgerEntry
from phb.constants import Role
from phb.demo import seed_all
from phb.models import Membership, Organisation, Person
from providers import demo as provider_demo
from providers import selectors as provider_selectors
from support_plans.models import Supplier
from tests.factories import member, provider_login, valid_nhs_number

pytestmark = pytest.mark.django_db

HOME, FOREIGN = "07T", "15E"
FOREIGN_MARK = "Zqxforeign"


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def org_patterns():
    """(route, view class) of every page and endpoint under an organisation."""
    found = []
    for route, entry in _walk(get_resolver()):
        if "<str:org>" not in route:
            continue
        callback = entry.callback
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        found.append((route, view_class))
    return found


def _kwargs_in(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _fill(route, **values):
    # Any other part of the path (a policy `version`, say) is 1: under another organisation's code,
    # or naming another organisation's object, the answer must be a 404 whatever it is.
    def replace(match):
        return str(values.get(match.group(1), 1))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route).lstrip("^").rstrip("$")


def _methods(view_class):
    methods = ["get"]
    if view_class is not None and any(hasattr(view_class, m) for m in ("post", "create")):
        methods.append("post")
    return methods


@pytest.fixture
def world(db):
    """Both demo organisations at every stage of the pathway; foreign people and funds carry a marker."""
    seed_all()
    foreign = Organisation.objects.get(code=FOREIGN)
    for index, person in enumerate(Person.objects.filter(organisation=foreign)):
        Person.objects.filter(pk=person.pk).update(
            family_name=f"{FOREIGN_MARK}{index}", nhs_number=valid_nhs_number(900_000 + index)
        )
    # A foreign fund agreed in advance carries the marker too, so a fund list or page that leaked it shows.
    Fund.objects.filter(organisation=foreign).update(name=f"{FOREIGN_MARK}fund")
    user = member(Organisation.objects.get(code=HOME), *Role.values, username="insider")
    client = Client()
    client.force_login(user)
    markers = [
        FOREIGN_MARK,
        *Person.objects.filter(organisation=foreign).values_list("nhs_number", flat=True),
    ]
    return {"client": client, "foreign": foreign, "markers": markers}


def test_every_org_scoped_view_declares_its_model():
    missing = [
        route
        for route, view in org_patterns()
        if view is not None and "<int:pk>" in route and getattr(view, "model", None) is None
    ]
    assert missing == [], f"Views with a pk must declare `model` for scoping: {missing}"


def test_another_organisations_urls_are_404(world):
    foreign = world["foreign"]
    failures = []
    for route, view in org_patterns():
        values = {"org": FOREIGN}
        if "pk" in _kwargs_in(route):
            obj = view.model.objects.filter(organisation=foreign).first() if view and view.model else None
            values["pk"] = obj.pk if obj else 1
        url = _fill(route, **values)
        for method in _methods(view):
            response = getattr(world["client"], method)(url)
            if response.status_code != 404:
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []


def test_another_organisations_objects_under_your_own_code_are_404(world):
    foreign = world["foreign"]
    failures = []
    untested = []
    for route, view in org_patterns():
        if "pk" not in _kwargs_in(route):
            continue
        obj = view.model.objects.filter(organisation=foreign).first()
        if obj is None:
            untested.append(f"{route} (no {view.model.__name__} in the demo data)")
            continue
        url = _fill(route, org=HOME, pk=obj.pk)
        for method in _methods(view):
            response = getattr(world["client"], method)(url)
            if response.status_code != 404:
                failures.append(
                    f"{method.upper()} {url} ({view.model.__name__} of {FOREIGN}) -> {response.status_code}"
                )
    assert failures == []
    assert untested == [], "Extend the demo data so every model has an object in both organisations"


def test_lists_searches_and_counts_never_show_foreign_rows(world):
    home = Organisation.objects.get(code=HOME)
    failures = []
    for route, view in org_patterns():
        if "pk" in _kwargs_in(route):
            values = {"org": HOME}
            obj = view.model.objects.filter(organisation=home).first()
            if obj is None:
                continue
            values["pk"] = obj.pk
        else:
            values = {"org": HOME}
        url = _fill(route, **values)
        for query in ("", "?search=a&q=a&format=csv", "?status=pending&mine=true"):
            response = world["client"].get(url + query)
            if response.status_code >= 500:
                failures.append(f"GET {url}{query} -> {response.status_code}")
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", errors="ignore")
            leaked = [m for m in world["markers"] if m in text]
            if leaked:
                failures.append(f"GET {url}{query} shows foreign rows: {leaked[:3]}")
    assert failures == []


def test_api_lists_of_organisations_show_only_your_own(world):
    response = world["client"].get("/api/v1/orgs/")
    codes = [o["code"] for o in response.json()["results"]]
    assert codes == [HOME]
    assert not Membership.objects.filter(user__username="insider", organisation=world["foreign"]).exists()


# --- Provider logins (a supplier's, not staff): every staff page and /orgs/ endpoint is a 404.

# Addresses that are not staff pages: the provider's own, signing in and out, accepting an invitation,
# health checks, the API's description, and Django's admin (for is_staff accounts; it sends anyone
# else to its own sign-in). The home page sends a provider to its pages (asserted below).
NOT_STAFF_PAGES = (
    "provider/",
    "api/v1/provider/",
    "oidc/",
    "accounts/",
    "api/v1/auth/",
    "invitations/",
    "api/v1/invitations/",
    "health/",
    "api/schema/",
    "api/docs/",
    "admin/",
    "bench/",
)


def every_route():
    """(route, view class) of every page and endpoint, under an organisation or not."""
    for route, entry in _walk(get_resolver()):
        callback = entry.callback
        yield route, getattr(callback, "view_class", None) or getattr(callback, "cls", None)


@pytest.fixture
def provider_world(world):
    """The demo's provider login (Better Leisure Centre in both organisations), and a second supplier's."""
    provider = get_user_model().objects.get(username=provider_demo.USERNAME)
    paid = LedgerEntry.objects.filter(kind="payment", supplier__isnull=False).exclude(
        supplier__name=provider_demo.SUPPLIER
    )
    other_supplier = Supplier.objects.get(pk=paid.values_list("supplier", flat=True).first())
    other = provider_login(other_supplier, username="other_provider")
    client = Client()
    client.force_login(provider)
    return {**world, "provider": provider, "provider_client": client, "other": other}


def test_every_staff_url_is_404_for_a_provider_login(provider_world):
    client = provider_world["provider_client"]
    failures = []
    walked = 0
    for route, view in every_route():
        if route == "" or route.startswith(NOT_STAFF_PAGES):
            continue
        for code in (HOME, FOREIGN):
            organisation = Organisation.objects.get(code=code)
            values = {"org": code, "region": organisation.region}
            if "pk" in _kwargs_in(route) and view is not None and getattr(view, "model", None):
                obj = view.model.objects.filter(organisation=organisation).first()
                values["pk"] = obj.pk if obj else 1
            url = _fill(route, **values)
            for method in _methods(view):
                walked += 1
                response = getattr(client, method)(url)
                # A method the address does not have is a 405 for anyone signed in: it tells nothing.
                lacked = response.status_code == 405 and not hasattr(view, method)
                if response.status_code != 404 and not lacked:
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []
    assert walked > 100
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/provider/"


def test_one_provider_never_sees_another_suppliers_payments(provider_world):
    provider, other = provider_world["provider"], provider_world["other"]
    for user, stranger in ((provider, other), (other, provider)):
        client = Client()
        client.force_login(user)
        body = client.get("/api/v1/provider/payments/?page_size=200").json()
        theirs = set(provider_selectors.payments_to(user).values_list("pk", flat=True))
        strangers = set(provider_selectors.payments_to(stranger).values_list("pk", flat=True))
        assert {line["id"] for line in body["results"]} == theirs
        assert theirs and strangers and not theirs & strangers
        page = client.get("/provider/").content.decode()
        for reference in LedgerEntry.objects.filter(pk__in=strangers).values_list("reference", flat=True):
            assert reference not in page


# --- Budget holders: no staff page exists for them, and only their own person's budgets do.

# Routes outside every organisation that are a budget holder's own, or nobody's in particular.
HOLDER_ROUTES = ("my/", "api/v1/me/")
PUBLIC_ROUTES = (
    "accounts/",
    "invitations/",
    "api/v1/invitations/",
    "api/v1/auth/token/",
    "api/schema/",
    "api/docs/",
    "health/",
    "bench/",  # the benchmark's framework floor, installed only for the benchmark and the tests
    "admin/",  # Django's admin: checked below, it sends anyone who is not staff to its own sign-in
    "oidc/",  # OpenID Connect sign-in (where configured)
)


def staff_patterns():
    """(route, view class) of every page and endpoint that is not a budget holder's nor public."""
    found = []
    for route, entry in _walk(get_resolver()):
        if route == "" or route.startswith(HOLDER_ROUTES + PUBLIC_ROUTES):
            continue
        callback = entry.callback
        found.append((route, getattr(callback, "view_class", None) or getattr(callback, "cls", None)))
    return found


@pytest.fixture
def holders(world):
    """The demo's budget holder, and a second holder for a person of the other organisation."""
    from django.contrib.auth import get_user_model

    from tests.factories import budget_holder_for

    mine = get_user_model().objects.get(username="ch_budget_holder")
    theirs_person = Person.objects.filter(organisation=world["foreign"], budgets__isnull=False).first()
    theirs = budget_holder_for(theirs_person, username="foreign_holder")
    return {"mine": mine, "theirs": theirs, "theirs_person": theirs_person}


def test_every_staff_page_and_endpoint_is_404_for_a_budget_holder(world, holders):
    client = Client()
    client.force_login(holders["mine"])
    home = Organisation.objects.get(code=HOME)
    person = Person.objects.filter(organisation=home).first()
    failures = []
    walked = 0
    for route, view in staff_patterns():
        values = {"org": HOME}
        if "pk" in _kwargs_in(route):
            obj = view.model.objects.filter(organisation=home).first() if view and view.model else person
            values["pk"] = obj.pk if obj else 1
        url = _fill(route, **values)
        for method in _methods(view):
            walked += 1
            response = getattr(client, method)(url)
            if response.status_code != 404:
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []
    assert walked > 100
    # The admin shows them nothing: its sign-in page, as for anyone who is not staff.
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_one_budget_holder_never_sees_anothers_budget_even_by_id(world, holders):
    from support_plans.models import Budget

    client = Client()
    client.force_login(holders["mine"])
    theirs = Budget.objects.filter(person=holders["theirs_person"]).first()
    failures = []
    for route, entry in _walk(get_resolver()):
        if not route.startswith(HOLDER_ROUTES) or "<int:pk>" not in route:
            continue
        url = _fill(route, pk=theirs.pk, entry=1)
        # Each method is a 404, or not a method of the route at all (405) when the other is a 404.
        statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
        if set(statuses.values()) - {404, 405} or 404 not in statuses.values():
            failures.append(f"{url} -> {statuses}")
    assert failures == []
    me = client.get("/api/v1/me/").json()
    assert theirs.pk not in [budget["id"] for budget in me["budgets"]]
    text = client.get("/api/v1/me/").content.decode()
    assert not [marker for marker in world["markers"] if marker in text]
