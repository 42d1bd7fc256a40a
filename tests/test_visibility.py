"""Least privilege over every page and API endpoint, found by walking the URL configuration.

tests/test_isolation.py walks the URL conf per organisation; this walks it per role, against the
role-by-data table of phb/visibility.py: a member holding one role gets 200 from every page the
table lets that role read (for a row its grant reaches) and 403 from every page and write it does
not, and the people whose roles keep them away from person-level data (lay panel members, org
admins, region viewers) never get an NHS number or date of birth in any answer. New pages are
covered without editing this file: every org-scoped view declares its `data` kind.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from payments.broker_services import account_broker_assign
from payments.models import BudgetAccount
from phb import visibility
from phb.access import PERSON_DATA_ROLES, org_context_for
from phb.constants import Role
from phb.demo import seed_all
from phb.models import Organisation, Person
from phb.visibility import Data
from providers import demo as provider_demo
from tests.factories import member
from tests.test_isolation import _fill, _kwargs_in, _methods, org_patterns

pytestmark = pytest.mark.django_db

HOME = "07T"
# Roles that must never receive an identifier or date of birth, whatever they open.
NO_PERSON_LEVEL = (Role.LIVED_EXPERIENCE_REVIEWER, Role.ORG_ADMIN, Role.REGION_VIEWER)


def _view_roles(view, method: str):
    """The view's own finer rule (who may do this action), as declared, for this method."""
    required = view.required_roles
    if isinstance(required, dict):
        required = required.get(method.upper(), required.get("GET", PERSON_DATA_ROLES))
    return required


def table_allows(role: str, view, method: str) -> bool:
    """What the table (and the view's own rule for the action) say this role may do here."""
    found = visibility.reach([role], view.data)
    writes = method == "post" and not getattr(view, "calculates_only", False)
    allowed = found.write if writes else found.read
    required = _view_roles(view, method)
    return allowed and (required is None or role in required)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="ignore")


def _identifiers(organisation) -> list[str]:
    """Every NHS number (as stored and as shown) and date of birth (ISO and as pages show it)."""
    found = []
    for person in Person.objects.filter(organisation=organisation):
        found += [person.nhs_number, person.nhs_number_display, person.date_of_birth.isoformat()]
        found.append(f"{person.date_of_birth.day} {person.date_of_birth:%b %Y}")
    return found


@dataclass
class Walk:
    checked: int = 0
    opened: int = 0
    refused: int = 0
    failures: list = field(default_factory=list)
    leaks: list = field(default_factory=list)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo organisations at every stage of the pathway, and one member for each single role."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_all()
        home = Organisation.objects.get(code=HOME)
        users = {role: member(home, role, username=f"only_{role}") for role in Role.values}
        # A budget that names its broker: every other broker (only_broker) must be refused it.
        named = BudgetAccount.objects.for_org(home).filter(closed_on__isnull=True).order_by("pk").first()
        named = account_broker_assign(
            actor=None, plan=named.plan, broker=member(home, Role.BROKER, username="its_broker")
        )
        everyone = Client()
        everyone.force_login(member(home, *Role.values, username="every_role"))
        yield {
            "home": home,
            "users": users,
            "identifiers": _identifiers(home),
            "everyone": everyone,
            "named_account": named,
        }
        transaction.set_rollback(True)


def _targets(view, role, user, home):
    """(pk, expected to be reachable) pairs for a route with a pk: a row the role's grant reaches
    and, where the grant reaches only some rows, one it does not."""
    rows = view.model.objects.for_org(home)
    found = visibility.reach([role], view.data)
    if not found.read or found.scopes is None:
        first = rows.order_by("pk").first()
        return [(first.pk, True)] if first else []
    context = org_context_for(user, HOME)
    reached = visibility.restrict(rows, context, view.data).order_by("pk")
    targets = []
    if reached.exists():
        targets.append((reached.first().pk, True))
    beyond = rows.exclude(pk__in=reached.values("pk")).order_by("pk").first()
    if beyond is not None:
        targets.append((beyond.pk, False))
    return targets


# Pages and endpoints that need a parameter to answer at all (the return is for a quarter).
QUERY = "?quarter=2026Q2"


def _request(client, method, url):
    # Each request is undone afterwards, so a write walked for one role changes nothing for the next.
    with transaction.atomic():
        response = getattr(client, method)(url + QUERY if method == "get" else url)
        transaction.set_rollback(True)
    return response


def walk_every_role(world) -> Walk:
    walk = Walk()
    home = world["home"]
    for role, user in world["users"].items():
        client = Client()
        client.force_login(user)
        for route, view in org_patterns():
            if view is None:
                continue
            needs_pk = "pk" in _kwargs_in(route)
            # Other parts of a path (a scheduled policy's version) name something that may not exist:
            # the role is checked first, so a refusal is still a 403; an allowed answer may be a 404.
            others = {name: 1 for name in _kwargs_in(route) if name not in ("org", "pk")}
            targets = _targets(view, role, user, home) if needs_pk else [(None, True)]
            for pk, reachable in targets:
                url = _fill(route, org=HOME, pk=pk, **others)
                for method in _methods(view):
                    walk.checked += 1
                    allowed = table_allows(role, view, method) and reachable
                    response = _request(client, method, url)
                    status = response.status_code
                    text = _body(response)
                    if role in NO_PERSON_LEVEL:
                        leaked = [marker for marker in world["identifiers"] if marker in text]
                        if leaked:
                            walk.leaks.append(f"{role} {method.upper()} {url}: {leaked[:2]}")
                    if status >= 500:
                        walk.failures.append(f"{role} {method.upper()} {url} -> {status}")
                    elif not allowed:
                        walk.refused += 1
                        if status != 403:
                            walk.failures.append(
                                f"{role} {method.upper()} {url} -> {status}, the table says 403"
                            )
                    elif method == "get" and hasattr(view, "get") and not hasattr(view, "act") and not others:
                        walk.opened += 1
                        # The editor of a plan no longer in draft sends you to the plan: opened too.
                        onward = status == 302 and response["Location"].startswith(f"/o/{HOME}/")
                        # A row nobody can be shown this way (an entry with no receipt) is a 404 for
                        # a member holding every role as well: not a question of this role.
                        absent = status == 404 and _request(world["everyone"], method, url).status_code == 404
                        if status != 200 and not onward and not absent:
                            walk.failures.append(f"{role} GET {url} -> {status}, the table says 200")
                    elif status == 403:
                        # A write the table allows may still be refused by the action's own rule
                        # (a broker releasing funds): only an unexpected 403 on a read is a failure.
                        pass
    return walk


def test_every_org_scoped_view_declares_the_data_it_shows():
    missing = [route for route, view in org_patterns() if view is not None and view.data not in Data.ALL]
    assert missing == [], f"Declare `data = Data.<kind>` (phb/visibility.py) on: {missing}"


def test_every_role_gets_what_the_table_allows_and_403_for_the_rest(world):
    walk = walk_every_role(world)
    print(
        f"\n{walk.checked} endpoint x role checks ({len(world['users'])} roles): {walk.opened} opened with 200,"
        f" {walk.refused} refused with 403, {len(walk.leaks)} leaks"
    )
    assert walk.failures == []
    assert walk.leaks == []
    assert walk.opened > 0 and walk.refused > 0


def test_a_provider_login_is_no_role_at_all_every_org_page_is_404_and_shows_nothing(world):
    """A supplier's login (the demo's, on both organisations' directories) holds no role: no page or
    endpoint under an organisation answers it anything but a 404, and none shows an identifier."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=provider_demo.USERNAME))
    home = world["home"]
    failures, leaks, checked = [], [], 0
    for route, view in org_patterns():
        values = {name: 1 for name in _kwargs_in(route)}
        if "pk" in values and view is not None and view.model is not None:
            first = view.model.objects.for_org(home).order_by("pk").first()
            values["pk"] = first.pk if first else 1
        url = _fill(route, **{**values, "org": HOME})
        for method in _methods(view):
            checked += 1
            response = _request(client, method, url)
            if response.status_code != 404:
                failures.append(f"provider {method.upper()} {url} -> {response.status_code}")
            leaks += [f"{url}: {marker}" for marker in world["identifiers"] if marker in _body(response)]
    assert failures == []
    assert leaks == []
    assert checked > 100


def test_the_walk_meets_a_budget_naming_another_broker(world):
    """only_broker is walked against a row beyond their reach (the budget naming its_broker), and it
    is refused to them, page and API, while its own broker opens it."""
    home, plan = world["home"], world["named_account"].plan
    account_view = next(view for route, view in org_patterns() if route.endswith("plans/<int:pk>/account/"))
    assert any(
        not reachable
        for _, reachable in _targets(account_view, Role.BROKER, world["users"][Role.BROKER], home)
    )
    outsider, owner = Client(), Client()
    outsider.force_login(world["users"][Role.BROKER])
    owner.force_login(world["named_account"].broker)
    for url in (f"/o/{HOME}/plans/{plan.pk}/account/", f"/api/v1/orgs/{HOME}/plans/{plan.pk}/account/"):
        assert outsider.get(url).status_code == 403, url
        assert owner.get(url).status_code == 200, url
