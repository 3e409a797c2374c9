"""Virus scanning of uploaded advice through clamd (ClamAV's daemon), when one is configured.

A stored document starts "being checked" (pending, withheld from everyone) with its first try due
at once; `advice_document_scan` is enqueued when the return commits. Each try claims the row
(`select_for_update(skip_locked)`, moving `scan_due_at` on by a lease), streams the file to clamd
with the INSTREAM command, and records the verdict only if the row is still pending, so running a
scan twice, or a scan and the sweep together, does no harm. While the scanner is down the row
stays pending with its next try further off each time; the periodic sweep (`scans_due_sweep`)
takes up every pending row whose try has come, so a lost task or a scanner outage never loses a
document. An infected file is deleted from storage at once and the fact recorded on the return
and in the case's audit trail. With no scanner configured documents are marked "not scanned"
and served as before (local `make run`, tests by default).

A return's first document is a column of the return, its others `AdviceDocument` rows
(advice.documents), and a return awaiting a team lead's sign-off keeps its documents as
`DraftDocument` rows (advice.drafts); all are scanned alike, told apart by `kind` ("return",
"document" or "draft"), as are the case discussion's attachments (`advice.discussion.models.MessageAttachment`,
kind "discussion"). Each names what its audit entries say through its `scan_subject()`.

clamd's protocol is small and the Python clients on PyPI are unmaintained (clamd 1.0.2 is from
2014, pyClamd 0.4.0 from 2017), so the client is here
(docs/decisions/0013-upload-scanning-and-abuse-limits.md).
"""

import datetime
import logging
import socket
import struct

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction

from .models import AdviceDocument, AdviceReturn, DraftDocument, MessageAttachment, ScanStatus

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
# A claimed try that never reports (its worker killed) is retried after this.
SCAN_LEASE = datetime.timedelta(minutes=10)
RETRY_MAX = datetime.timedelta(hours=1)
SWEEP_BATCH = 100


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not answer: try again later."""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect():
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    if settings.CLAMD_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        connection.connect(settings.CLAMD_SOCKET)
        return connection
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def clamd_instream(handle) -> tuple[str, str]:
    """Stream a file to clamd; ("clean" | "infected" | "failed", clamd's answer)."""
    try:
        with _connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            while chunk := handle.read(CHUNK_BYTES):
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = connection.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if not answer:
        raise ScannerUnavailable("clamd closed the connection without an answer")
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith(" FOUND"):
        return ScanStatus.INFECTED, answer.removeprefix("stream: ")
    if answer.endswith(": OK") or answer == "OK":
        return ScanStatus.CLEAN, ""
    return ScanStatus.FAILED, answer


# The rows a document lives on, by the name a task carries (ids only, never objects).
KINDS = {
    "return": AdviceReturn,
    "document": AdviceDocument,
    "draft": DraftDocument,
    "discussion": MessageAttachment,
}


def _kind(row) -> str:
    return next(kind for kind, model in KINDS.items() if isinstance(row, model))


def scan_prepare(advice_return, *, now=None):
    """Before a return (or another of its documents) is saved: pending with a try due now, or not scanned."""
    if not scanner_configured():
        advice_return.scan_status = ScanStatus.NOT_SCANNED
        return
    advice_return.scan_status = ScanStatus.PENDING
    advice_return.scan_due_at = now or timezone.now()


# The scan task lives beside the helper that queues it, so that this module never imports
# advice.tasks (which imports it, and is where Celery looks for tasks). It keeps its historical
# name: messages already on the broker still find it.
@shared_task(name="advice.tasks.advice_document_scan_task", ignore_result=True)
def advice_document_scan_task(advice_return_id, kind="return"):
    # kind defaults to "return": tasks queued before a return had several documents carry no kind.
    advice_document_scan(advice_return_id=advice_return_id, kind=kind)


def scan_enqueue(advice_return):
    """After saving: scan once the transaction has committed (the file and row are there then)."""
    if advice_return.scan_status != ScanStatus.PENDING:
        return
    row_id, kind = advice_return.pk, _kind(advice_return)
    # robust: a broker that is down must not turn a saved return into an error page; the sweep
    # finds the row by its due time instead.
    transaction.on_commit(lambda: advice_document_scan_task.delay(row_id, kind), robust=True)


def _claim(advice_return_id, now, kind="return"):
    with transaction.atomic():
        row = (
            KINDS[kind]
            .objects.select_for_update(skip_locked=True)
            .filter(pk=advice_return_id, scan_status=ScanStatus.PENDING, scan_due_at__lte=now)
            .first()
        )
        if row is None:
            return None
        row.scan_attempts += 1
        row.scan_due_at = now + SCAN_LEASE
        row.save(update_fields=["scan_attempts", "scan_due_at", "updated_at"])
        return row


def advice_document_scan(*, advice_return_id, kind="return") -> str | None:
    """One try at scanning one document (a return's own, or another of its documents by `kind`); the
    status it ends in, None if not claimed."""
    now = timezone.now()
    row = _claim(advice_return_id, now, kind)
    if row is None:
        return None
    try:
        with row.document.open("rb") as handle:
            verdict, detail = clamd_instream(handle)
    except FileNotFoundError:
        verdict, detail = ScanStatus.FAILED, "The stored file is missing"
    except ScannerUnavailable as error:
        retry = min(datetime.timedelta(minutes=2 ** min(row.scan_attempts, 10)), RETRY_MAX)
        KINDS[kind].objects.filter(pk=row.pk, scan_status=ScanStatus.PENDING).update(
            scan_due_at=timezone.now() + retry, updated_at=timezone.now()
        )
        log.warning("advice scan %s: scanner unavailable (%s), next try in %s", row.pk, error, retry)
        return ScanStatus.PENDING
    outcome = _record(row.pk, verdict, detail, kind)
    if outcome == ScanStatus.INFECTED:
        # After the verdict's commit: had it rolled back, the row would still point at the file.
        row.document.storage.delete(row.document.name)
    return outcome


@transaction.atomic
def _record(advice_return_id, verdict, detail, kind="return"):
    row = KINDS[kind].objects.select_for_update().filter(pk=advice_return_id, scan_status=ScanStatus.PENDING).first()
    if row is None:  # another try recorded its verdict first
        return None
    row.scan_status = verdict
    row.scan_result = detail[:300]
    row.scanned_at = timezone.now()
    row.scan_due_at = None
    fields = ["scan_status", "scan_result", "scanned_at", "scan_due_at", "updated_at"]
    case, subject, what = row.scan_subject()
    if verdict == ScanStatus.INFECTED:
        row.document = ""
        fields.append("document")
        audit_record(
            action=AuditAction.CHANGE,
            case=case,
            obj=subject,
            summary=f"Virus found in {what} ({detail[:120]}): the file was deleted. {row.scan_infected_ask}",
        )
    elif verdict == ScanStatus.FAILED:
        audit_record(
            action=AuditAction.CHANGE,
            case=case,
            obj=subject,
            summary=f"{what[0].upper()}{what[1:]} could not be checked for viruses ({detail[:120]}): it is withheld",
        )
    row.save(update_fields=fields)
    return verdict


def scans_due_sweep(*, now=None) -> dict:
    """Every pending scan whose try has come, once each; how many ended in each status."""
    now = now or timezone.now()
    due = sorted(
        (due_at, kind, row_id)
        for kind, model in KINDS.items()
        for row_id, due_at in model.objects.filter(scan_status=ScanStatus.PENDING, scan_due_at__lte=now)
        .order_by("scan_due_at", "id")
        .values_list("id", "scan_due_at")[:SWEEP_BATCH]
    )[:SWEEP_BATCH]
    outcomes = {}
    for _due_at, kind, row_id in due:
        outcome = advice_document_scan(advice_return_id=row_id, kind=kind)
        if outcome is not None:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == ScanStatus.PENDING:
            break  # the scanner is down: the rest keep their due times for the next sweep
    return outcomes
