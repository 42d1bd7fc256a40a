"""Indexes for the person picker's prefix search by name or NHS number (PostgreSQL only).

Django's istartswith is `UPPER(col::text) LIKE UPPER('oka%')` and startswith `col::text LIKE
'943%'`; a b-tree serves such a prefix only with the text_pattern_ops operator class, which
Django's Meta.indexes cannot give an expression portably, so these are created here for
PostgreSQL and skipped on SQLite (where the embedded default's few people need none).
"""

from django.db import migrations

INDEXES = {
    "person_family_name_prefix": "(organisation_id, upper(family_name::text) text_pattern_ops)",
    "person_given_name_prefix": "(organisation_id, upper(given_name::text) text_pattern_ops)",
    "person_nhs_number_prefix": "(organisation_id, (nhs_number::text) text_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON phb_person {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("phb", "0006_access_log")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
