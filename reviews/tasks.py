"""Celery tasks of the reviews app: thin, no arguments to go stale, safe to run twice."""

from celery import shared_task

from .services import reviews_schedule_missing


@shared_task(ignore_result=True)
def reviews_schedule_missing_task():
    """Daily (CELERY_BEAT_SCHEDULE): the review of every issued plan that has none."""
    reviews_schedule_missing()
