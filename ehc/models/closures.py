"""Closure days: the working-day calendar's local exceptions (ehc.workdays reads them)."""

from django.db import models

from .organisations import Organisation, OrganisationKind


class ClosureDay(models.Model):
    """A day an LA is closed on top of the bank holidays, or a one-off bank holiday."""

    local_authority = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="closure_days",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["local_authority", "date"], name="closure_day_unique")]

    def __str__(self):
        return f"{self.date:%d %b %Y}: {self.reason}"
