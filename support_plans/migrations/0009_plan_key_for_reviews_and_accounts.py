"""A plan's (id, budget, person, organisation) as a unique key on PostgreSQL, for the composite foreign
keys of reviews and budget accounts (reviews 0007, payments 0012). The id alone is unique, so this
holds nothing new of the plans; it is what a foreign key over the four columns must point at."""

from django.db import migrations

from phb.migration_ops import unique_key


class Migration(migrations.Migration):
    dependencies = [("support_plans", "0008_planitem_key_for_instalments")]

    operations = [
        unique_key(
            "support_plans_supportplan",
            "support_plans_supportplan_id_budget_person_org_key",
            ["id", "budget_id", "person_id", "organisation_id"],
        )
    ]
