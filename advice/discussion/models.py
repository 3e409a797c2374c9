"""The case discussion's rows. Messages are append-only: a correction is a new message. The model refuses
a change or a delete, and so does the database (a trigger, migration advice 0018), as for the audit trail.
Registered through `advice.models`, which imports this module."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ehc.models import Organisation

from ..documents import ScannedDocument

# A message is a note between professionals, not a report: long enough for a paragraph or two of
# clinical reasoning, short enough that nobody pastes a whole advice document in place of attaching it.
MESSAGE_TEXT_LIMIT = 5000


class AppendOnly(Exception):
    """A message, its attachments and its mentions are kept as written."""


class CaseMessage(models.Model):
    case = models.ForeignKey("assessments.Case", on_delete=models.PROTECT, related_name="discussion_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's organisation when they wrote it: people move, the record of who said what does not.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "id"]
        indexes = [
            # The discussion page's keyset pages (newest first) and every unread count (id above a receipt).
            models.Index(fields=["case", "id"], name="case_message_case_id"),
        ]

    def __str__(self):
        return f"Message {self.pk} on case {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("A message is kept as written: post a new message to correct it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("A message is kept as written")


class MessageAttachment(ScannedDocument):
    """A file posted with a message, numbered from 1 in it; checked (advice.uploads) and scanned
    (advice.scanning, kind "discussion") as advice documents are, withheld until then."""

    message = models.ForeignKey(CaseMessage, on_delete=models.PROTECT, related_name="attachments")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="message_attachment_number_once"),
        ]
        indexes = [
            # advice.scanning.scans_due: pending scans whose try has come.
            models.Index(
                fields=["scan_due_at", "id"], name="attachment_scan_due", condition=models.Q(scan_status="pending")
            ),
        ]

    @property
    def upload_case_id(self):
        return self.message.case_id

    scan_infected_ask = "Ask its author to post it again"

    def scan_subject(self):
        message = self.message
        return message.case, message, f"attachment {self.number} of discussion message {message.pk}"

    def delete(self, *args, **kwargs):
        raise AppendOnly("An attachment is kept with its message")


class MessageMention(models.Model):
    """Someone named in a message with @: told once (an email and an in-app notification per row)."""

    message = models.ForeignKey(CaseMessage, on_delete=models.PROTECT, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When the email and notification were queued (advice.discussion.services.mentions_notify).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_mention_once")]

    def __str__(self):
        return f"User {self.user_id} mentioned in message {self.message_id}"


class DiscussionReceipt(models.Model):
    """How far one person has read one case's discussion: every message up to `last_read_id`. A row
    is also what makes the discussion one of theirs for the unread counts: made when they open it,
    post in it or are mentioned in it, and for the case's officer when anyone posts."""

    case = models.ForeignKey("assessments.Case", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # An id, not a foreign key: 0 for nothing read yet. Only ever raised (GREATEST in the upsert).
    last_read_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="discussion_receipt_once")]
        indexes = [
            # A user's unread count across their discussions (advice.discussion.selectors.unread_count).
            models.Index(fields=["user", "case"], name="discussion_receipt_user")
        ]

    def __str__(self):
        return f"User {self.user_id} has read case {self.case_id}'s discussion to message {self.last_read_id}"
