"""Sending e-mail notifications once: record first (unique key), send after commit with retries."""

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import SentNotification


def notify_once(*, organisation, key: str, recipients, subject: str, body: str) -> int:
    """Queue one e-mail per recipient unless this key was already sent to them; returns how many queued.

    The SentNotification row is the record of what was sent: a job that runs twice finds it and
    sends nothing the second time. The e-mail goes out from a Celery task after the commit.
    """
    from .tasks import send_notification

    queued = 0
    for email in sorted({r for r in recipients if r}):
        try:
            with transaction.atomic():
                notification = SentNotification.objects.create(
                    organisation=organisation,
                    key=key[:200],
                    recipient=email,
                    subject=subject[:200],
                    body=body,
                )
        except IntegrityError:
            continue
        transaction.on_commit(lambda pk=notification.pk: send_notification.delay(pk))
        queued += 1
    return queued


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
