"""Celery looks for the project's tasks here. The send task is defined in ehc.outbox, beside the
helper that queues it after commit, and imported here; the outbox never imports this module."""

from celery import shared_task

from .delivery import delivery_fetch_due
from .outbox import email_send_due, email_send_task

__all__ = ["delivery_fetch_due_task", "email_send_task", "outbox_send_due_task"]


@shared_task(ignore_result=True)
def outbox_send_due_task():
    email_send_due()


@shared_task(ignore_result=True)
def delivery_fetch_due_task():
    delivery_fetch_due()
