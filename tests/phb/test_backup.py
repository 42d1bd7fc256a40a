"""A backup restores: every row of every table, the sequences, and the receipts (phb/backups.py)."""

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from payments.models import LedgerEntry
from phb.demo import seed_all

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Backups use pg_dump and pg_restore")


def _connect(dbname):
    params = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        autocommit=True,
    )


def _snapshot(dbname):
    """Rows per table and the value of every sequence, as PostgreSQL counts them."""
    with _connect(dbname) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        rows = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
    return rows, sequences


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    with _connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump's own session sees the rows
def test_a_dump_restored_into_a_fresh_database_has_every_row(tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_all()  # both demo organisations at every stage of the pathway
    entry = LedgerEntry.objects.order_by("id").first()
    entry.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4 receipt"), save=True)

    dump, media = tmp_path / "phb.dump", tmp_path / "media.tar.gz"
    call_command("backup_database", str(dump), media=str(media))
    settings.MEDIA_ROOT = tmp_path / "restored-media"  # as on a new server
    call_command("restore_database", str(dump), dbname=fresh_database, media=str(media))

    original_rows, original_sequences = _snapshot(connection.settings_dict["NAME"])
    restored_rows, restored_sequences = _snapshot(fresh_database)
    assert restored_rows == original_rows
    assert restored_sequences == original_sequences
    # A real data set, not empty tables restored into empty tables.
    assert sum(original_rows.values()) > 500
    for table in ("phb_person", "support_plans_supportplan", "approvals_decision", "payments_ledgerentry",
                  "reviews_review", "phb_auditevent", "django_migrations"):  # fmt: skip
        assert original_rows[table] > 0, table

    # The receipts come back into the new, empty media folder, byte for byte.
    assert [p.name for p in (tmp_path / "restored-media").rglob("*") if p.is_file()] == ["receipt.pdf"]
    assert (tmp_path / "restored-media" / entry.receipt.name).read_bytes() == b"%PDF-1.4 receipt"


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    dump = tmp_path / "phb.dump"
    call_command("backup_database", str(dump))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_database", str(dump))
