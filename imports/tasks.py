"""Celery tasks of the imports app: confirming a large sheet in the background."""

from celery import shared_task
from django.contrib.auth import get_user_model

from phb.exceptions import DomainError

from . import services
from .constants import ImportStatus
from .models import ImportBatch


@shared_task
def confirm_import(batch_id: int, user_id: int | None) -> str:
    """Import a queued sheet, telling the page how far it has got; idempotent (a done sheet is left)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == ImportStatus.DONE:
        return batch.status
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        services.import_confirm(
            actor=actor,
            batch=batch,
            progress=lambda done, total: services._tell_progress(batch_id, done, total),
        )
    except DomainError as error:
        # Nothing was written (one transaction); the page shows why and the sheet may be queued again.
        ImportBatch.objects.filter(pk=batch_id).update(queued_at=None)
        services._tell_progress(batch_id, 0, batch.summary.get("plans", 0), problem=error.message)
        return "failed"
    return ImportStatus.DONE
