"""Data migration: write the actor's name onto the audit rows written before it was kept."""

from django.conf import settings
from django.db import migrations


def fill_actor_names(apps, schema_editor):
    AuditEvent = apps.get_model("phb", "AuditEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    actor_ids = AuditEvent.objects.filter(actor__isnull=False, actor_name="").values("actor_id").distinct()
    for user in User.objects.filter(pk__in=actor_ids):
        full_name = f"{user.first_name} {user.last_name}".strip()
        name = f"{full_name} ({user.username})" if full_name else user.username
        AuditEvent.objects.filter(actor_id=user.pk, actor_name="").update(actor_name=name)


class Migration(migrations.Migration):
    dependencies = [("phb", "0004_audit_keeps_who_acted")]

    operations = [migrations.RunPython(fill_actor_names, migrations.RunPython.noop)]
