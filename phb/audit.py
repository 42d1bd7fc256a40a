"""Writing the audit trail: one helper every service calls inside its transaction."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict

from . import data_version, events
from .models import AuditEvent


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values, JSON-safe, for an audit event's before/after."""
    data = model_to_dict(obj, fields=fields)
    for field in obj._meta.concrete_fields:
        if field.name in data or (fields and field.name not in fields):
            continue
        if not field.editable and field.name not in ("id",):
            data[field.name] = getattr(obj, field.attname)
    return {k: _json_safe(v) for k, v in data.items()}


def actor_display_name(user) -> str:
    """The name the audit trail keeps for who acted: full name and username, or blank (the system)."""
    if user is None:
        return ""
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def record_event(
    *,
    actor,
    organisation,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    person=None,
    summary: str = "",
    changes_data: bool = True,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction.

    `changes_data=False` for events that change nothing a report counts (a record opened, a
    return built), so that they leave cached reports in place.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    if person is None:
        person = getattr(obj, "person", None)
        if person is None and obj.__class__.__name__ == "Person":
            person = obj
    if changes_data:
        # Cached reports of this organisation are out of date once the change commits.
        transaction.on_commit(lambda organisation_id=organisation.pk: data_version.bump(organisation_id))
    event = AuditEvent.objects.create(
        organisation=organisation,
        actor=user,
        actor_name=actor_display_name(user),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        person=person,
        summary=summary[:300],
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
    )
    if changes_data:
        person_id = person.pk if person is not None else _person_id_of(obj)
        if person_id is not None:
            # The live figures recount this person in this transaction (reporting/live.py).
            changed = events.DataChanged(organisation_id=organisation.pk, actor_id=None, person_id=person_id)
            if transaction.get_connection().in_atomic_block:
                events.publish(changed)
            else:
                with transaction.atomic():
                    events.publish(changed)
    return event


def _person_id_of(obj: models.Model) -> int | None:
    """The person a changed row is about, through the rows that lead to them (an entry's plan...)."""
    for name in ("person_id", "plan", "account", "budget", "referral"):
        value = getattr(obj, name, None)
        if value is None:
            continue
        if name == "person_id":
            return value
        found = getattr(value, "person_id", None)
        if found is not None:
            return found
    return None
