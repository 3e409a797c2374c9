import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from ehc.models import Organisation, OrganisationKind, TimeStamped

from . import timeline
from .children import Child

# Re-exported: the first migrations name the validators here.
from .identifiers import UPN_LETTERS, validate_nhs_number, validate_upn  # noqa: F401
from .reviews import AnnualReview, ReviewDecision, ReviewKind  # noqa: F401


class Requester(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    SETTING = "setting", "School, college or setting"


class CaseStatus(models.TextChoices):
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision to assess"
    ASSESSING = "assessing", "Assessing"
    DRAFT_PLAN = "draft_plan", "Draft plan sent"
    PLAN_ISSUED = "plan_issued", "Final plan issued"
    NOT_ASSESSING = "not_assessing", "Decision not to assess"
    NOT_ISSUING = "not_issuing", "Decided not to issue a plan"
    WITHDRAWN = "withdrawn", "Request withdrawn"
    MOVED_AWAY = "moved_away", "Moved away"


CLOSED_STATUSES = {
    CaseStatus.PLAN_ISSUED,
    CaseStatus.NOT_ASSESSING,
    CaseStatus.NOT_ISSUING,
    CaseStatus.WITHDRAWN,
    CaseStatus.MOVED_AWAY,
}
# Cases whose timers must stop: the LA will not use any further advice.
ENDED_EARLY_STATUSES = {CaseStatus.NOT_ASSESSING, CaseStatus.WITHDRAWN, CaseStatus.MOVED_AWAY}


class Case(TimeStamped):
    """A request for an EHC needs assessment for one child or young person."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.AWAITING_DECISION)

    # Who the request is for: their name, date of birth and identifiers live on the child's record,
    # shared by the child's other requests (assessments.children).
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")

    # The request
    requested_by = models.CharField(max_length=20, choices=Requester.choices)
    received_on = models.DateField("Date the request was received")
    family_views = models.TextField(blank=True)
    aspirations = models.TextField(blank=True)
    outcomes_employment = models.TextField("Outcomes sought: employment", blank=True)
    outcomes_independent_living = models.TextField("Outcomes sought: independent living", blank=True)
    outcomes_community_inclusion = models.TextField("Outcomes sought: community inclusion", blank=True)
    outcomes_health = models.TextField("Outcomes sought: health", blank=True)

    # Actual dates of each statutory step
    decision_on = models.DateField("Date the decision to assess was notified", null=True, blank=True)
    decided_to_assess = models.BooleanField(null=True, blank=True)
    not_issuing_on = models.DateField("Date of notice not to issue a plan", null=True, blank=True)
    draft_plan_sent_on = models.DateField(null=True, blank=True)
    final_plan_issued_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    # Denormalised for the caseload sort and keyset pagination: kept by `refresh_next_date()`.
    next_statutory_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["next_statutory_date", "updated_at"])

    class Meta:
        ordering = ["next_statutory_date", "id"]
        indexes = [
            # assessments.selectors.caseload: the LA's open cases by next deadline, keyset on (date, id).
            models.Index(fields=["local_authority", "next_statutory_date", "id"], name="case_la_next_date"),
            models.Index(fields=["case_officer", "next_statutory_date", "id"], name="case_officer_next_date"),
            models.Index(fields=["local_authority", "received_on"], name="case_la_received"),
            # reports.selectors.timeliness: decisions and final plans of an LA in a period.
            models.Index(fields=["local_authority", "decision_on"], name="case_la_decision"),
            models.Index(fields=["local_authority", "final_plan_issued_on"], name="case_la_final_plan"),
        ]
        permissions = [("share_case", "Share the case with someone outside its organisations")]

    def __str__(self):
        return f"{self.reference or 'new case'}: {self.child_name}"

    def clean(self):
        # Was a CHECK constraint while the date of birth was the case's own column.
        if self.child_id is not None and self.received_on and self.child.date_of_birth > self.received_on:
            raise ValidationError({"date_of_birth": "Date of birth must be before the date the request was received"})

    @property
    def child_name(self):
        return self.child.name

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    # The statutory dates
    @property
    def decision_due(self):
        return timeline.decision_due(self.received_on)

    @property
    def notice_not_to_issue_due(self):
        return timeline.notice_not_to_issue_due(self.received_on)

    @property
    def draft_plan_latest(self):
        return timeline.draft_plan_latest(self.received_on)

    @property
    def final_plan_due(self):
        return timeline.final_plan_due(self.received_on)

    @property
    def comment_period_ends(self):
        return timeline.comment_period_ends(self.draft_plan_sent_on) if self.draft_plan_sent_on else None

    def steps(self):
        """The statutory steps in order, each with its due date and what actually happened."""
        assessing = self.decided_to_assess is not False
        return [
            timeline.Step("request", "Request received", None, self.received_on),
            timeline.Step(
                "decision",
                "Decision whether to assess",
                self.decision_due,
                self.decision_on,
                outcome=(
                    ""
                    if self.decided_to_assess is None
                    else ("Decided to assess" if self.decided_to_assess else "Decided not to assess")
                ),
            ),
            timeline.Step(
                "not_issuing",
                "Notice that no plan will be issued (if so decided)",
                self.notice_not_to_issue_due,
                self.not_issuing_on,
                applies=assessing and self.not_issuing_on is not None,
            ),
            timeline.Step(
                "draft",
                "Draft plan sent (15 days for comments)",
                self.draft_plan_latest,
                self.draft_plan_sent_on,
                applies=assessing and self.status not in ENDED_EARLY_STATUSES | {CaseStatus.NOT_ISSUING},
            ),
            timeline.Step(
                "final",
                "Final plan issued",
                self.final_plan_due,
                self.final_plan_issued_on,
                applies=assessing and self.status not in ENDED_EARLY_STATUSES | {CaseStatus.NOT_ISSUING},
            ),
        ]

    def compute_next_statutory_date(self):
        if self.is_closed:
            return None
        if self.decision_on is None:
            return self.decision_due
        if self.draft_plan_sent_on is None:
            return self.draft_plan_latest
        return self.final_plan_due

    def refresh_next_date(self):
        self.next_statutory_date = self.compute_next_statutory_date()

    def save(self, *args, **kwargs):
        self.refresh_next_date()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"next_statutory_date"}
        super().save(*args, **kwargs)

    def rag(self, today: datetime.date):
        """The worst RAG of the applicable open steps."""
        order = [timeline.Rag.RED, timeline.Rag.AMBER, timeline.Rag.GREEN, timeline.Rag.DONE]
        rags = [step.rag(today) for step in self.steps() if step.applies and step.due]
        return min(rags, key=order.index) if rags else timeline.Rag.DONE


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


SHARE_DAYS = 90


class CaseShareQuerySet(models.QuerySet):
    def current(self):
        """Neither revoked nor expired, as of now: access reads this at request time (the clock of the
        request, not the database transaction's start)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class CaseShare(models.Model):
    """One case shared with one person of an organisation party to it or a partner of the LA
    (assessments.sharing), until it expires or is revoked. Rows are kept: they are the record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_shares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["user", "case"], name="case_share_user_case")]

    def __str__(self):
        return f"{self.case_id} shared with {self.user_id} until {self.expires_at:%Y-%m-%d}"


class ExceptionReason(models.TextChoices):
    SCHOOL_HOLIDAY = "school_holiday", "Advice asked of a school during a school holiday"
    PERSONAL_CIRCUMSTANCES = "personal", "Exceptional personal circumstances of the child or family"
    AWAY_FROM_AREA = "away", "Child or family away from the area for 4 weeks or more"
    MISSED_APPOINTMENT = "missed_appointment", "Missed appointment"


# A school holiday excepts a deadline of the LA's or a school's (reg 10(4)(a)), never a health advice
# giver's: reg 8(2) lists only the other three.
ADVICE_EXCEPTION_REASONS = (
    ExceptionReason.PERSONAL_CIRCUMSTANCES,
    ExceptionReason.AWAY_FROM_AREA,
    ExceptionReason.MISSED_APPOINTMENT,
)


class TimelineExceptionQuerySet(models.QuerySet):
    def running_on(self, day: datetime.date):
        """Exceptions in force on `day`: started, and not yet ended (no end date, or ending that day
        or later)."""
        return self.filter(starts_on__lte=day).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day))

    def for_advice(self):
        """The exceptions that can stop an advice item's clock (reg 8(2))."""
        return self.filter(reason__in=ADVICE_EXCEPTION_REASONS)


class TimelineException(TimeStamped):
    """An exception under reg. 10(4) for the case, and under reg. 8(2) for the health advice it covers:
    while it runs the deadline does not apply and nothing is chased; the case and its items still
    count in reports, marked excepted. `ends_on` is the last day it applies (inclusive); empty while
    the exception is still running.

    It covers every advice item of the case (`covers_all_advice`), or only the items chosen
    (advice.AdviceItem.timeline_exceptions, declared there so that this layer knows nothing of
    advice): one team's appointment missed, or the child in hospital for one assessment, stops that
    team's clock and no other's. How the covered items' dates move: escalation.exceptions and
    docs/decisions/0017-exceptions-stop-the-clock.md."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exceptions")
    reason = models.CharField(max_length=30, choices=ExceptionReason.choices)
    detail = models.TextField()
    agreed_by = models.CharField("Who agreed the exception", max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    covers_all_advice = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TimelineExceptionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="exception_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.get_reason_display()

    @property
    def is_running(self):
        return self.ends_on is None

    @property
    def applies_to_advice(self):
        return self.reason in ADVICE_EXCEPTION_REASONS

    def runs_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class DraftPlan(TimeStamped):
    """The health sections of the draft plan, shared with the teams that gave advice."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="draft_plan")
    sent_on = models.DateField()
    section_c = models.TextField("Section C: health needs")
    section_g = models.TextField("Section G: health provision")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    @property
    def comments_close_on(self):
        return timeline.comment_period_ends(self.sent_on)

    def comments_open(self, today):
        return today <= self.comments_close_on


class DraftComment(TimeStamped):
    draft_plan = models.ForeignKey(DraftPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("ehc.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=1, choices=[("C", "Section C"), ("G", "Section G")])
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["created_at", "id"]
