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
from phb.bulk_insert import copy_insert, copy_new
from reporting.models import PersonFigures
from reviews.constants import ReviewKind, ReviewStatus
from reviews.models import Review
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


def test_copy_new_fills_what_a_row_leaves_out_with_the_models_defaults_and_returns_its_ids(org, coordinator):
    """A review scheduled from dicts (reviews/bulk.py) reads back as one saved through the ORM: the
    status, blanks and moments a new instance would have, under the ids returned in the rows' order."""
    plan = approved_plan(org)
    rows = [
        {
            "organisation_id": org.pk,
            "budget_id": plan.budget_id,
            "plan_id": plan.pk,
            "person_id": plan.person_id,
            "kind": kind,
            "due_on": date(2027, 3, day),
            "created_by_id": coordinator.pk,
        }
        for day, kind in ((1, ReviewKind.FIRST), (2, "scheduled"))
    ]
    before = timezone.now()

    ids = copy_new(Review, rows)

    saved = {review.pk: review for review in Review.objects.filter(pk__in=ids)}
    assert len(set(ids)) == 2 and set(saved) == set(ids)
    first, second = saved[ids[0]], saved[ids[1]]
    assert (first.kind, first.due_on, second.kind, second.due_on) == (
        "first",
        date(2027, 3, 1),
        "scheduled",
        date(2027, 3, 2),
    )
    for review in (first, second):
        assert review.status == ReviewStatus.SCHEDULED  # the field's default
        assert (review.requested_by, review.notes, review.held_on) == ("", "", None)
        assert review.created_at >= before and review.modified_at >= review.created_at
        assert (review.created_by_id, review.modified_by_id) == (coordinator.pk, None)
