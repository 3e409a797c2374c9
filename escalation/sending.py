"""Sending after commit: the tasks that send the outbox's emails and render letters, and the hook that
queues them once the rows that describe them are committed.

Below everything that writes messages (the sweep, the services, the DCO's resolutions), so that each
of them can send without importing the Celery tasks module, which imports the sweep. The tasks keep
their historical names (escalation.tasks.*): messages already on the broker still find them, and
escalation.tasks, the module Celery discovers, imports them from here.
"""

from functools import partial

from celery import shared_task
from django.db import transaction

from ehc.outbox import email_send

from . import letters

# Emails per send task: a task stays short and several workers share a large batch.
SEND_CHUNK = 20


@shared_task(name="escalation.tasks.emails_send_task", ignore_result=True)
def emails_send_task(email_ids):
    for email_id in email_ids:
        email_send(email_id=email_id)


@shared_task(name="escalation.tasks.letter_render_task", ignore_result=True)
def letter_render_task(letter_id):
    letters.letter_render(letter_id=letter_id)


def _dispatch(email_ids, letter_ids):
    for start in range(0, len(email_ids), SEND_CHUNK):
        emails_send_task.delay(email_ids[start : start + SEND_CHUNK])
    for letter_id in letter_ids:
        letter_render_task.delay(letter_id)


def send_after_commit(*, email_ids, letter_ids=()):
    """Send (and render letters) once the rows are committed. Robust: if the broker is down the rows
    stay pending and the outbox retry sweep sends them."""
    if email_ids or letter_ids:
        transaction.on_commit(partial(_dispatch, list(email_ids), list(letter_ids)), robust=True)
