"""Existing idempotency records belong to whoever made the write they answer (its ledger entry's
author), so a retry after the upgrade still replays instead of paying twice."""

from django.db import migrations


def fill_user(apps, schema_editor):
    IdempotencyRecord = apps.get_model("payments", "IdempotencyRecord")
    LedgerEntry = apps.get_model("payments", "LedgerEntry")
    for record in IdempotencyRecord.objects.filter(user__isnull=True).iterator():
        entry_id = (record.response_body or {}).get("id")
        author = (
            LedgerEntry.objects.filter(pk=entry_id, organisation_id=record.organisation_id)
            .values_list("created_by_id", flat=True)
            .first()
        )
        if author is not None:
            IdempotencyRecord.objects.filter(pk=record.pk).update(user_id=author)


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_idempotency_key_per_user")]

    operations = [migrations.RunPython(fill_user, migrations.RunPython.noop)]
