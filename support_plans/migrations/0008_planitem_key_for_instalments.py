"""A plan item's (id, plan, organisation) as a unique key on PostgreSQL, for the instalments' composite
foreign key (payments 0011, payments/models.py `Instalment`). The id alone is unique, so this holds
nothing new of the items; it is what a foreign key over the three columns must point at."""

from django.db import migrations

INDEX = "support_plans_planitem_id_plan_org_key"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE support_plans_planitem ADD CONSTRAINT {INDEX} UNIQUE (id, plan_id, organisation_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE support_plans_planitem DROP CONSTRAINT IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("support_plans", "0007_stamps_without_constraint")]

    operations = [migrations.RunPython(create, drop)]
