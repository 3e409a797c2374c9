import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ehc.models import Organisation, OrganisationKind, Service, Team, TimeStamped

from .documents import DOWNLOADABLE_SCAN_STATUSES, ScannedDocument, ScanStatus, advice_upload_path  # noqa: F401
from .indexes import ITEM_INDEXES
from .querysets import AdviceQuerySet

# Service.values builds a new list on every access; queue pages label services on every row.
_SERVICE_LABELS = dict(Service.choices)


def service_labels(values) -> list[str]:
    """The labels of the services named, skipping any value no longer a service."""
    return [_SERVICE_LABELS[value] for value in values if value in _SERVICE_LABELS]


class AdviceRequest(TimeStamped):
    """A request for health advice about one child, sent to one provider's SPOC.

    `notified_on` is day 0 of the 6 weeks; every tracked item shares `due_on`.
    """

    case = models.ForeignKey("assessments.Case", on_delete=models.PROTECT, related_name="advice_requests")
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="advice_requests",
        limit_choices_to={"kind": OrganisationKind.HEALTH_PROVIDER},
    )
    # Copied from the case so provider-side queues never join through cases to filter by LA.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    services_named = ArrayField(
        models.CharField(max_length=20, choices=Service.choices),
        default=list,
        help_text="The health services the family says are involved",
    )
    message = models.TextField("Message to the SPOC", blank=True)
    # Set for a request for a review's report: its due date counts back from the meeting, and it is no
    # part of the assessment's 6-week figures (docs/decisions/0044-annual-reviews.md).
    review = models.ForeignKey(
        "assessments.AnnualReview", null=True, blank=True, on_delete=models.PROTECT, related_name="advice_requests"
    )
    notified_on = models.DateField()
    due_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AdviceQuerySet.as_manager()

    class Meta:
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "provider"],
                condition=models.Q(review__isnull=True),
                name="advice_request_one_per_provider",
            ),
            models.UniqueConstraint(
                fields=["review", "provider"],
                condition=models.Q(review__isnull=False),
                name="advice_request_one_per_provider_per_review",
            ),
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("notified_on")), name="advice_due_after"),
        ]
        indexes = [
            # reports.selectors.outcomes: requests of an LA in a period (audit and monthly reports).
            models.Index(fields=["local_authority", "notified_on"], name="request_la_notified"),
            # SPOC queue "awaiting acknowledgement": unacknowledged requests of one provider.
            models.Index(
                fields=["provider", "notified_on", "id"],
                name="request_unacknowledged",
                condition=models.Q(acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Health advice from {self.provider} for {self.case.reference}"

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None

    @property
    def services_named_labels(self):
        return service_labels(self.services_named)


class KnownStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Not yet confirmed by the SPOC"
    KNOWN_OPEN = "known_open", "Known: open to the team now"
    KNOWN_CLOSED = "known_closed", "Known: closed within the last 12 months"
    NOT_KNOWN = "not_known", "Not known to the team"
    WAITING_LIST = "waiting_list", "On the team's waiting list"


KNOWN_STATUSES = {KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_CLOSED}


class ItemStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    RETURNED = "returned", "Returned"
    NOT_PROVIDED = "not_provided", "Will not be provided"
    REMOVED = "removed", "Not involved (removed by the SPOC)"
    CANCELLED = "cancelled", "Cancelled: the case ended"


CLOSED_ITEM_STATUSES = {
    ItemStatus.RETURNED,
    ItemStatus.NOT_PROVIDED,
    ItemStatus.REMOVED,
    ItemStatus.CANCELLED,
}


class Stage(models.TextChoices):
    """How far the Torbay process has gone for an outstanding item."""

    REQUESTED = "requested", "Requested"
    CHASED = "chased", "Chased"
    ESCALATION_1 = "escalation_1", "Escalation 1"
    ESCALATION_2 = "escalation_2", "Escalation 2"


_STAGE_LABELS = dict(Stage.choices)
STAGE_ORDER = [Stage.REQUESTED, Stage.CHASED, Stage.ESCALATION_1, Stage.ESCALATION_2]


class NotProvidedReason(models.TextChoices):
    NOT_REQUIRED = "not_required", "Appendix C advice decided not to be required"
    NOT_KNOWN = "not_known", "Child not known to the service and no assessment possible"
    NO_CONSENT = "no_consent", "Family did not consent or did not engage"
    DNA = "dna", "Appointments not attended"
    CAPACITY = "capacity", "No capacity in the team"
    OTHER = "other", "Other reason"


class DelayReason(models.TextChoices):
    CAPACITY = "capacity", "Staffing or capacity"
    WAITING_LIST = "waiting_list", "Child on the waiting list"
    DNA = "dna", "Appointment not attended"
    LATE_NOTIFICATION = "late_notification", "Request reached the team late"
    ASSESSMENT_NEEDED = "assessment", "Assessment needed before advice can be written"
    OTHER = "other", "Other reason"


class ExceptionReason82(models.TextChoices):
    EXCEPTIONAL = "exceptional", "Exceptional personal circumstances"
    AWAY = "away", "Child or family away from the area for 4 weeks or more"
    MISSED_APPOINTMENT = "missed_appointment", "Missed appointment"


class AdviceItem(TimeStamped):
    """One team's advice for one request: the unit the timers and dashboards track.

    Provider and LA are copied from the request so the sweep, the SPOC queue and the
    DCO dashboard read this one table through partial indexes (advice.indexes).
    """

    # Each stage change the sweep makes writes every index here again (decision 0042): the request's
    # items are found through advice_item_one_per_team, so no index of its own.
    request = models.ForeignKey(AdviceRequest, on_delete=models.CASCADE, related_name="items", db_index=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="advice_items")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("assessments.Case", on_delete=models.PROTECT, related_name="advice_items")
    # Copied from the request: a review's items are counted apart from the assessment's 6 weeks.
    review = models.ForeignKey(
        "assessments.AnnualReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advice_items",
        db_index=False,
    )
    due_on = models.DateField()
    # The first due date, kept once the LA sends the advice back with a new one (advice.quality): "within
    # 6 weeks" is measured on the first return against it (reports.selectors.outcomes).
    first_due_on = models.DateField(null=True, blank=True)
    known_status = models.CharField(max_length=20, choices=KnownStatus.choices, default=KnownStatus.UNCONFIRMED)
    named_by_family = models.BooleanField(default=False)
    added_by_spoc = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.OUTSTANDING)
    removed_reason = models.TextField(blank=True)

    # Timer state (escalation.sweep). next_action_on is NULL once the item is closed.
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REQUESTED)
    next_action_on = models.DateField(null=True, blank=True)
    chased_on = models.DateField(null=True, blank=True)
    escalation_1_on = models.DateField(null=True, blank=True)
    escalation_2_on = models.DateField(null=True, blank=True)
    head_of_service_response_due_on = models.DateField(null=True, blank=True)
    # Outcome (A) of the health internal escalation.
    promised_on = models.DateField(null=True, blank=True)
    delay_reason = models.CharField(max_length=30, choices=DelayReason.choices, blank=True)
    delay_detail = models.TextField(blank=True)
    head_of_service_responded_at = models.DateTimeField(null=True, blank=True)
    # The promised date the LA was told had passed (escalation.sweep.promises), once; NULL again with a new date.
    promise_passed_notified_on = models.DateField(null=True, blank=True)
    head_of_service_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # Return
    returned_on = models.DateField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Not provided (outcome B, or decided by the team)
    not_provided_reason = models.CharField(max_length=30, choices=NotProvidedReason.choices, blank=True)
    not_provided_detail = models.TextField(blank=True)
    not_provided_decided_by = models.CharField(max_length=200, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Exception under reg 8(2): stays visible, marked excepted.
    exception_reason = models.CharField(max_length=30, choices=ExceptionReason82.choices, blank=True)
    exception_detail = models.TextField(blank=True)
    exception_recorded_on = models.DateField(null=True, blank=True)
    exception_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # The exceptions that stop this team's clock besides those covering all the case's advice
    # (assessments.TimelineException.covers_all_advice); declared here so that assessments knows
    # nothing of advice.
    timeline_exceptions = models.ManyToManyField(
        "assessments.TimelineException", blank=True, related_name="advice_items"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AdviceQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "team"], name="advice_item_one_per_team"),
            models.CheckConstraint(
                condition=models.Q(status="outstanding") | models.Q(next_action_on__isnull=True),
                name="advice_item_closed_has_no_timer",
            ),
        ]
        indexes = ITEM_INDEXES

    def __str__(self):
        return f"{self.team.name} advice for {self.case.reference}"

    @property
    def is_outstanding(self):
        return self.status == ItemStatus.OUTSTANDING

    @property
    def stage_label(self):
        # get_stage_display() builds a dict of the choices on each call, and lists show it per row.
        return _STAGE_LABELS.get(self.stage, self.stage)

    @property
    def is_excepted(self):
        return bool(self.exception_reason)

    @property
    def is_closed(self):
        return self.status in CLOSED_ITEM_STATUSES

    @property
    def outstanding_since(self) -> datetime.date:
        """When the team was first asked: the day the SPOC was notified for the services the family
        named, the day the SPOC added the team otherwise. Reads `request`: select_related it."""
        if self.named_by_family:
            return self.request.notified_on
        return max(self.request.notified_on, timezone.localdate(self.created_at))

    def days_overdue(self, today: datetime.date) -> int:
        # Advice sent back is outstanding again, its first return date kept: it runs late until today.
        end = today if self.is_outstanding else (self.closed_on or self.returned_on or today)
        return max(0, (end - self.due_on).days)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_outstanding and today > self.due_on

    @property
    def promise_broken_as_of(self):
        return self.promised_on

    def promise_passed(self, today: datetime.date) -> bool:
        return self.is_outstanding and self.promised_on is not None and today > self.promised_on


class AdviceReturn(ScannedDocument):
    """What a team sent back: a document and/or the structured Appendix C content.

    With a virus scanner configured the document waits, withheld, as "being checked" until the
    scanner says it is clean; the return itself stands from the moment it is made
    (docs/decisions/0013-upload-scanning-and-abuse-limits.md)."""

    # The item whose advice this is now; NULL once an amendment supersedes it (superseded_item then).
    item = models.OneToOneField(
        AdviceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="advice_return"
    )
    superseded_item = models.ForeignKey(
        AdviceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="superseded_returns"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # 1 for the return itself, then one more for each amendment (advice.services.amendments).
    version = models.PositiveSmallIntegerField(default=1)
    amendment_reason = models.TextField(blank=True)
    description_of_needs = models.TextField(blank=True)
    provision_required = models.TextField(blank=True, help_text="What, who, how often")
    outcomes = models.TextField("The difference the provision should make", blank=True)
    how_often_seen = models.CharField(max_length=300, blank=True)
    seen_over_period = models.CharField("Over what period", max_length=300, blank=True)
    pfa_employment = models.TextField("Preparing for adulthood: employment", blank=True)
    pfa_independent_living = models.TextField("Preparing for adulthood: independent living", blank=True)
    pfa_community_inclusion = models.TextField("Preparing for adulthood: community inclusion", blank=True)
    pfa_health = models.TextField("Preparing for adulthood: health", blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The team lead who signed it off, where the team requires it (advice.services.sign_off).
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["scan_due_at", "id"], name="return_scan_due", condition=models.Q(scan_status="pending")
            ),
        ]
        constraints = [
            # Each version is either the item's advice now or superseded, never both nor neither.
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, superseded_item__isnull=True)
                | models.Q(item__isnull=True, superseded_item__isnull=False),
                name="advice_return_current_or_superseded",
            ),
            models.UniqueConstraint(fields=["superseded_item", "version"], name="advice_return_version_once"),
        ]

    @property
    def upload_case_id(self):
        return self.item.case_id

    @property
    def advice_item(self):
        return self.item if self.item_id else self.superseded_item

    @property
    def is_superseded(self):
        return self.item_id is None

    def documents(self) -> list:
        """Every document of the return, in order: its own (number 1) first, then the others.
        Prefetch `more_documents` when listing several returns."""
        own = [self] if self.document_name else []
        return own + list(self.more_documents.all())

    @property
    def number(self):
        return 1

    def missing_parts(self) -> list[str]:
        from .provision import missing_parts

        return missing_parts(self)

    @property
    def has_structured_content(self):
        return bool(self.description_of_needs or self.provision_required or self.outcomes)


# Defined in their own modules (this one is near its size limit), registered with the app from here.
from .discussion.models import CaseMessage, DiscussionReceipt, MessageAttachment, MessageMention  # noqa: E402, F401
from .documents import AdviceDocument  # noqa: E402, F401
from .drafts import DraftDocument, DraftStatus, ReturnDraft  # noqa: E402, F401
from .provision import OutcomeRow, ProvisionRow, ProvisionType  # noqa: E402, F401
from .quality.models import QualityCheck, QualityDecision, SendBackReason  # noqa: E402, F401
