"""The bulk writer's COPY (phb/bulk_insert.py): every kind of column an import writes reads back as the
ORM would have saved it, on PostgreSQL (a binary COPY, each value sent as its type's bytes) and on
SQLite (`bulk_create`)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from payments.bulk import INSTALMENT_COLUMNS
from payments.constants import InstalmentStatus
from payments.models import Instalment
from phb.bulk_insert import copy_insert
from reporting.models import PersonFigures
from tests.factories.payments import approved_plan, open_account

pytestmark = pytest.mark.django_db


def test_copy_insert_writes_money_dates_choices_moments_and_blanks_as_the_orm_would(org, coordinator):
    plan = approved_plan(org, total="120.00")
    account = open_account(plan)
    item = plan.items.get()
    now = timezone.now()
    due = date(2027, 2, 28)
    rows = [
        (
            org.pk,
            account.pk,
            plan.pk,
            item.pk,
            due,
            Decimal("0.01"),
            InstalmentStatus.DUE,
            coordinator.pk,
            now,
            now,
        ),
        (
            org.pk,
            account.pk,
            plan.pk,
            item.pk,
            due + timedelta(days=1),
            Decimal("99999.99"),
            "paid",
            None,
            now,
            now,
        ),
    ]
    before = set(Instalment.objects.values_list("pk", flat=True))

    assert copy_insert(Instalment, INSTALMENT_COLUMNS, rows) == 2

    written = list(
        Instalment.objects.exclude(pk__in=before)
        .order_by("due_on")
        .values_list(
            "organisation_id", "account_id", "item_id", "due_on", "amount", "status", "created_by_id"
        )
    )
    assert written == [
        (org.pk, account.pk, item.pk, due, Decimal("0.01"), "due", coordinator.pk),
        (org.pk, account.pk, item.pk, date(2027, 3, 1), Decimal("99999.99"), "paid", None),
    ]
    if connection.vendor == "postgresql":  # bulk_create (SQLite) stamps its own moments, as save does
        stored = Instalment.objects.exclude(pk__in=before).first()
        assert (stored.created_at, stored.modified_at) == (now, now)


def test_copy_insert_writes_json_columns_as_json_not_as_text_of_json(org):
    figures = {"paid": {"2026-27": ["12.50", 3]}, "flags": [True, None], "name": "Ada O'Neil \\ “quoted”"}

    copy_insert(
        PersonFigures,
        ("person_id", "organisation_id", "figures", "values", "counted_on"),
        [(987654321, org.pk, figures, {}, date(2026, 12, 2))],
    )

    row = PersonFigures.objects.get(person_id=987654321)
    assert row.figures == figures
    assert row.values == {}
    assert row.counted_on == date(2026, 12, 2)
    # Stored as a JSON object, so the database can look inside it (a string of JSON could not).
    assert PersonFigures.objects.filter(person_id=987654321, figures__paid__has_key="2026-27").exists()
