"""When a version of an organisation's policy takes effect (approval policy, review policy).

Organisations agree new delegated limits or review cycles at a board and bring them in from a date
(often 1 April). A version given a date takes effect at the start of that day; today means now. A past
day is refused: a version cannot be back-dated, or requests already judged would not match it.
"""

from datetime import date, datetime, time

from django.utils import timezone

from .audit import record_event, snapshot
from .exceptions import Conflict, InvalidInput


def starts_on(day: date, field: str = "effective_from") -> datetime:
    today = timezone.localdate()
    if day < today:
        raise InvalidInput(**{field: ["The date it takes effect must be today or later."]})
    if day == today:
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time.min))


def in_force(versions, at: datetime | None = None):
    """Of an organisation's versions (a queryset), the one in force at `at` (default now): the latest
    to take effect on or before it, withdrawn ones left out; None if there is none."""
    return (
        versions.filter(effective_from__lte=at or timezone.now(), withdrawn_at__isnull=True)
        .order_by("-effective_from", "-version")
        .first()
    )


def scheduled(versions) -> list:
    """Versions set to take effect later, soonest first (withdrawn ones left out)."""
    return list(
        versions.filter(effective_from__gt=timezone.now(), withdrawn_at__isnull=True).order_by(
            "effective_from", "version"
        )
    )


def withdraw(*, actor, version, action: str, what: str):
    """Withdraw a version scheduled for a later date before it starts (the caller's transaction; the row
    is locked here). One already in force cannot be: publish a new version instead."""
    locked = type(version).objects.select_for_update().get(pk=version.pk)
    if locked.withdrawn_at is not None:
        raise Conflict(f"Version {locked.version} was already withdrawn.")
    starts = timezone.localtime(locked.effective_from)
    if locked.effective_from <= timezone.now():
        raise Conflict(
            f"Version {locked.version} is already in force (since {starts:%-d %B %Y}): publish a new version instead."
        )
    before = snapshot(locked)
    locked.withdrawn_at = timezone.now()
    if hasattr(locked, "withdrawn_by"):
        locked.withdrawn_by = actor
    locked.stamp(actor)
    locked.save()
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action=action,
        before=before,
        after=snapshot(locked),
        summary=f"{what} version {locked.version}, due to start on {starts:%-d %B %Y}, withdrawn",
    )
    return locked
