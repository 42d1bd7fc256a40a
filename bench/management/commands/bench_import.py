"""Time an import of N spreadsheet rows (the check, then the confirm) on the configured database.

    BENCH=1 DATABASE_URL=postgres://... python manage.py bench_import --rows 50000

Each run imports into a new organisation of its own (code BI + a number), two items per plan, one
plan per person; the figures are printed, and nothing else is changed.
"""

import csv
import io
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from imports.constants import COLUMNS
from imports.services import import_confirm, import_preview
from phb.constants import Role
from phb.models import Membership, MembershipRole, Organisation


def _nhs_number(n: int) -> str:
    base = 400_000_000 + n * 7
    while True:
        digits = f"{base:09d}"
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
        base += 1


def sheet(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for index in range(rows):
        plan = index // 2
        writer.writerow(
            {
                "nhs_number": _nhs_number(plan),
                "given_name": f"Given{plan}",
                "family_name": "Benchmark",
                "date_of_birth": "1970-01-01",
                "gender": "2",
                "ethnicity": "A",
                "cohorts": "chc",
                "plan_reference": f"B-{plan}",
                "management": "direct_payment",
                "start_date": "2026-04-01",
                "end_date": "2027-03-31",
                "approved_on": "2026-03-01",
                "item_description": f"Item {index}",
                "category": "personal_assistant",
                "amount": "100.00",
                "frequency": "weekly" if index % 2 else "one_off",
                "paid_to_date": "50.00",
            }
        )
    return out.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = "Time the import of N spreadsheet rows (check and confirm)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=50_000)

    def handle(self, *args, rows: int, **options):
        number = Organisation.objects.filter(code__startswith="BI").count()
        organisation = Organisation.objects.create(code=f"BI{number:03d}", name=f"Import benchmark {number}")
        user, _ = get_user_model().objects.get_or_create(username=f"bench-import-{number}")
        membership = Membership.objects.create(organisation=organisation, user=user)
        MembershipRole.objects.create(
            organisation=organisation, membership=membership, role=Role.COMMISSIONER
        )
        content = sheet(rows)
        started = time.perf_counter()
        batch = import_preview(actor=user, organisation=organisation, file_name="bench.csv", content=content)
        checked = time.perf_counter()
        done = import_confirm(actor=user, batch=batch)
        finished = time.perf_counter()
        self.stdout.write(
            f"{rows} rows ({done.created}): check {checked - started:.1f} s, confirm {finished - checked:.1f} s, "
            f"total {finished - started:.1f} s ({rows / (finished - started):.0f} rows/s)"
        )
