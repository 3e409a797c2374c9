"""Uploaded advice documents and where each stands with the virus scanner (advice.scanning).

A return carries several documents (issue 23). Its first stays on the return itself
(`advice.models.AdviceReturn`, where every return made before several were allowed keeps it, with
the API's fields and the scanner's queued tasks unchanged); the others are `AdviceDocument` rows.
Both are a `ScannedDocument`: the same columns, checks (advice.uploads), scanning and withholding
(docs/decisions/0013-upload-scanning-and-abuse-limits.md), one definition of each."""

import uuid

from django.db import models

from ehc.models import TimeStamped
from ehc.text import possessive


def advice_upload_path(instance, filename):
    # Server-chosen names only: the user's filename is kept in a column, never on disk.
    return f"advice/{instance.upload_case_id}/{uuid.uuid4().hex}"


class ScanStatus(models.TextChoices):
    """Where an uploaded document stands with the virus scanner (advice.scanning)."""

    NOT_SCANNED = "not_scanned", "Not scanned: no virus scanner is configured"
    PENDING = "pending", "Being checked for viruses"
    CLEAN = "clean", "Checked for viruses: none found"
    INFECTED = "infected", "A virus was found: the document was deleted"
    FAILED = "failed", "The virus scanner could not check it: the document is withheld"


# Only these may be downloaded; anything else is withheld from everyone.
DOWNLOADABLE_SCAN_STATUSES = {ScanStatus.NOT_SCANNED, ScanStatus.CLEAN}


class ScannedDocument(TimeStamped):
    document = models.FileField(upload_to=advice_upload_path, blank=True, max_length=300)
    document_name = models.CharField(max_length=255, blank=True)
    document_type = models.CharField(max_length=10, blank=True)  # "pdf" or "docx", from the content
    document_size = models.PositiveIntegerField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED)
    # When the next scan try is due while pending (the sweep's deadline, as data); moved on by each claim.
    scan_due_at = models.DateTimeField(null=True, blank=True)
    scan_attempts = models.PositiveIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_result = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def document_available(self):
        return bool(self.document) and self.scan_status in DOWNLOADABLE_SCAN_STATUSES

    # What the scanner's audit entry asks of the case's people when it deletes an infected file.
    scan_infected_ask = "Ask the team to send the advice again"

    def scan_subject(self):
        """(case, object, words for the document) that the scanner's audit entries name (advice.scanning)."""
        item = self.advice_item
        return item.case, item, f"{possessive(item.team.name)} advice document"

    def upload_record(self, checked, uploaded):
        """Keep a checked upload (advice.uploads.CheckedUpload) under a name the server chose."""
        self.document_name = checked.original_name
        self.document_type = checked.kind
        self.document_size = checked.size
        self.document_sha256 = checked.sha256
        self.document.save("advice", uploaded, save=False)


class AdviceDocument(ScannedDocument):
    """A return's second and later documents, numbered from 2 (the return's own is number 1)."""

    advice_return = models.ForeignKey("advice.AdviceReturn", on_delete=models.CASCADE, related_name="more_documents")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["advice_return", "number"]
        constraints = [
            models.UniqueConstraint(fields=["advice_return", "number"], name="advice_document_number_once"),
            models.CheckConstraint(condition=models.Q(number__gte=2), name="advice_document_number_after_first"),
        ]
        indexes = [
            # advice.scanning.scans_due: pending scans whose try has come.
            models.Index(
                fields=["scan_due_at", "id"], name="document_scan_due", condition=models.Q(scan_status="pending")
            ),
        ]

    @property
    def upload_case_id(self):
        return self.advice_return.item.case_id

    @property
    def advice_item(self):
        return self.advice_return.advice_item
