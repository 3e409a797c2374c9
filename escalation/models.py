import re

from django.conf import settings
from django.db import models

from advice.models import AdviceItem, AdviceRequest, Stage
from ehc.models import Organisation, TimeStamped


class StageChange(models.Model):
    """One row per (item, stage): the sweep's record that an item reached a stage.

    The unique constraint is what makes a second chase or escalation for the same item impossible,
    whatever runs twice.
    """

    # No index of its own: the unique (item, stage) index serves lookups by item, and one index fewer
    # is one write fewer per row in the sweep's 10,000-row inserts.
    item = models.ForeignKey(
        AdviceItem, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    on = models.DateField(help_text="The working day the stage was reached")
    at = models.DateTimeField(auto_now_add=True)
    escalation = models.ForeignKey("Escalation", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "stage"], name="stage_change_once_per_item")]

    def __str__(self):
        return f"{self.item_id} {self.stage} on {self.on}"


class EscalationStage(models.TextChoices):
    CHASE = "chase", "Chase"
    ESCALATION_1 = "escalation_1", "Escalation 1"
    ESCALATION_2 = "escalation_2", "Escalation 2"


class Escalation(TimeStamped):
    """A chase or escalation of one request for health advice: covers its outstanding teams.

    One per (request, stage). Escalation 1 carries the letter and the DCO's response to the AD.
    """

    # Indexed by the unique (request, stage) constraint, which leads with it.
    request = models.ForeignKey(
        AdviceRequest, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    stage = models.CharField(max_length=20, choices=EscalationStage.choices)
    issued_on = models.DateField()
    response_due_on = models.DateField(null=True, blank=True)
    # Copied for the DCO's "responses owed" list.
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(blank=True)
    response_overdue_notified = models.BooleanField(default=False)
    # Set when the chase email, the letter and its email, or the escalation 2 notice are written to the
    # outbox (escalation.sweep.messages.messages_queue); NULL until then, so a crash in between is picked up.
    messages_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "stage"], name="escalation_once_per_request_stage"),
        ]
        indexes = [
            # DCO dashboard "responses owed": unanswered escalations by due date.
            models.Index(
                fields=["response_due_on", "id"],
                name="escalation_response_owed",
                condition=models.Q(responded_at__isnull=True, response_due_on__isnull=False),
            ),
            # escalation.sweep.responses.responses_overdue: windows passed unanswered that nobody was told of yet. Its
            # own index: escalation_response_owed also holds every unanswered escalation already told of.
            models.Index(
                fields=["local_authority", "response_due_on", "id"],
                name="escalation_response_unnotified",
                condition=models.Q(
                    stage__in=["escalation_1", "escalation_2"],
                    responded_at__isnull=True,
                    response_due_on__isnull=False,
                    response_overdue_notified=False,
                ),
            ),
            # escalation.sweep.messages.messages_queue: escalations whose messages are not yet in the outbox.
            models.Index(
                fields=["local_authority", "id"],
                name="escalation_messages_pending",
                condition=models.Q(messages_queued_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} for {self.request.case.reference}"

    def response_overdue(self, today):
        return self.responded_at is None and self.response_due_on is not None and today > self.response_due_on


class WordingKind(models.TextChoices):
    """The texts an LA edits (escalation.wording)."""

    ESCALATION_1_LETTER = "escalation_1_letter", "Escalation 1 letter"
    ESCALATION_2_NOTICE = "escalation_2_notice", "Escalation 2 notice (email)"
    CHASE_EMAIL = "chase_email", "Chase email"
    DIGEST_INTRO = "digest_intro", "Weekly list introduction (email)"


class WordingVersion(models.Model):
    """One saved version of an LA's wording of one text. Versions are numbered from 1 per (LA, kind);
    the one in force is the latest, and version 0 is the product's own wording (escalation.wording.
    defaults). Rows are never changed: a letter or email names the version it was issued with."""

    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=WordingKind.choices)
    number = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["local_authority", "kind", "-number"]
        constraints = [
            # Also the index that finds the version in force: the highest number for (LA, kind).
            models.UniqueConstraint(fields=["local_authority", "kind", "number"], name="wording_version_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} version {self.number}"


class Letter(TimeStamped):
    """An escalation letter. `content` is the snapshot taken at issue; the PDF, once rendered,
    is never rendered again (kept unchanged, checked by its SHA-256)."""

    escalation = models.OneToOneField(Escalation, on_delete=models.PROTECT, related_name="letter")
    # The day it is sent: the day it was issued, or, where the AD Education approves letters, the day
    # of the approval (escalation.approvals).
    dated = models.DateField()
    content = models.JSONField()
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The director's address when the letter was issued, lower case: a letters-only account with this
    # address sees the letter (escalation.recipients), whoever holds the director's post later.
    addressed_to = models.EmailField(blank=True, default="", db_default="")
    # Where the LA's letters need the AD Education's approval: the letter waits, unsent, until then;
    # business support is told once (approval_overdue_flagged_at, the compare-and-set) if it waits past
    # approval_due_at, one working day after it was issued.
    approval_required = models.BooleanField(default=False, db_default=False)
    approval_due_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    # The LA's wording it was issued with (its text is in `content` too); NULL for the product's own.
    wording = models.ForeignKey(WordingVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-dated", "-id"]
        indexes = [
            # A letters-only account's letters, by the address they were sent to (escalation.recipients).
            models.Index(fields=["addressed_to", "id"], name="letter_addressed_to"),
            # The AD Education's approval queue (escalation.approvals.letters_awaiting_approval).
            models.Index(
                fields=["approval_due_at", "id"],
                name="letter_awaiting_approval",
                condition=models.Q(approval_required=True, approved_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Letter {self.content.get('reference', '')} dated {self.dated}"

    @property
    def is_awaiting_approval(self):
        return self.approval_required and self.approved_at is None

    @property
    def is_rendered(self):
        return self.rendered_at is not None

    @property
    def filename(self):
        # The name goes into a Content-Disposition header: only characters that are safe there.
        reference = re.sub(r"[^A-Za-z0-9_-]", "", str(self.content.get("reference") or "")) or "letter"
        return f"escalation-1-{reference}-{self.dated:%Y-%m-%d}.pdf"


class DigestAudience(models.TextChoices):
    SPOC = "spoc", "SPOC mailbox"
    BUSINESS_SUPPORT = "business_support", "LA business support"


class DigestRun(models.Model):
    """One weekly digest per SPOC mailbox (across every LA its providers serve) and one per LA for its
    business support, each week: the row, inserted before the email, that stops a second one."""

    audience = models.CharField(max_length=20, choices=DigestAudience.choices)
    # The SPOC mailbox (lower case) for a SPOC digest; the LA for a business support list.
    mailbox = models.CharField(max_length=254, blank=True)
    local_authority = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    week_of = models.DateField(help_text="The Monday of the week the digest belongs to")
    sent_for_date = models.DateField()
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "week_of"],
                name="digest_spoc_once_a_week",
                condition=models.Q(audience="spoc"),
            ),
            models.UniqueConstraint(
                fields=["local_authority", "week_of"],
                name="digest_la_once_a_week",
                condition=models.Q(audience="business_support"),
            ),
        ]

    def __str__(self):
        return f"Digest for the week of {self.week_of}: {self.item_count} overdue"


class DigestSchedule(models.Model):
    """When the next SPOC digest goes: one row, moved by compare-and-set like an LA's next_digest_at
    (escalation.sweep.digest). SPOC digests span LAs, so they keep their own day (docs/decisions)."""

    name = models.CharField(max_length=20, unique=True)
    next_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: next at {self.next_at}"


class ResolutionKind(models.TextChoices):
    AGREED_DATE = "agreed_date", "A date agreed with the team"
    NOT_NEEDED = "not_needed", "Agreed with the LA that the advice is not needed"


class Escalation2Resolution(TimeStamped):
    """The DCO office's resolution of one item before its escalation 2: a date agreed with the team
    (the item's promised date from then on) or agreement with the LA that the advice is not needed.
    One per item (the one-to-one is the guard); either stops that item's escalation 2."""

    item = models.OneToOneField(AdviceItem, on_delete=models.CASCADE, related_name="escalation_2_resolution")
    # Copied from the item for the DCO dashboard's list by area.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ResolutionKind.choices)
    agreed_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            # The DCO dashboard's "escalation 2" list: the area's latest resolutions.
            models.Index(fields=["local_authority", "recorded_on"], name="resolution_la_recorded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="agreed_date") | models.Q(agreed_on__isnull=False),
                name="resolution_agreed_date_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.item_id})"
