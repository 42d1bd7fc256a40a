"""Scheduled jobs of the payments app: flag approved plans still waiting for funds."""

from celery import shared_task

from . import services


@shared_task
def flag_unfunded_approvals() -> int:
    """Tell commissioners and finance about approved plans with no funds released after N days.

    Each account is flagged once (notify_once keys on the account), so running twice sends nothing
    twice. Returns how many e-mails were queued.
    """
    return services.unfunded_approvals_flag(actor=None)
