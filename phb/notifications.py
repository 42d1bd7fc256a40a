"""Telling people once: the in-app list and e-mail, recorded first (unique key), e-mail sent after commit."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, SentNotification
from .selectors import users_with_role


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


def notify(
    *, organisation, key: str, users: Iterable, subject: str, body: str, path: str = "", email: bool = True
) -> int:
    """Tell each (active) user once: an item in their in-app list and (unless `email` is False) an
    e-mail after the commit.

    `key` names what this is about (`transfer:12:in`); the same key never reaches a user twice, so a
    reaction or job that runs again tells nobody again. Returns how many people were told.
    """
    told = 0
    link = f"\n\nOpen it: {absolute_url(path)}\n" if path else "\n"
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                Notification.objects.create(
                    organisation=organisation,
                    user=user,
                    key=key[:200],
                    subject=subject[:200],
                    body=body,
                    path=path[:300],
                )
        except IntegrityError:
            continue
        told += 1
        if email and user.email:
            notify_once(
                organisation=organisation, key=key, recipients=[user.email], subject=subject, body=body + link
            )
    return told


def holders_of(organisation, *roles: str) -> list:
    """The active members of the organisation holding any of the roles (each once)."""
    people: dict[int, object] = {}
    for role in roles:
        for user in users_with_role(organisation=organisation, role=role):
            people.setdefault(user.pk, user)
    return list(people.values())


def unread_count(*, organisation, user) -> int:
    return Notification.objects.filter(organisation=organisation, user=user, read_at__isnull=True).count()


def notifications_mark_read(*, organisation, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications here as read (all of them, or those ids); returns how many."""
    unread = Notification.objects.filter(organisation=organisation, user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
