"""A plan item's (id, plan, organisation) as a unique key on PostgreSQL, for the instalments' composite
foreign key (payments 0011, payments/models.py `Instalment`). The id alone is unique, so this holds
nothing new of the items; it is what a foreign key over the three columns must point at."""

from django.db import migrations

from phb.migration_ops import unique_key


class Migration(migrations.Migration):
    dependencies = [("support_plans", "0007_stamps_without_constraint")]

    operations = [
        unique_key(
            "support_plans_planitem",
            "support_plans_planitem_id_plan_org_key",
            ["id", "plan_id", "organisation_id"],
        )
    ]
