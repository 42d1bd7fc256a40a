"""Every edit form gives back what it was given: found by walking the URL configuration.

Each page that changes a saved object is loaded for an object with every optional field filled
in (dates especially: a date the browser cannot show is a date deleted on save), its form is
posted back exactly as a browser would send it untouched, and nothing stored may change: not the
object, not its children (a plan's goals, items and their own dates, risks), nothing else of the
organisation. Every other page with a form must be listed as an action, so a new edit page is
covered without anyone remembering to add it here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django.urls import get_resolver

from approvals.models import ApprovalPolicy
from phb.constants import Role
from phb.models import Membership, Organisation
from reviews.models import ReviewPolicy
from support_plans import allocation_services
from support_plans.constants import AgreedBy, Frequency
from support_plans.models import AllocationQuestionnaire, PlanGoal, PlanItem
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, member
from tests.factories.support_plans import FastTrackOfferFactory, PlanFactory, PlanRiskFactory, SupplierFactory
from tests.test_isolation import _fill, _kwargs_in, _walk

pytestmark = pytest.mark.django_db

# Pages that change a saved object: their form shows it, and posting it back must change nothing.
EDIT_PAGES = {
    "person-edit",
    "staff-edit",
    "org-settings",
    "support_plans:plan-edit",
    "approvals:policy",
    "reviews:policy",
    "support_plans:supplier-edit",
    "support_plans:fast-track-edit",
    "support_plans:allocation",
}
# Pages whose form creates something or takes an action (posting them is not a round trip).
ACTION_PAGES = {
    "person-create",
    "person-invite",
    "staff-create",
    "staff-invite",
    "team-list",
    "referrals:create",
    "referrals:accept",
    "referrals:decline",
    "referrals:withdraw",
    "referrals:transfer",
    "referrals:conversation-create",
    "support_plans:plan-create",
    "support_plans:plan-costs-preview",
    "support_plans:plan-submit",
    "support_plans:plan-revise",
    "support_plans:plan-close",
    "support_plans:plan-fast-track",
    "support_plans:supplier-list",
    "support_plans:fast-track-list",
    "approvals:decision",
    "approvals:policy-preview",
    "payments:release-create",
    "payments:refund-create",
    "payments:clawback-create",
    "payments:correction-create",
    "payments:payment-create",
    "reviews:review-complete",
    "reviews:review-request",
    "approvals:policy-withdraw",
    "reviews:policy-withdraw",
    "support_plans:allocation-withdraw",
    "payments:fund-create",
    "payments:fund-adjust",
    "payments:fund-close",
    "payments:release-from-fund",
    "payments:account-broker",
    "notifications",
    "imports:upload",
    "imports:preview",
    "providers:supplier-logins",
    "support_plans:allocation-preview",
}
# Rows that record what happened rather than what is: a save adds to them by design.
NOT_COMPARED = {"auditevent", "recordaccess", "notification", "dataversion", "session"}
VOLATILE_FIELDS = {"id", "created_at", "modified_at", "created_by", "modified_by", "history_id"}


def _named_routes():
    """URL name as reversed (with the app namespace) -> route."""
    resolver = get_resolver()
    named = {}
    for route, entry in _walk(resolver):
        if "<str:org>" not in route or route.startswith("api/") or not entry.name:
            continue
        view_class = getattr(entry.callback, "view_class", None)
        module = (view_class.__module__ if view_class else "").split(".")[0]
        name = entry.name if module == "phb" else f"{module}:{entry.name}"
        named[name] = (route, view_class)
    return named


class FormReader(HTMLParser):
    """The fields a browser would submit from each `<form method="post">` left untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None
        self._template_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._template_depth += 1
        if self._template_depth:
            return
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": (a.get("method") or "get").lower(),
                "data": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        data = self._form["data"]
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data.append((a["name"], a.get("value", "on")))
                return
            data.append((a["name"], sanitised(kind, a.get("value", ""))))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": [], "chosen": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select["options"].append(value)
            self._select["pending"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, text):
        if self._textarea is not None:
            self._textarea[1] += text
        if self._select is not None and self._select.get("pending") is None and self._select["options"]:
            self._select["options"][-1] = (self._select["options"][-1] or "") + text.strip()

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1
            return
        if self._template_depth or self._form is None:
            return
        if tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0]]  # a browser sends the first option
            self._form["data"] += [(self._select["name"], v or "") for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            text = self._textarea[1][1:] if self._textarea[1].startswith("\n") else self._textarea[1]
            self._form["data"].append((self._textarea[0], text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def sanitised(kind: str, value: str) -> str:
    """What the browser keeps of a value attribute (the HTML value sanitisation algorithm).

    `<input type="date" value="14/05/1979">` shows an empty box and submits "": the bug that
    silently deleted saved dates.
    """
    if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return ""
    if kind == "number" and value and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
        return ""
    return value


def own_forms(html: str, path: str) -> list[dict]:
    reader = FormReader()
    reader.feed(html)
    return [f for f in reader.forms if f["method"] == "post" and f["action"] in ("", path)]


def as_post(data: list[tuple[str, str]]) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {}
    for name, value in data:
        body.setdefault(name, []).append(value)
    return body


def snapshot(organisation) -> dict[str, list]:
    """Every row the organisation holds (and the organisation), without ids and timestamps."""
    state = {}
    for model in apps.get_models():
        name = model._meta.model_name
        if (
            name in NOT_COMPARED
            or name.startswith("historical")
            or model._meta.app_label
            in (
                "auth",
                "contenttypes",
                "admin",
                "sessions",
                "authtoken",
                "axes",
                "django_celery_beat",
                "guardian",
            )
        ):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in VOLATILE_FIELDS and not f.name.endswith("_at")
        ]
        if model is Organisation:
            rows = model.objects.filter(pk=organisation.pk)
        elif any(f.name == "organisation" for f in model._meta.concrete_fields):
            rows = model.objects.filter(organisation=organisation)
        else:
            continue
        state[f"{model._meta.label}"] = sorted(repr(tuple(row)) for row in rows.values_list(*fields))
    return state


@pytest.fixture
def filled(db):
    """An organisation whose editable objects have every optional field filled in."""
    organisation = OrganisationFactory(
        code="07T",
        name="NHS City and Hackney",
        region="London",
        population=290000,
        ambition_target=600,
        ambition_date=date(2027, 3, 31),
        stale_approval_days=4,
        unfunded_after_days=9,
        indicative_margin_percent=Decimal("12.50"),
    )
    team = TeamFactory(organisation=organisation, name="Community mental health")
    user = member(organisation, *Role.values, username="insider", team=team)
    colleague = member(organisation, Role.CARE_COORDINATOR, Role.TEAM_LEAD, username="colleague", team=team)
    person = PersonFactory(
        organisation=organisation,
        date_of_birth=date(1979, 5, 14),
        postcode="E8 1DY",
        phone="020 7946 0000",
        email="amara@example.org",
        representative_kind="representative",
        representative_name="Ngozi Okafor",
        representative_relationship="Sister",
        representative_contact="07700 900123",
        cohorts=["mental_health", "s117"],
    )
    supplier = SupplierFactory(organisation=organisation)
    plan = PlanFactory(
        organisation=organisation,
        person=person,
        start_date=date(2026, 1, 5),
        end_date=date(2026, 12, 31),
        funded_social_care=True,
        contingency="Call the crisis line",
        contacts="Care coordinator 020 7946 0001",
        agreed_on=date(2025, 12, 1),
        agreed_by=AgreedBy.REPRESENTATIVE,
        agreed_by_name="Ngozi Okafor",
        goals=["Swim twice a week", "See friends"],
        items=[
            {
                "description": "Swimming lessons",
                "amount": Decimal("25.00"),
                "frequency": Frequency.WEEKLY,
                "start_date": date(2026, 3, 2),
                "end_date": date(2026, 6, 28),
                "supplier_name": "Leisure centre",
                "payment_method": "paid_to_provider",
            },
            {
                "description": "Art materials",
                "amount": Decimal("149.99"),
                "frequency": Frequency.ONE_OFF,
                "start_date": date(2026, 2, 1),
                "end_date": date(2026, 2, 1),
            },
        ],
    )
    PlanItem.objects.filter(plan=plan, description="Art materials").update(
        supplier=supplier, supplier_name=supplier.name, position=1
    )
    PlanGoal.objects.filter(plan=plan, description="See friends").update(position=1)
    PlanRiskFactory(plan=plan, organisation=organisation)
    # The plan answered the indicative budget questionnaire in force (the editor shows the answers).
    questionnaire = AllocationQuestionnaire.objects.create(
        organisation=organisation,
        version=1,
        effective_from=plan.created_at - timedelta(days=1),
        questions=[
            {
                "code": "daily_living",
                "text": "Help with washing and dressing",
                "answers": [
                    {"code": "none", "text": "None", "points": 0},
                    {"code": "daily", "text": "Every day", "points": 40},
                ],
            }
        ],
        pounds_per_point=Decimal("12.50"),
        basis="weekly",
    )
    plan.allocation_questionnaire, plan.allocation_answers = questionnaire, {"daily_living": "daily"}
    plan.save()
    allocation_services.indicative_store(plan)
    ApprovalPolicy.objects.create(
        organisation=organisation,
        version=1,
        effective_from=plan.created_at - timedelta(days=1),
        tiers=[
            {
                "up_to": "250.00",
                "basis": "total",
                "signoffs": [{"role": "care_coordinator", "count": 1}],
                "submitter_may_sign": True,
            },
            {
                "up_to": None,
                "basis": "weekly",
                "signoffs": [{"role": "commissioner", "count": 1}, {"role": "phb_lead", "count": 1}],
                "submitter_may_sign": False,
            },
        ],
    )
    ReviewPolicy.objects.create(
        organisation=organisation,
        first_review_weeks=10,
        interval_weeks=26,
        reminder_days_before=5,
        escalate_days_after=20,
        midpoint_and_end=True,
    )
    client = Client()
    client.force_login(user)
    objects = {
        "Person": person,
        "Membership": Membership.objects.get(user=colleague, organisation=organisation),
        "SupportPlan": plan,
        "Supplier": supplier,
        "FastTrackOffer": FastTrackOfferFactory(organisation=organisation, supplier=supplier),
    }
    return {"organisation": organisation, "client": client, "objects": objects}


def _url_for(route, view_class, filled) -> str:
    values = {"org": filled["organisation"].code}
    if "pk" in _kwargs_in(route):
        values["pk"] = filled["objects"][view_class.model.__name__].pk
    return _fill(route, **values)


def test_every_page_with_a_form_is_an_edit_page_or_an_action():
    unclassified = [
        name
        for name, (route, view) in _named_routes().items()
        if view is not None and hasattr(view, "post") and name not in EDIT_PAGES | ACTION_PAGES
    ]
    assert unclassified == [], f"Add these pages to EDIT_PAGES or ACTION_PAGES: {unclassified}"
    assert (EDIT_PAGES | ACTION_PAGES) - set(_named_routes()) == set()


@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_an_edit_form_posted_back_unchanged_changes_nothing(filled, name):
    route, view_class = _named_routes()[name]
    url = _url_for(route, view_class, filled)
    client = filled["client"]
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} -> {page.status_code}"
    forms = own_forms(page.content.decode(), url)
    assert forms, f"{url} has no form that posts to itself"
    before = snapshot(filled["organisation"])

    response = client.post(url, as_post(forms[0]["data"]))

    errors = "" if response.status_code == 302 else _errors_on(response)
    assert response.status_code == 302, f"POST {url} refused its own form: {errors}"
    after = snapshot(filled["organisation"])
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    assert changed == {}, f"POST {url} unchanged changed: {changed}"


def _errors_on(response) -> str:
    text = response.content.decode()
    return "; ".join(re.findall(r'nhsuk-error-message"[^>]*>(?:<span[^>]*>Error:</span>)?\s*([^<]+)<', text))
