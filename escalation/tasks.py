"""Thin Celery tasks: ids in, services out. Beat runs `sweep_task` every SWEEP_INTERVAL_SECONDS;
nothing here is ever scheduled ahead (deadlines are columns the sweep reads)."""

from celery import shared_task

from ehc.outbox import email_send


@shared_task(ignore_result=True)
def sweep_task():
    from .sweep import sweep_run

    sweep_run()


@shared_task(ignore_result=True)
def emails_send_task(email_ids):
    for email_id in email_ids:
        email_send(email_id=email_id)


@shared_task(ignore_result=True)
def letter_render_task(letter_id):
    from .letters import letter_render

    letter_render(letter_id=letter_id)
