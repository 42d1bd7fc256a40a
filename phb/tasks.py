"""Celery tasks of the kernel: sending a recorded notification; the heartbeat of the health checks."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import health
from .invitations import invitation_email
from .models import Invitation, SentNotification


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


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def send_invitation(self, invitation_id: int, token: str) -> bool:
    """E-mail an invitation link. The token travels only here: the database keeps its digest."""
    invitation = (
        Invitation.objects.select_related("organisation", "created_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        return False
    subject, body = invitation_email(invitation, token)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    return True


@shared_task(ignore_result=True)
def heartbeat() -> float:
    """Sent by beat every minute; the time it ran is what /health/jobs/ reads (phb/health.py)."""
    return health.record_heartbeat()
