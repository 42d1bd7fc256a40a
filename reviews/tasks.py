"""Celery tasks of the reviews app: the daily review reminders (before due, on due, escalation)."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_review_reminders(today: str | None = None) -> int:
    """Beat job: queue the reminders due today; idempotent (each reminder is recorded and sent once).

    The e-mails themselves go out from phb.tasks.send_notification (acks_late, retried with backoff).
    `today` (YYYY-MM-DD) lets support staff re-run a missed day.
    """
    return services.review_reminders_send(today=date.fromisoformat(today) if today else None)
