"""Time an import of N spreadsheet rows (the check, then the confirm) on the configured database.

    BENCH=1 DATABASE_URL=postgres://... python manage.py bench_import --rows 50000

Each run imports into a new organisation of its own (code BI + a number), two items per plan, one
plan per person. Printed for the check (preview) and the confirm: seconds, rows a second, and the
CPU seconds of this process and of its PostgreSQL backend (read from /proc when the database runs
on this machine), which a busy shared machine does not inflate as it does the wall time.
"""

import csv
import io
import os
import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection

from imports.constants import COLUMNS
from imports.services import import_confirm, import_preview
from phb.constants import Role
from phb.models import Membership, MembershipRole, Organisation
from reporting import live


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
    """Budgets in their eighth month, as a sheet brought in mid-year would hold them: what fell due
    before today was paid outside (paid to date), the rest is scheduled from the import."""
    today = date.today()
    start = today - timedelta(days=244)
    end, approved = start + timedelta(days=364), start - timedelta(days=31)
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
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "approved_on": approved.isoformat(),
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
        if connection.vendor == "postgresql":
            # As autovacuum leaves a production database: its statistics current. Without this a
            # database that has never been analysed (autovacuum off, or just restored) plans every
            # query as if its tables were empty, and the import measures that instead.
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"analyze: {time.perf_counter() - started:.1f} s (not counted below)")
        number = Organisation.objects.filter(code__startswith="BI").count()
        organisation = Organisation.objects.create(code=f"BI{number:03d}", name=f"Import benchmark {number}")
        user, _ = get_user_model().objects.get_or_create(username=f"bench-import-{number}")
        membership = Membership.objects.create(organisation=organisation, user=user)
        MembershipRole.objects.create(
            organisation=organisation, membership=membership, role=Role.COMMISSIONER
        )
        # As the nightly job leaves every organisation: its live figures built, so the import keeps
        # them up to date in its transaction (reporting/live.py), as it would in production.
        live.rebuild(organisation)
        content = sheet(rows)
        clock = _Clock()
        batch = import_preview(actor=user, organisation=organisation, file_name="bench.csv", content=content)
        preview = clock.lap()
        done = import_confirm(actor=user, batch=batch)
        confirm = clock.lap()
        total = preview["wall"] + confirm["wall"]
        for name, lap in (("preview", preview), ("confirm", confirm)):
            self.stdout.write(
                f"{name}: {lap['wall']:.1f} s ({rows / lap['wall']:.0f} rows/s); CPU {lap['python']:.1f} s "
                f"in Python, {lap['database']:.1f} s in the database"
                if lap["database"] is not None
                else f"{name}: {lap['wall']:.1f} s ({rows / lap['wall']:.0f} rows/s); CPU {lap['python']:.1f} s in Python"
            )
        self.stdout.write(
            f"{rows} rows ({done.created}): total {total:.1f} s ({rows / total:.0f} rows/s); "
            f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


class _Clock:
    """Wall time, this process's CPU time and (PostgreSQL on this machine) its backend's CPU time:
    on a shared machine the wall time waits for other work, the CPU times do not."""

    def __init__(self) -> None:
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = cursor.fetchone()[0]
        self.last = self._now()

    def _backend_cpu(self) -> float | None:
        try:
            with open(f"/proc/{self.backend}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, TypeError):
            return None  # the database is elsewhere (or not PostgreSQL)
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _now(self) -> dict:
        return {"wall": time.perf_counter(), "python": time.process_time(), "database": self._backend_cpu()}

    def lap(self) -> dict:
        now, last = self._now(), self.last
        self.last = now
        database = None
        if now["database"] is not None and last["database"] is not None:
            database = now["database"] - last["database"]
        return {
            "wall": now["wall"] - last["wall"],
            "python": now["python"] - last["python"],
            "database": database,
        }
