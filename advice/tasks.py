"""Celery tasks of the advice app. Each takes ids and is safe to run twice (advice.scanning). The
per-document scan task is defined in advice.scanning, beside the helper that queues it after commit,
and imported here, where Celery looks for tasks."""

from celery import shared_task

from . import scanning
from .scanning import advice_document_scan_task

__all__ = ["advice_document_scan_task", "advice_scans_due_task"]


@shared_task(ignore_result=True)
def advice_scans_due_task():
    if scanning.scanner_configured():
        scanning.scans_due_sweep()
