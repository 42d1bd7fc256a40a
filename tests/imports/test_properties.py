"""Properties of the import: a valid sheet imported twice gives its rows once; any invalid row writes nothing."""

from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.constants import ImportStatus
from imports.services import import_confirm, import_preview
from payments.models import LedgerEntry
from phb.constants import Role
from phb.exceptions import Conflict
from phb.models import Person
from support_plans.constants import Frequency
from support_plans.models import PlanItem, SupportPlan
from tests.factories import OrganisationFactory, member

from .conftest import as_csv, row

pytestmark = pytest.mark.django_db

organisations = count()

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
items = st.tuples(amounts, st.sampled_from(Frequency.values))
plans = st.tuples(st.integers(0, 2), st.lists(items, min_size=1, max_size=3), st.booleans())
sheets = st.lists(plans, min_size=1, max_size=4)

CORRUPTIONS = [
    {"nhs_number": "9434765918"},  # check digit wrong
    {"nhs_number": "12345"},
    {"date_of_birth": "31/02/1970"},
    {"start_date": "2026-02-30"},
    {"end_date": "2025-01-01"},  # before the start
    {"approved_on": "2099-01-01"},  # in the future
    {"gender": "F"},
    {"cohorts": "chc;yachting"},
    {"management": "cash"},
    {"category": "not_a_category"},
    {"amount": "12.345"},
    {"amount": "0"},
    {"amount": "£ten"},
    {"frequency": "daily"},
    {"paid_to_date": "-1"},
    {"given_name": ""},
]


def sheet_rows(drawn) -> list[dict]:
    rows = []
    for number, (person, lines, paid) in enumerate(drawn):
        for amount, frequency in lines:
            rows.append(
                row(
                    person,
                    f"REF-{number}",
                    amount=f"{amount:.2f}",
                    frequency=frequency,
                    # Every item is at least £0.01 over the period, so a penny paid is always allowed.
                    paid_to_date="0.01" if paid else "0.00",
                    item_description=f"Item {len(rows)}",
                )
            )
    return rows


def fresh_commissioner():
    organisation = OrganisationFactory(code=f"P{next(organisations):04d}")
    return organisation, member(organisation, Role.COMMISSIONER)


def written(organisation) -> tuple[int, int, int, int]:
    return (
        Person.objects.filter(organisation=organisation).count(),
        SupportPlan.objects.filter(organisation=organisation).count(),
        PlanItem.objects.filter(organisation=organisation).count(),
        LedgerEntry.objects.filter(organisation=organisation).count(),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=sheets)
def test_a_valid_sheet_imported_twice_gives_its_rows_once(drawn):
    organisation, commissioner = fresh_commissioner()
    rows = sheet_rows(drawn)
    content = as_csv(rows)
    first = import_confirm(
        actor=commissioner,
        batch=import_preview(
            actor=commissioner, organisation=organisation, file_name="a.csv", content=content
        ),
    )
    after_first = written(organisation)
    second = import_confirm(
        actor=commissioner,
        batch=import_preview(
            actor=commissioner, organisation=organisation, file_name="a.csv", content=content
        ),
    )
    people = len({person for person, _, _ in drawn})
    assert after_first == (
        people,
        len(drawn),
        len(rows),
        2 * sum(paid for _, _, paid in drawn),
    )  # release + payment
    assert first.created == {"people": people, "plans": len(drawn), "items": len(rows)}
    assert written(organisation) == after_first
    assert second.created == {"people": 0, "plans": 0, "items": 0}
    assert second.unchanged == len(rows)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=sheets, corruption=st.sampled_from(CORRUPTIONS), where=st.integers(min_value=0))
def test_any_invalid_row_writes_nothing(drawn, corruption, where):
    organisation, commissioner = fresh_commissioner()
    rows = sheet_rows(drawn)
    bad = where % len(rows)
    rows[bad] = {**rows[bad], **corruption}
    batch = import_preview(
        actor=commissioner, organisation=organisation, file_name="a.csv", content=as_csv(rows)
    )
    assert batch.status == ImportStatus.INVALID
    assert any(problem["row"] == bad + 2 for problem in batch.errors)
    with pytest.raises(Conflict):
        import_confirm(actor=commissioner, batch=batch)
    assert written(organisation) == (0, 0, 0, 0)
