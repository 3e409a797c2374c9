"""Annual reviews on time, by month (issue 21): reviews held by their due date, by the month they
were due; decisions notified within 4 weeks and amended plans issued within 12 weeks of the meeting,
by the month of the meeting (the periods: assessments.review_schedule, decision 0044).

A share is of the reviews that can be judged: a review whose due date (decision date, amended plan
date) has not yet passed and that has not yet happened is neither on time nor late, and is left out of
the share, as the work lists leave it out of "overdue" (reviews.selectors). A cancelled review (the
plan ended before it) is not counted. Two queries whatever the number of reviews."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from assessments.access import case_visibility_q
from assessments.models import AnnualReview, ReviewDecision
from assessments.review_schedule import AMENDED_PLAN_DAYS, DECISION_DAYS

from .outcomes import share
from .periods import months_between
from .scope import scope_la_ids

DUE_COLUMNS = ("due", "judged", "held_on_time", "held_late", "not_held")
MEETING_COLUMNS = (
    "held",
    "decisions_judged",
    "decisions_in_time",
    "amending",
    "amended_judged",
    "amended_in_time",
)


@dataclass
class ReviewTimelinessReport:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    months: list
    totals: dict


def reviews_in_scope(user):
    """The reviews of the LAs whose figures the user may see, of the cases they may see (the need-to-know
    rule included); a case shared in from another LA is that LA's to count."""
    return AnnualReview.objects.filter(
        case_visibility_q(user, prefix="case__"), local_authority_id__in=scope_la_ids(user), cancelled_reason=""
    )


def _days(days):
    return datetime.timedelta(days=days)


def review_timeliness(*, user, today, start, end, local_authority=None) -> ReviewTimelinessReport:
    reviews = reviews_in_scope(user)
    if local_authority is not None:
        reviews = reviews.filter(local_authority_id=local_authority.pk)
    # Held by the due date: `held_on_time`; the due date passed unheld: `not_held`.
    held_on_time = Q(held_on__lte=F("due_on"))
    by_due = (
        reviews.filter(due_on__gte=start, due_on__lte=end)
        .annotate(month=TruncMonth("due_on"))
        .values("month")
        .annotate(
            due=Count("id"),
            judged=Count("id", filter=Q(held_on__isnull=False) | Q(due_on__lt=today)),
            held_on_time=Count("id", filter=held_on_time),
            held_late=Count("id", filter=Q(held_on__gt=F("due_on"))),
            not_held=Count("id", filter=Q(held_on__isnull=True, due_on__lt=today)),
        )
    )
    decision_passed = Q(held_on__lt=today - _days(DECISION_DAYS))
    amending = Q(decision=ReviewDecision.AMEND)
    amended_passed = Q(held_on__lt=today - _days(AMENDED_PLAN_DAYS))
    by_meeting = (
        reviews.filter(held_on__gte=start, held_on__lte=end)
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(
            held=Count("id"),
            decisions_judged=Count("id", filter=Q(decision_notified_on__isnull=False) | decision_passed),
            decisions_in_time=Count("id", filter=Q(decision_notified_on__lte=F("held_on") + _days(DECISION_DAYS))),
            amending=Count("id", filter=amending),
            amended_judged=Count("id", filter=amending & (Q(amended_plan_issued_on__isnull=False) | amended_passed)),
            amended_in_time=Count(
                "id", filter=amending & Q(amended_plan_issued_on__lte=F("held_on") + _days(AMENDED_PLAN_DAYS))
            ),
        )
    )
    rows = {
        month: {"month": month, **dict.fromkeys(DUE_COLUMNS + MEETING_COLUMNS, 0)}
        for month in months_between(start, end)
    }
    for found in (*by_due, *by_meeting):
        month = found.pop("month")
        month = month.date() if isinstance(month, datetime.datetime) else month
        rows.setdefault(month, {"month": month, **dict.fromkeys(DUE_COLUMNS + MEETING_COLUMNS, 0)}).update(found)
    months = [_shares(rows[month]) for month in sorted(rows)]
    totals = _shares({name: sum(row[name] for row in months) for name in DUE_COLUMNS + MEETING_COLUMNS})
    return ReviewTimelinessReport(start=start, end=end, today=today, months=months, totals=totals)


def _shares(row):
    row["held_share"] = share(row["held_on_time"], row["judged"])
    row["decisions_share"] = share(row["decisions_in_time"], row["decisions_judged"])
    row["amended_share"] = share(row["amended_in_time"], row["amended_judged"])
    return row
