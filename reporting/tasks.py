"""Celery jobs of the reporting app: the quarterly PHB return for every organisation."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def build_quarterly_returns() -> int:
    """Build the last ended quarter's return for each organisation that lacks one; safe to run twice."""
    return services.returns_build_for_last_quarter()
