"""Celery tasks of the kernel: sending a recorded notification; the heartbeat of the health checks."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import health
from .models import SentNotification


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification(self, notification_id: int) -> bool:
    """Send one recorded e-mail; idempotent (a notification already sent is not sent again)."""
    notification = SentNotification.objects.filter(pk=notification_id, sent_at__isnull=True).first()
    if notification is None:
        return False
    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
    SentNotification.objects.filter(pk=notification_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


@shared_task(ignore_result=True)
def heartbeat() -> float:
    """Sent by beat every minute; the time it ran is what /health/jobs/ reads (phb/health.py)."""
    return health.record_heartbeat()
