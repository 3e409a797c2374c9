"""The caseload import's workflow on a stored upload: `upload_create` keeps the file and queues its
dry run; `upload_check` (the task) reads, checks and plans it and saves what it found, writing nothing
else; `upload_import_start` and `upload_import` (the task) check it again against the data as it is
then and write it in one transaction, or nothing. Progress goes to the cache, outside the transaction,
for the page that polls it."""

import hashlib
import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, Organisation
from escalation.rules import TimerRules

from ..models import CaseloadUpload, UploadStatus
from .check import check_rows
from .plan import plan_build
from .read import FileError, read_rows
from .write import plan_write

log = logging.getLogger(__name__)
MAX_LISTED = 500


def progress_key(upload_id):
    return f"caseload_import:{upload_id}:progress"


def progress_set(upload_id, percent):
    try:
        cache.set(progress_key(upload_id), int(percent), 3600)
    except Exception:  # noqa: BLE001 - the bar is a nicety: Redis down must not fail the import
        log.warning("Could not save the progress of caseload upload %s", upload_id)


def progress_get(upload_id):
    try:
        return cache.get(progress_key(upload_id))
    except Exception:  # noqa: BLE001
        return None


@transaction.atomic
def upload_create(*, la, user, filename, data: bytes) -> CaseloadUpload:
    upload = CaseloadUpload.objects.create(
        local_authority=la,
        uploaded_by=user,
        filename=filename[:200],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        status=UploadStatus.CHECKING,
    )
    audit_record(user=user, action=AuditAction.CREATE, obj=upload, summary=f"Uploaded caseload file {upload.filename}")
    transaction.on_commit(lambda: caseload_check_task.delay(upload.pk), robust=True)
    return upload


def _checked(upload, today):
    """(the plan, the report) of the upload's file as the data stands now."""
    try:
        header, rows = read_rows(bytes(upload.content or b""), upload.filename)
    except FileError as error:
        return None, {"errors": [[0, "", str(error)]], "rows": 0}
    checked = check_rows(header=header, rows=rows, la=upload.local_authority, today=today)
    report = {"rows": checked.rows, "errors": checked.errors}
    if checked.errors:
        return None, report
    plan = plan_build(checked=checked, la=upload.local_authority, today=today)
    report |= {
        "errors": plan.errors,
        "counts": plan.counts,
        "notes": plan.notes[:MAX_LISTED],
        "notes_count": len(plan.notes),
        "today": plan.today[:MAX_LISTED],
        "today_count": len(plan.today),
        "today_date": today.isoformat(),
        "changes_anything": plan.changes_anything,
    }
    return (None if plan.errors else plan), report


def upload_check(*, upload_id):
    """The dry run: every row checked, the plan worked out and listed, nothing written but the report."""
    upload = CaseloadUpload.objects.select_related("local_authority").get(pk=upload_id)
    if upload.status != UploadStatus.CHECKING:
        return upload
    plan, report = _checked(upload, timezone.localdate())
    updated = CaseloadUpload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKING).update(
        status=UploadStatus.READY if plan is not None else UploadStatus.HAS_ERRORS,
        report=report,
        row_count=report.get("rows", 0),
        checked_at=timezone.now(),
    )
    if not updated:
        log.info("Caseload upload %s changed while it was checked: its check is dropped", upload.pk)
    upload.refresh_from_db()
    return upload


def upload_import_start(*, upload, user) -> bool:
    """Confirmed by the administrator: from READY to IMPORTING once (a second click does nothing)."""
    started = CaseloadUpload.objects.filter(pk=upload.pk, status=UploadStatus.READY).update(
        status=UploadStatus.IMPORTING, import_started_at=timezone.now()
    )
    if started:
        progress_set(upload.pk, 0)
        transaction.on_commit(lambda: caseload_import_task.delay(upload.pk), robust=True)
    return bool(started)


def upload_import(*, upload_id):
    """Check the file again and write it in one transaction; the LA's row is locked so that two imports
    of one council never interleave. Bad rows found now (the data changed since the dry run) write
    nothing and go back to the administrator as errors."""
    upload = CaseloadUpload.objects.select_related("local_authority", "uploaded_by").get(pk=upload_id)
    if upload.status != UploadStatus.IMPORTING:
        return upload
    today = timezone.localdate()
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().filter(pk=upload.local_authority_id).first()
            progress_set(upload.pk, 5)
            plan, report = _checked(upload, today)
            if plan is None:
                _finish(upload, UploadStatus.HAS_ERRORS, report)
                return upload
            progress_set(upload.pk, 20)
            rules = TimerRules.for_la(upload.local_authority)
            plan_write(
                plan=plan,
                la=upload.local_authority,
                rules=rules,
                user=upload.uploaded_by,
                upload=upload,
                today=today,
                progress=lambda percent: progress_set(upload.pk, 20 + percent * 0.8),
            )
            audit_record(
                user=upload.uploaded_by,
                action=AuditAction.CREATE,
                obj=upload,
                summary=f"Imported caseload file {upload.filename}: {plan.counts['new_cases']} new cases, "
                f"{plan.counts['updated_cases']} updated, {plan.counts['new_items']} advice items added",
            )
            _finish(upload, UploadStatus.IMPORTED, report, imported=True)
    except Exception:
        log.exception("Caseload upload %s failed to import: nothing was written", upload.pk)
        _finish(upload, UploadStatus.FAILED, {**upload.report, "failed": True})
    progress_set(upload.pk, 100)
    upload.refresh_from_db()
    return upload


def _finish(upload, status, report, imported=False):
    fields = {"status": status, "report": report}
    if imported:
        # The cases hold what the file said from now on: its bytes are not kept.
        fields |= {"imported_at": timezone.now(), "content": None}
    CaseloadUpload.objects.filter(pk=upload.pk).update(**fields)


# The tasks live beside the services that queue them (administration.tasks, where Celery looks,
# imports them): ids in, the services above out.
@shared_task(name="administration.tasks.caseload_check_task", ignore_result=True)
def caseload_check_task(upload_id):
    upload_check(upload_id=upload_id)


@shared_task(name="administration.tasks.caseload_import_task", ignore_result=True)
def caseload_import_task(upload_id):
    upload_import(upload_id=upload_id)
