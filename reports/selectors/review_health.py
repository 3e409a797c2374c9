"""The DCO's health reports for annual reviews: requested, returned by their due date (a set time
before the meeting), late, not provided and outstanding, by provider, with the list behind each
number. A review's reports only (advice.querysets.for_reviews): the assessment's 6-week figures
never count them. The outcomes are reports.selectors.outcomes' own definitions, so "returned within
time" means the same here as in the audit: returned on or before the item's due date."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q

from advice.access import visible_advice_items

from .outcomes import LATE, NOT_PROVIDED, OUTSTANDING, WITHDRAWN, WITHIN

# The outcome of a report, as the page's figures and the list's ?outcome= name it.
OUTCOMES = [
    ("requested", "Requested", Q()),
    ("within", "Returned by the due date", WITHIN),
    ("late", "Returned late", LATE),
    ("not_provided", "Will not be provided", NOT_PROVIDED),
    ("outstanding", "Outstanding", OUTSTANDING),
]
OUTCOME_LABELS = {key: label for key, label, _ in OUTCOMES}
OUTCOME_Q = {key: q for key, _, q in OUTCOMES}


def overdue_q(today):
    """Still outstanding after its due date: late already, though not yet returned."""
    return OUTSTANDING & Q(due_on__lt=today)


def review_report_items(*, user, start, end, local_authority=None, provider=None):
    """The review reports the user may see whose due date falls in [start, end], teams the SPOC
    removed and reports cancelled left out."""
    items = visible_advice_items(user).for_reviews().filter(due_on__gte=start, due_on__lte=end).exclude(WITHDRAWN)
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    return items


@dataclass
class ReviewHealthReport:
    start: datetime.date
    end: datetime.date
    totals: dict
    by_provider: list  # dicts: provider_id, name, and a count per outcome and "overdue"


def review_health_figures(*, user, today, start, end, local_authority=None, provider=None) -> ReviewHealthReport:
    """The figures in two queries: the totals and one row per provider, latest first by lateness."""
    items = review_report_items(user=user, start=start, end=end, local_authority=local_authority, provider=provider)
    counts = {key: Count("id", filter=q) if q else Count("id") for key, _, q in OUTCOMES}
    counts["overdue"] = Count("id", filter=overdue_q(today))
    totals = items.aggregate(**counts)
    by_provider = list(
        items.values("provider_id", name=F("provider__name")).annotate(**counts).order_by("-late", "-overdue", "name")
    )
    return ReviewHealthReport(start=start, end=end, totals=totals, by_provider=by_provider)


def review_health_list(*, user, today, start, end, outcome, local_authority=None, provider=None):
    """The reports behind one number: every row the figure counts, oldest due date first."""
    items = review_report_items(user=user, start=start, end=end, local_authority=local_authority, provider=provider)
    q = overdue_q(today) if outcome == "overdue" else OUTCOME_Q.get(outcome, Q())
    return (
        items.filter(q)
        .select_related("case__child", "local_authority", "provider", "team", "review")
        .order_by("due_on", "id")
    )
