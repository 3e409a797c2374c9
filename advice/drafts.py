"""A team's Appendix C saved before it is returned (issue 23): one draft per advice item, the team's
rather than its author's, so anyone who may return the advice can finish it.

A draft is not a return: the item stays outstanding, its timers run and no count of returned advice
sees it. Its text is kept whole, longer than the return's limits if need be (the form refuses such
text only when it is returned, never cuts it), and `revision` lets two people of a team working on
the same draft find out rather than overwrite each other.

Where the team requires a team lead's sign-off, the return waits here, "awaiting sign-off", with its
documents (`DraftDocument`, checked and scanned as a return's), until a lead signs it off (the
return is made then) or sends it back with a note (docs/decisions/0036-team-lead-sign-off.md)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ehc.models import TimeStamped

from .documents import ScannedDocument

# The sections of Appendix C, as the return (advice.models.AdviceReturn), its form and the API name them.
APPENDIX_C_FIELDS = (
    "description_of_needs",
    "provision_required",
    "outcomes",
    "how_often_seen",
    "seen_over_period",
    "pfa_employment",
    "pfa_independent_living",
    "pfa_community_inclusion",
    "pfa_health",
)


class DraftStatus(models.TextChoices):
    EDITING = "editing", "Draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"


class ReturnDraft(TimeStamped):
    # By name: advice.models imports this module to register the model, never the other way round.
    item = models.OneToOneField("advice.AdviceItem", on_delete=models.CASCADE, related_name="return_draft")
    # Raised by each save; a save that started from an older revision is refused (nothing overwritten).
    revision = models.PositiveIntegerField(default=1)
    returned_on = models.DateField("Date the advice was returned", null=True, blank=True)
    description_of_needs = models.TextField(blank=True)
    provision_required = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    how_often_seen = models.TextField(blank=True)
    seen_over_period = models.TextField(blank=True)
    pfa_employment = models.TextField(blank=True)
    pfa_independent_living = models.TextField(blank=True)
    pfa_community_inclusion = models.TextField(blank=True)
    pfa_health = models.TextField(blank=True)
    # The structured provision and outcomes as typed (advice.provision.PROVISION_FIELDS, OUTCOME_FIELDS).
    provision_rows = models.JSONField(default=list, blank=True)
    outcome_rows = models.JSONField(default=list, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()
    # Who saved it first: a practitioner's "Drafts you started" (advice.work.drafts_started_items).
    # Empty only for a draft older than the field whose history did not say.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Sign-off (decision 0036): waiting, who sent it and when; a lead's note when sent back.
    status = models.CharField(max_length=20, choices=DraftStatus.choices, default=DraftStatus.EDITING)
    # Set when the draft is a new version of returned advice (an amendment) rather than its return.
    amendment_reason = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_back_note = models.TextField(blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    CONTENT_FIELDS = APPENDIX_C_FIELDS

    def __str__(self):
        return f"Draft of {self.item}"

    def content(self) -> dict:
        """The text sections and the rows (advice.provision.ROW_FIELDS), as a return takes them."""
        return {
            **{name: getattr(self, name) for name in self.CONTENT_FIELDS},
            "provision_rows": list(self.provision_rows or []),
            "outcome_rows": list(self.outcome_rows or []),
        }

    @property
    def awaiting_sign_off(self):
        return self.status == DraftStatus.AWAITING_SIGN_OFF


class DraftDocument(ScannedDocument):
    """A document of a return awaiting sign-off, numbered from 1: checked (advice.uploads) and scanned
    (advice.scanning, kind "draft") as a return's, seen only by the team until it is signed off."""

    draft = models.ForeignKey(ReturnDraft, on_delete=models.CASCADE, related_name="documents")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="draft_document_number_once"),
        ]
        indexes = [
            # advice.scanning.scans_due: pending scans whose try has come.
            models.Index(
                fields=["scan_due_at", "id"], name="draft_document_scan_due", condition=models.Q(scan_status="pending")
            ),
        ]

    @property
    def upload_case_id(self):
        return self.draft.item.case_id

    @property
    def advice_item(self):
        return self.draft.item
