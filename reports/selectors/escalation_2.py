"""The DCO dashboard's "escalation 2" list: for each item whose escalation 2 fell due lately, which
happened: the DCO office resolved it first (a date agreed with the team, or agreement with the LA
that the advice is not needed), or nothing was recorded and the automatic notice went on the date.
One query, in the scope of the dashboard's other figures."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from escalation.models import ResolutionKind

from .owed import DASHBOARD_LIST_LIMIT
from .scope import scoped_items

# How far back the list looks: escalation 2 dates and resolutions of the last four weeks.
RECENT_DAYS = 28

AUTOMATIC = "notice"


@dataclass
class Escalation2Outcome:
    pk: int
    case_id: int
    reference: str
    provider_name: str
    team_name: str
    happened: str  # ResolutionKind value, or AUTOMATIC
    on: datetime.date  # the resolution's date, or the escalation 2 date
    agreed_on: datetime.date | None

    @property
    def label(self):
        if self.happened == ResolutionKind.AGREED_DATE:
            return f"Resolved by the DCO: date agreed with the team, {self.agreed_on:%-d %b %Y}"
        if self.happened == ResolutionKind.NOT_NEEDED:
            return "Resolved by the DCO: advice not needed, agreed with the LA"
        return "No resolution recorded: the automatic escalation 2 notice went"

    @property
    def resolved(self):
        return self.happened != AUTOMATIC


def escalation_2_outcomes(*, user, today, local_authority=None, provider=None) -> list[Escalation2Outcome]:
    """Most recent first, at most DASHBOARD_LIST_LIMIT + 1 rows (the caller shows whether there are more)."""
    since = today - datetime.timedelta(days=RECENT_DAYS)
    items = scoped_items(user, narrowed=provider is not None).filter(
        Q(escalation_2_on__gte=since) | Q(escalation_2_resolution__recorded_on__gte=since)
    )
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    rows = (
        items.annotate(
            happened_on=Coalesce("escalation_2_resolution__recorded_on", "escalation_2_on"),
            reference=F("case__reference"),
        )
        .order_by("-happened_on", "-id")
        .values_list(
            "pk",
            "case_id",
            "reference",
            "provider__name",
            "team__name",
            "escalation_2_resolution__kind",
            "happened_on",
            "escalation_2_resolution__agreed_on",
        )[: DASHBOARD_LIST_LIMIT + 1]
    )
    return [
        Escalation2Outcome(pk, case_id, reference, provider_name, team, kind or AUTOMATIC, on, agreed_on)
        for pk, case_id, reference, provider_name, team, kind, on, agreed_on in rows
    ]
