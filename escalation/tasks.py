"""Thin Celery tasks: ids in, services out. Beat runs `sweep_task` every SWEEP_INTERVAL_SECONDS;
nothing here is ever scheduled ahead (deadlines are columns the sweep reads). The send tasks live
below the sweep, in escalation.sending, and are imported here, where Celery looks for tasks."""

from celery import shared_task

from .sending import emails_send_task, letter_render_task

__all__ = ["emails_send_task", "letter_render_task", "sweep_task"]


@shared_task(ignore_result=True)
def sweep_task():
    from .sweep import sweep_run

    sweep_run()
