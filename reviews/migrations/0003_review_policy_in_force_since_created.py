"""Existing review policies have been in force since they were set, not since the versioning migration."""

from django.db import migrations
from django.db.models import F


def in_force_since_created(apps, schema_editor):
    apps.get_model("reviews", "ReviewPolicy").objects.update(effective_from=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_review_policy_versions")]

    operations = [migrations.RunPython(in_force_since_created, migrations.RunPython.noop)]
