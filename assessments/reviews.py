"""The review of an issued EHC plan: one row per review, its meeting and the statutory steps after it.
The dates it must meet are `review_schedule`'s; the workflow is `reviews.services`
(docs/decisions/0044-annual-reviews.md)."""

import datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ehc.models import Organisation, TimeStamped

from . import review_schedule, timeline


class ReviewKind(models.TextChoices):
    ANNUAL = "annual", "Annual review"
    EARLY = "early", "Early review"


class ReviewDecision(models.TextChoices):
    MAINTAIN = "maintain", "Keep the plan as it is"
    AMEND = "amend", "Amend the plan"
    CEASE = "cease", "Cease to maintain the plan"


class AnnualReview(TimeStamped):
    """A review of the case's plan. `anchor_on` is the day its period started (the plan's issue or the
    previous review's meeting); `due_on` the last day for its meeting, by the LA's rules at scheduling.
    `closed_on` is set when nothing more is to happen: the decision to keep or cease notified, the
    amended plan issued, or the review cancelled."""

    case = models.ForeignKey("assessments.Case", on_delete=models.PROTECT, related_name="reviews")
    # Copied from the case so the LA's work lists and reports read this table alone.
    local_authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices, default=ReviewKind.ANNUAL)
    early_reason = models.TextField("Why the review is early", blank=True)
    anchor_on = models.DateField("Start of the review period")
    due_on = models.DateField("Review meeting due by")
    birthday_aligned = models.BooleanField(default=False)

    meeting_on = models.DateField("Date of the review meeting", null=True, blank=True)
    invitations_sent_on = models.DateField(null=True, blank=True)
    held_on = models.DateField("Date the meeting was held", null=True, blank=True)
    report_circulated_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    decision_notified_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    amended_plan_issued_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    # The four Preparing for Adulthood domains, at every review whatever the child's age (Torbay's ask).
    pfa_employment = models.TextField("Preparing for adulthood: employment", blank=True)
    pfa_independent_living = models.TextField("Preparing for adulthood: independent living", blank=True)
    pfa_community_inclusion = models.TextField("Preparing for adulthood: community inclusion", blank=True)
    pfa_health = models.TextField("Preparing for adulthood: good health", blank=True)
    # From year 9: how health will move the young person to adult services (continuing care, the adult team).
    adult_services_transition = models.TextField("Transition to adult health services", blank=True)

    # Who scheduled it; nobody for one the daily run scheduled (reviews.services.scheduling.reviews_schedule_missing).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(closed_on__isnull=True), name="review_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("anchor_on")), name="review_due_after_anchor"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="annual") | ~models.Q(early_reason=""), name="review_early_has_reason"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="") | models.Q(held_on__isnull=False), name="review_decision_after_meeting"
            ),
            models.CheckConstraint(
                condition=models.Q(amended_plan_issued_on__isnull=True) | models.Q(decision="amend"),
                name="review_amended_plan_only_when_amending",
            ),
        ]
        indexes = [
            # The LA's work lists: its open reviews by due date.
            models.Index(
                fields=["local_authority", "due_on", "id"],
                condition=models.Q(closed_on__isnull=True),
                name="review_la_open_due",
            ),
            # reports: reviews of an LA by the month of their meeting.
            models.Index(fields=["local_authority", "held_on"], name="review_la_held"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} due {self.due_on:%d %B %Y}"

    @property
    def is_open(self):
        return self.closed_on is None

    @property
    def meeting_date(self) -> datetime.date:
        """The meeting as held, else as planned, else the day it is due by: the day the dates after
        it count from."""
        return self.held_on or self.meeting_on or self.due_on

    def covers_preparing_for_adulthood(self, date_of_birth: datetime.date) -> bool:
        return review_schedule.covers_preparing_for_adulthood(date_of_birth, self.meeting_date)

    @property
    def held_on_time(self) -> bool | None:
        return None if self.held_on is None else self.held_on <= self.due_on

    @property
    def report_due_on(self):
        return review_schedule.report_due(self.held_on) if self.held_on else None

    @property
    def decision_due_on(self):
        return review_schedule.decision_due(self.held_on) if self.held_on else None

    @property
    def amended_plan_due_on(self):
        if self.decision != ReviewDecision.AMEND or self.held_on is None:
            return None
        return review_schedule.amended_plan_due(self.held_on)

    def steps(self, *, invitations_due_on=None):
        """The review's statutory steps in order, each with its due date and what happened, as the
        case page's timeline shows them. `invitations_due_on` comes from the LA's notice setting."""
        return [
            timeline.Step("meeting", "Review meeting held", self.due_on, self.held_on),
            timeline.Step(
                "invitations",
                "Invitations and requests for advice sent",
                invitations_due_on,
                self.invitations_sent_on,
                applies=self.meeting_on is not None or self.invitations_sent_on is not None,
            ),
            timeline.Step(
                "report",
                "Review report circulated",
                self.report_due_on,
                self.report_circulated_on,
                applies=self.held_on is not None,
            ),
            timeline.Step(
                "decision",
                "Decision notified",
                self.decision_due_on,
                self.decision_notified_on,
                outcome=self.get_decision_display() if self.decision else "",
                applies=self.held_on is not None,
            ),
            timeline.Step(
                "amended_plan",
                "Amended plan issued",
                self.amended_plan_due_on,
                self.amended_plan_issued_on,
                applies=self.decision == ReviewDecision.AMEND,
            ),
        ]
