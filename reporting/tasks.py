"""Celery jobs of the reporting app: the quarterly PHB return, and the live figures' fold and check."""

from celery import shared_task

from . import live, services


@shared_task(acks_late=True)
def build_quarterly_returns() -> int:
    """Build the last ended quarter's return for each organisation that lacks one; safe to run twice."""
    return services.returns_build_for_last_quarter()


@shared_task(acks_late=True)
def check_live_figures() -> dict:
    """Nightly: recount every organisation, compare with its live figures, repair, report."""
    return services.live_figures_check_all()


@shared_task
def fold_live_figures() -> int:
    """Every minute: fold the live figures' delta rows into their totals (reads stay short)."""
    return live.fold_all()
