"""The bulk confirm leaves what the per-object services left: the same people, budgets, accounts,
instalments, ledger, reviews, notifications and audit trail, compared with a sheet imported the old
way (person_create, plan_create, plan_import_approved, account_opening_balance_record per plan)."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from imports.rows import check_rows
from imports.services import import_confirm, import_preview
from payments.fund_services import fund_create
from payments.models import BudgetAccount, Instalment, LedgerEntry
from payments.services import account_opening_balance_record
from phb import events
from phb.constants import Role
from phb.events import BudgetsImported, PlansActivated
from phb.models import AuditEvent, Notification, Person
from phb.services import person_create
from reviews.models import Review
from support_plans.models import PlanItem, SupportPlan
from support_plans.services import plan_create, plan_import_approved
from tests.factories import OrganisationFactory, member

from .conftest import as_csv, row

pytestmark = pytest.mark.django_db

ROWS = [
    row(1),
    row(1, item_description="Gym", amount="30.00", frequency="monthly"),
    row(1, "CH-002", item_description="Laptop", amount="600.00", frequency="one_off", paid_to_date="0"),
    row(2, "CH-003", cohorts="chc", paid_to_date="75.50"),
    row(3, "CH-004", start_date="2026-01-01", end_date="2026-12-31", approved_on="2025-12-15"),
]


@transaction.atomic
def import_one_by_one(actor, organisation, rows):
    """The confirm as it was before the bulk path: every object through its own service."""
    for group in check_rows(organisation, rows).plans:
        person = Person.objects.for_org(organisation).filter(nhs_number=group.nhs_number).first()
        if person is None:
            fields = dict(group.person)
            cohorts = fields.pop("cohorts", [])
            person = person_create(actor=actor, organisation=organisation, cohorts=cohorts, **fields)
        plan = plan_create(
            actor=actor,
            organisation=organisation,
            person=person,
            items=group.items,
            start_date=group.plan["start_date"],
            end_date=group.plan["end_date"],
            management=group.plan["management"],
        )
        plan_import_approved(actor=actor, plan=plan, approved_on=group.plan["approved_on"])
        account_opening_balance_record(actor=actor, plan=plan, paid_to_date=group.plan["paid_to_date"])


def state(organisation) -> dict:
    """What an import leaves, without ids and moments (which differ between any two runs)."""
    people = {
        p.nhs_number: (p.given_name, p.family_name, p.date_of_birth, p.gender, p.ethnicity, p.cohort_codes)
        for p in Person.objects.for_org(organisation)
    }
    plans = {}
    for plan in SupportPlan.objects.for_org(organisation).select_related("person"):
        account = BudgetAccount.objects.get(budget_id=plan.budget_id)
        plans[(plan.person.nhs_number, plan.start_date, plan.cost_total)] = {
            "plan": (
                plan.status,
                plan.version,
                plan.management,
                plan.end_date,
                plan.cost_weekly,
                plan.cost_annual,
                plan.approved_at,
                plan.submitted_at,
                plan.decided_at,
                plan.activated_at is not None,
                plan.care_coordinator_id,
            ),
            "items": [
                (i.position, i.description, i.category, i.amount, i.frequency)
                for i in PlanItem.objects.filter(plan=plan).order_by("position")
            ],
            "account": (
                account.approved,
                account.released,
                account.paid,
                account.opened_at,
                account.first_released_at is not None,
                account.first_paid_at is not None,
                account.no_fund_reason,
                account.plan_id == plan.pk,
            ),
            "instalments": sorted(
                (i.item.position, i.due_on, i.amount, i.status, i.created_by_id)
                for i in Instalment.objects.filter(account=account).select_related("item")
            ),
            "ledger": [
                (e.kind, e.amount, e.entry_date, e.payee, e.reference, e.reason, e.created_by_id)
                for e in LedgerEntry.objects.filter(account=account).order_by("id")
            ],
            "reviews": sorted(
                (r.kind, r.due_on, r.status) for r in Review.objects.filter(budget_id=plan.budget_id)
            ),
            "audit": Counter(
                AuditEvent.objects.filter(organisation=organisation, person=plan.person).values_list(
                    "action", "object_type", "actor_id"
                )
            ),
        }
    notifications = Counter(
        (n.user.username, n.subject, n.body) for n in Notification.objects.filter(organisation=organisation)
    )
    return {"people": people, "plans": plans, "notifications": notifications}


def organisation_with_staff(code: str, fund: bool):
    organisation = OrganisationFactory(code=code)
    commissioner = member(organisation, Role.COMMISSIONER, username=f"{code}-commissioner")
    member(organisation, Role.FINANCE, username=f"{code}-finance")
    member(organisation, Role.BROKER, username=f"{code}-broker")
    if fund:
        # Open for the approvals' year: the fallback through the single path is taken and draws on it.
        fund_create(
            actor=commissioner,
            organisation=organisation,
            name="Continuing healthcare",
            financial_year="2025-26",
            amount=Decimal("100000.00"),
        )
    return organisation, commissioner


def usernames_neutral(found: dict, code: str) -> dict:
    found["notifications"] = Counter(
        {
            (name.removeprefix(f"{code}-"), subject, body): n
            for (name, subject, body), n in found["notifications"].items()
        }
    )
    for plan in found["plans"].values():
        plan["plan"] = (*plan["plan"][:-1], plan["plan"][-1] is not None)
        plan["instalments"] = [(*i[:-1], i[-1] is not None) for i in plan["instalments"]]
        plan["ledger"] = [(*e[:-1], e[-1] is not None) for e in plan["ledger"]]
        plan["audit"] = Counter({(a, o, actor is not None): n for (a, o, actor), n in plan["audit"].items()})
    return found


@pytest.mark.parametrize("fund", [False, True], ids=["no fund", "an open fund"])
def test_the_bulk_path_leaves_what_the_per_object_services_left(fund):
    old_org, old_actor = organisation_with_staff("OLD1", fund)
    new_org, new_actor = organisation_with_staff("NEW1", fund)
    # A person already on the books before the import: both paths use the record.
    for organisation, actor in ((old_org, old_actor), (new_org, new_actor)):
        person_create(
            actor=actor,
            organisation=organisation,
            cohorts=["chc", "s117"],
            nhs_number=ROWS[0]["nhs_number"],
            given_name="Given1",
            family_name="Imported",
            date_of_birth="1970-05-01",
            gender="2",
            ethnicity="A",
        )
    import_one_by_one(old_actor, old_org, ROWS)
    batch = import_preview(actor=new_actor, organisation=new_org, file_name="a.csv", content=as_csv(ROWS))
    import_confirm(actor=new_actor, batch=batch)

    old, new = usernames_neutral(state(old_org), "OLD1"), usernames_neutral(state(new_org), "NEW1")
    assert new["people"] == old["people"]
    assert set(new["plans"]) == set(old["plans"])
    for key, expected in old["plans"].items():
        assert new["plans"][key] == expected, key
    assert new["notifications"] == old["notifications"]
    assert sum(new["notifications"].values()) == 2 * 4  # finance and the broker, for each plan
    assert any(plan["instalments"] for plan in new["plans"].values())
    assert any(plan["reviews"] for plan in new["plans"].values())


def test_the_bulk_path_publishes_one_event_a_batch_that_reactions_can_follow(commissioner, org, monkeypatch):
    """Reactions subscribe to BudgetsImported (the bulk PlanApproved) and PlansActivated (the bulk
    PlanActivated) in phb/flow.py, e.g. the reporting summaries: they hear every imported budget."""
    heard = []
    real = events.publish

    def listen(event):
        heard.append(event)
        return real(event)

    monkeypatch.setattr(events, "publish", listen)
    batch = import_preview(actor=commissioner, organisation=org, file_name="a.csv", content=as_csv(ROWS))
    import_confirm(actor=commissioner, batch=batch)
    imported = [e for e in heard if isinstance(e, BudgetsImported)]
    activated = [e for e in heard if isinstance(e, PlansActivated)]
    plans = set(SupportPlan.objects.for_org(org).values_list("pk", flat=True))
    assert len(imported) == 1 and set(imported[0].plan_ids) == plans
    assert imported[0].organisation_id == org.pk and imported[0].actor_id == commissioner.pk
    paid = set(SupportPlan.objects.for_org(org).filter(status="active").values_list("pk", flat=True))
    assert len(activated) == 1 and set(activated[0].plan_ids) == paid and len(paid) == 3
