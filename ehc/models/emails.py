"""Outbound emails: each a row first, sent after commit by ehc.outbox."""

import datetime
import json

from django.contrib.postgres.fields import ArrayField
from django.db import models

from .base import TimeStamped


class MessageKind(models.TextChoices):
    ADVICE_REQUESTED = "advice_requested", "Request for health advice"
    ACKNOWLEDGED = "acknowledged", "Acknowledgement receipt"
    # Each team the SPOC names, to its own mailbox: the reference and a link (issue 23).
    TEAM_ASKED = "team_asked", "A team asked for its advice"
    ADVICE_RETURNED = "advice_returned", "Advice returned"
    CHASE = "chase", "Chase"
    ESCALATION_1 = "escalation_1", "Escalation 1 letter"
    ESCALATION_1_OVERDUE = "escalation_1_overdue", "Escalation 1 response overdue"
    ESCALATION_2 = "escalation_2", "Escalation 2 notice"
    HEAD_OF_SERVICE_OVERDUE = "head_of_service_overdue", "Head of service response overdue"
    DIGEST = "digest", "Weekly chase digest"
    DRAFT_SHARED = "draft_shared", "Draft plan shared with health"
    # Answers that go back to the LA (ehc.notifications): each an email and in-app notifications.
    ESCALATION_1_RESPONSE = "escalation_1_response", "DCO response to escalation 1"
    ESCALATION_2_RESOLVED = "escalation_2_resolved", "Resolved by the DCO before escalation 2"
    HEAD_OF_SERVICE_OUTCOME = "head_of_service_outcome", "Head of service outcome"
    ADVICE_RETURNED_LATE = "advice_returned_late", "Advice answered after a chase or escalation"
    PROMISE_PASSED = "promise_passed", "Promised date passed"
    DIGEST_LA = "digest_la", "Weekly overdue list for business support"
    # Letters (docs/decisions/0016-letters.md).
    LETTER_APPROVAL_OVERDUE = "letter_approval_overdue", "Letter not approved within a working day"
    LETTERS_ACCOUNT = "letters_account", "Letters-only account: set your password"
    # An administrator's invitation to a new user of their organisation (ehc.invitations).
    INVITATION = "invitation", "Invitation: set up your account"
    # A team lead sent a return waiting for sign-off back to its author (advice.services.sign_off).
    SIGN_OFF_SENT_BACK = "sign_off_sent_back", "Advice sent back by a team lead"
    # Someone on a case named with @ in its discussion (advice.discussion.services.mentions_notify).
    DISCUSSION_MENTION = "discussion_mention", "Mentioned in a case discussion"
    # The LA sent returned advice back to the team for its quality (advice.quality.services).
    ADVICE_SENT_BACK = "advice_sent_back", "Advice sent back by the local authority"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, retrying"
    CANCELLED = "cancelled", "Cancelled"


class DeliveryStatus(models.TextChoices):
    """What GOV.UK Notify says became of a sent email (its statuses for email, by the same names).
    SMTP gives no such answer: its rows keep the blank status."""

    NONE = "", "Not known (sent by SMTP)"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "Not delivered: the address does not exist or refuses email"
    TEMPORARY_FAILURE = "temporary-failure", "Not delivered: the inbox was full or unavailable"
    TECHNICAL_FAILURE = "technical-failure", "Not delivered: a technical failure at GOV.UK Notify"


# A row's status is its worst recipient's; a failure here counts as undelivered (ehc.delivery).
DELIVERY_FAILURES = (
    DeliveryStatus.PERMANENT_FAILURE,
    DeliveryStatus.TEMPORARY_FAILURE,
    DeliveryStatus.TECHNICAL_FAILURE,
)

UNDELIVERED_BECAUSE = {
    DeliveryStatus.PERMANENT_FAILURE: "permanent failure, the address does not exist or refuses email",
    DeliveryStatus.TEMPORARY_FAILURE: "temporary failure, the inbox was full or unavailable",
    DeliveryStatus.TECHNICAL_FAILURE: "technical failure at GOV.UK Notify",
}


class SnapshotEncoder(json.JSONEncoder):
    """Dates and datetimes tagged, so that an email's context comes back with the types its templates
    were written for (`|date` needs a date, not a string)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return {"$datetime": o.isoformat()}
        if isinstance(o, datetime.date):
            return {"$date": o.isoformat()}
        return super().default(o)


def _snapshot_value(obj):
    if len(obj) == 1:
        if "$date" in obj:
            return datetime.date.fromisoformat(obj["$date"])
        if "$datetime" in obj:
            return datetime.datetime.fromisoformat(obj["$datetime"])
    return obj


class SnapshotDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        kwargs["object_hook"] = _snapshot_value
        super().__init__(*args, **kwargs)


class OutboundEmail(TimeStamped):
    """Every email is a row first. `dedupe_key` makes a second one for the same event impossible;
    sending happens after commit (ehc.outbox) and marks the row sent.

    A row is either rendered when queued (subject and bodies set) or holds its template and a snapshot
    of the template's context, rendered when first sent and then stored, so what was sent stays fixed
    (the sweep's batches: rendering thousands of emails has no place inside its transaction).
    """

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    case = models.ForeignKey("assessments.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    advice_request = models.ForeignKey(
        "advice.AdviceRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    to = ArrayField(models.EmailField(), default=list)
    cc = ArrayField(models.EmailField(), default=list, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # templates/emails/<template>/ and the values it is rendered with, taken when queued. The database
    # default serves writers that insert rows in SQL.
    template = models.CharField(max_length=50, blank=True, default="", db_default="")
    context = models.JSONField(null=True, blank=True, encoder=SnapshotEncoder, decoder=SnapshotDecoder)
    letter = models.ForeignKey("escalation.Letter", null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # GOV.UK Notify only (ehc.notify). Set, and committed, before the first attempt to hand the row
    # to Notify: an attempt that finds it set asks Notify what it already accepted before sending.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # Notify's answer per recipient ({address: status}) and the row's worst one (ehc.delivery).
    delivery = models.JSONField(default=dict, blank=True, db_default={})
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, blank=True, default="", db_default=""
    )
    delivery_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # ehc.outbox.outbox_send_due: the retry sweep reads only unsent rows by next attempt.
            models.Index(
                fields=["next_attempt_at"],
                name="email_unsent_next_attempt",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
            # ehc.delivery.delivery_fetch_due: rows whose Notify status is still to come.
            models.Index(
                fields=["delivery_checked_at"],
                name="email_delivery_to_check",
                condition=models.Q(delivery_status="sending"),
            ),
            # ehc.delivery.undelivered: the dashboards' undelivered emails, most recent first.
            models.Index(
                fields=["sent_at"],
                name="email_delivery_failed",
                condition=models.Q(delivery_status__in=["permanent-failure", "temporary-failure", "technical-failure"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def notify_reference(self):
        """The reference the row is sent to GOV.UK Notify with: its id, and its creation time so that
        a database started afresh (its ids from 1 again) never matches what an old one sent."""
        return f"ehc-{self.pk}-{self.created_at:%Y%m%d%H%M%S%f}"

    @property
    def undelivered_to(self):
        """The addresses Notify could not deliver to, with why."""
        return [
            (address, UNDELIVERED_BECAUSE[status])
            for address, status in sorted((self.delivery or {}).items())
            if status in DELIVERY_FAILURES
        ]

    @property
    def is_failing(self):
        return self.status == MessageStatus.FAILED and self.attempts >= 3
