"""PHB case management: the shared kernel (organisations, staff, people, audit) and settings."""

from .celery import app as celery_app

__all__ = ("celery_app",)
