"""Writing the audit trail: one helper every service calls inside its transaction."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from threading import local
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from . import data_version, events
from .bulk_insert import copy_insert
from .models import AuditEvent

_AS_IS = frozenset((str, int, float, bool, type(None)))


def _json_safe(value: Any) -> Any:
    if type(value) in _AS_IS:  # most values: the first test, for the bulk writes' sake
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [v if type(v) in _AS_IS else _json_safe(v) for v in value]
    if isinstance(value, dict):
        # Plain values kept without a call each: a bulk write's audit rows hold millions of them.
        return {k: v if type(v) in _AS_IS else _json_safe(v) for k, v in value.items()}
    return value


@cache
def _snapshot_columns(model: type[models.Model], fields: tuple[str, ...] | None) -> tuple | None:
    """(key, attname) of what `snapshot` reads from a model with no many-to-many or private fields,
    in its order: the editable fields (as model_to_dict), then the other concrete ones but `id`.
    None for any other model (snapshot then asks model_to_dict)."""
    meta = model._meta
    if meta.many_to_many or meta.private_fields:
        return None
    editable = [
        (f.name, f.attname)
        for f in meta.concrete_fields
        if getattr(f, "editable", False) and (not fields or f.name in fields)
    ]
    names = {name for name, _ in editable}
    others = [
        (f.name, f.attname)
        for f in meta.concrete_fields
        if f.name not in names and (not fields or f.name in fields) and not f.editable and f.name != "id"
    ]
    return tuple(editable + others)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values, JSON-safe, for an audit event's before/after."""
    columns = _snapshot_columns(type(obj), tuple(fields) if fields else None)
    if columns is not None:
        values = ((name, getattr(obj, attname)) for name, attname in columns)
        return {name: v if type(v) in _AS_IS else _json_safe(v) for name, v in values}
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
            data_changed(organisation.pk, (person_id,), actions=(action,))
    return event


_together = local()


@contextmanager
def changes_together():
    """Inside a transaction: the people of every audited change in the block are recounted once,
    as the block ends, instead of once per audit record. Nested blocks recount with the outermost;
    a block left by an exception recounts nothing (its transaction is rolled back)."""
    if getattr(_together, "pending", None) is not None:
        yield
        return
    _together.pending = {}
    try:
        yield
        pending = _together.pending
    finally:
        _together.pending = None
    for organisation_id, (person_ids, actions) in pending.items():
        data_changed(
            organisation_id,
            tuple(sorted(person_ids)),
            actions=None if actions is None else tuple(sorted(actions)),
        )


def data_changed(
    organisation_id: int, person_ids: tuple[int, ...], actions: tuple[str, ...] | None = None
) -> None:
    """The live figures recount these people in this transaction (reporting/live.py): every
    record_event does it for its person; a bulk writer (record_events) once for its batch; inside
    `changes_together`, once for the block. `actions`: the audit actions of the changes, for the
    live figures to recount only what they can move (None: not said, all of it)."""
    pending = getattr(_together, "pending", None)
    if pending is not None:
        # One recount for the block, of what any of its changes can move: one change not saying
        # what it was makes it a whole recount.
        ids, known = pending.setdefault(organisation_id, (set(), set()))
        ids.update(person_ids)
        if known is not None:
            pending[organisation_id] = (ids, None if actions is None else known | set(actions))
        return
    changed = events.DataChanged(
        organisation_id=organisation_id, actor_id=None, person_ids=person_ids, actions=actions
    )
    if transaction.get_connection().in_atomic_block:
        events.publish(changed)
    else:
        with transaction.atomic():
            events.publish(changed)


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


class AuditRow:
    """One audit event of a bulk write, as `record_event` takes it (see `record_events`)."""

    __slots__ = ("action", "after", "before", "obj", "person_id", "summary")

    def __init__(
        self, obj, action: str, summary: str = "", before=None, after=None, person=None, person_id=None
    ) -> None:
        self.obj, self.action, self.summary = obj, action, summary
        self.before, self.after = before, after
        self.person_id = person.pk if person is not None else person_id


def record_events(*, actor, organisation, rows: list[AuditRow]) -> int:
    """Append many audit events at once: a bulk write (an import) leaves the
    same trail as `record_event` called for each, in one COPY (phb/bulk_insert.py). Call it inside the
    service's transaction; returns how many were written."""
    if not rows:
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = actor_display_name(user)
    transaction.on_commit(lambda organisation_id=organisation.pk: data_version.bump(organisation_id))
    at = timezone.now()
    values = []
    for row in rows:
        # As record_event finds the person, by id: no query for an object's person not loaded.
        if row.person_id is not None:
            person_id = row.person_id
        elif row.obj.__class__.__name__ == "Person":
            person_id = row.obj.pk
        else:
            person_id = getattr(row.obj, "person_id", None)
        values.append(
            (
                organisation.pk,
                at,
                getattr(user, "pk", None),
                name,
                row.action,
                row.obj._meta.label_lower,
                str(row.obj.pk),
                person_id,
                row.summary[:300],
                _json_safe(row.before) if row.before is not None else None,
                _json_safe(row.after) if row.after is not None else None,
            )
        )
    # The live figures: the bulk writer publishes `DataChanged` once for the whole batch's people
    # when everything of the batch is written (`data_changed`), not once per kind of row.
    return copy_insert(AuditEvent, AUDIT_COLUMNS, values)


AUDIT_COLUMNS = (
    "organisation_id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "summary",
    "before",
    "after",
)
