"""Writing and reading the access log (phb.models.RecordAccess): every page and endpoint that shows a
person's record, a plan, its PDF, an account or an export of person data calls `access_record` (or
`export_record`), and the org admin's page reads `access_log_for_person`."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .audit import actor_display_name
from .models import AccessKind, Organisation, Person, RecordAccess


def access_record(
    *,
    actor,
    organisation: Organisation,
    what: str,
    obj,
    person: Person | None,
    channel: str = "web",
    detail="",
) -> RecordAccess:
    """Log that `actor` opened `obj` (one of AccessKind) about `person`. Reads only: no transaction
    of a change to join, and cached reports are left alone."""
    return RecordAccess.objects.create(
        organisation=organisation,
        user=actor,
        user_name=actor_display_name(actor),
        what=what,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        person=person,
        channel=channel,
        detail=detail[:300],
    )


def export_record(
    *, actor, organisation: Organisation, what: str, person_ids: Iterable[int], channel: str, detail: str
) -> int:
    """Log an export once for each person in it, so each person's log shows it. Returns how many."""
    name = actor_display_name(actor)
    rows = [
        RecordAccess(
            organisation=organisation,
            user=actor,
            user_name=name,
            what=what,
            object_type="export",
            object_id=what,
            person_id=person_id,
            channel=channel,
            detail=detail[:300],
        )
        for person_id in sorted(set(person_ids))
    ]
    RecordAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def access_log_for_person(*, organisation: Organisation, person: Person, limit: int = 200) -> QuerySet:
    """Who opened this person's data, newest first: when, who, what and how (no clinical content)."""
    return RecordAccess.objects.for_org(organisation).filter(person=person).order_by("-at", "-id")[:limit]


__all__ = ["AccessKind", "access_log_for_person", "access_record", "export_record"]
