from celery import shared_task

from .outbox import email_send, email_send_due


@shared_task(ignore_result=True)
def email_send_task(email_id):
    email_send(email_id=email_id)


@shared_task(ignore_result=True)
def outbox_send_due_task():
    email_send_due()
