"""One quality decision on one version of a team's advice. Registered through `advice.models`, which
imports this module.

A version has at most one decision: accepted, or sent back. A send-back supersedes the version (as an
amendment does, advice.services.amendments) and puts the item back to outstanding with a new due date;
the next version the team returns is checked afresh."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class QualityDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    SENT_BACK = "sent_back", "Sent back"


class SendBackReason(models.TextChoices):
    PROVISION = "provision", "Provision not specified or quantified"
    OUTCOMES = "outcomes", "Outcomes not specific"
    CHILD_NOT_SEEN = "child_not_seen", "Child not seen or not known adequately"
    WRONG_CHILD = "wrong_child", "Wrong child"
    OTHER = "other", "Other"


_REASON_LABELS = dict(SendBackReason.choices)


class QualityCheck(models.Model):
    advice_return = models.OneToOneField("advice.AdviceReturn", on_delete=models.CASCADE, related_name="quality_check")
    # Copied from the return so the reports count checks through the item without the return's two links.
    item = models.ForeignKey("advice.AdviceItem", on_delete=models.CASCADE, related_name="quality_checks")
    decision = models.CharField(max_length=20, choices=QualityDecision.choices)
    reasons = ArrayField(models.CharField(max_length=20, choices=SendBackReason.choices), default=list, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    decided_on = models.DateField()
    # A send-back's new due date (the LA's working days from decided_on), and the day the team answered it.
    due_on = models.DateField(null=True, blank=True)
    back_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["item", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="accepted", due_on__isnull=True)
                | models.Q(decision="sent_back", due_on__isnull=False),
                name="quality_check_sent_back_has_due_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: advice item {self.item_id}"

    @property
    def is_sent_back(self):
        return self.decision == QualityDecision.SENT_BACK

    @property
    def reason_labels(self) -> list[str]:
        return [_REASON_LABELS[value] for value in self.reasons if value in _REASON_LABELS]

    def is_late(self, today) -> bool:
        """Not back by the new due date: back after it, or still not back after it."""
        if not self.is_sent_back:
            return False
        return (self.back_on or today) > self.due_on
