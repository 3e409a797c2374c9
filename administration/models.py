"""The administration pages' own records: a council's caseload files and the cases they brought in
(administration.caseload_import, decision docs/decisions/0033-caseload-import.md)."""

from django.conf import settings
from django.db import models

from ehc.models import Organisation


class UploadStatus(models.TextChoices):
    CHECKING = "checking", "Being checked"
    HAS_ERRORS = "has_errors", "Has errors: nothing imported"
    READY = "ready", "Checked: ready to import"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Import failed: nothing imported"


class CaseloadUpload(models.Model):
    """One file an LA administrator uploaded: checked first (the dry run, `report`), imported on
    confirmation, both by a task (administration.tasks) that saves its outcome here. The file's bytes
    are kept only until it is imported or replaced: the cases hold what it said from then on."""

    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    content = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    # The dry run's and the import's findings: errors by row and column, what it would do, what the
    # timers will do on their next run (administration.caseload_import.services).
    report = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    import_started_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["local_authority", "-uploaded_at"], name="upload_la_latest")]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_working(self):
        return self.status in (UploadStatus.CHECKING, UploadStatus.IMPORTING)


class ImportedCase(models.Model):
    """The council's own reference for a request, mapped to the case an import made of it: a second
    file with the same reference updates that case instead of making another."""

    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=40)
    case = models.OneToOneField("assessments.Case", on_delete=models.CASCADE, related_name="imported_as")
    upload = models.ForeignKey(CaseloadUpload, on_delete=models.PROTECT, related_name="cases")
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "reference"], name="imported_case_one_per_reference"),
        ]

    def __str__(self):
        return self.reference
