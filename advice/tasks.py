"""Celery tasks of the advice app. Each takes ids and is safe to run twice (advice.scanning)."""

from celery import shared_task

from . import scanning


@shared_task(ignore_result=True)
def advice_document_scan_task(advice_return_id):
    scanning.advice_document_scan(advice_return_id=advice_return_id)


@shared_task(ignore_result=True)
def advice_scans_due_task():
    if scanning.scanner_configured():
        scanning.scans_due_sweep()
