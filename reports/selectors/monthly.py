"""Figures by month, by service and by team (Torbay's slide): new health requests, known to services,
returned within the advice period."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth

from advice.models import AdviceItem, KnownStatus
from ehc.models import Service

from .outcomes import (
    EXCEPTED,
    NOT_PROVIDED,
    OUTSTANDING,
    RETURNED,
    WITHDRAWN,
    WITHIN,
    Median,
    days_between,
    period_items,
    period_requests,
    sent_back_late_q,
    sent_back_q,
    share,
)
from .periods import months_between

KNOWN = [KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_CLOSED]


def _item_figures(today):
    """Counts for the monthly report. A share's denominator is advice whose outcome is known or
    whose due date has passed: items not yet due do not count against anyone."""
    return {
        "items": Count("id", filter=~WITHDRAWN),
        "returned": Count("id", filter=RETURNED),
        "within": Count("id", filter=WITHIN),
        "decided": Count("id", filter=RETURNED | NOT_PROVIDED | (OUTSTANDING & Q(due_on__lt=today))),
        "median_days": Median(days_between("request__notified_on", "returned_on"), filter=RETURNED),
        # Counted in the figures above too: marked, not left out (decision 0017).
        "excepted": Count("id", filter=EXCEPTED & ~WITHDRAWN),
        # Shown apart from the figures above, which measure the first return (advice.quality).
        "sent_back": Count("id", filter=sent_back_q()),
        "sent_back_late": Count("id", filter=sent_back_late_q(today)),
    }


def _finish(row):
    row["share_within"] = share(row["within"], row["decided"])
    return row


@dataclass
class MonthlyReport:
    start: datetime.date
    end: datetime.date
    months: list  # dicts: month, requests, known, not_known, items, returned, within, decided, ...
    totals: dict
    by_service: list
    by_team: list


def monthly_figures(*, user, today, start, end, local_authority=None, provider=None) -> MonthlyReport:
    requests = period_requests(user=user, start=start, end=end, local_authority=local_authority, provider=provider)
    # A request is known to services if any team said the child is open to it or was within 12 months.
    known = Exists(AdviceItem.objects.filter(request_id=OuterRef("pk"), known_status__in=KNOWN))
    request_counts = {"requests": Count("id"), "known": Count("id", filter=known)}
    requests_by_month = {
        row["month"]: row
        for row in requests.annotate(month=TruncMonth("notified_on"))
        .values("month")
        .annotate(**request_counts)
        .order_by("month")
    }
    request_totals = requests.aggregate(**request_counts)

    items = period_items(user=user, start=start, end=end, local_authority=local_authority, provider=provider)
    figures = _item_figures(today)
    items_by_month = {
        row["month"]: row
        for row in items.annotate(month=TruncMonth("request__notified_on"))
        .values("month")
        .annotate(**figures)
        .order_by("month")
    }
    item_totals = items.aggregate(**figures)

    empty_items = {
        "items": 0,
        "returned": 0,
        "within": 0,
        "decided": 0,
        "median_days": None,
        "excepted": 0,
        "sent_back": 0,
        "sent_back_late": 0,
    }
    months = []
    for month in months_between(start, end):
        row = {"month": month, **requests_by_month.get(month, {"requests": 0, "known": 0})}
        row.update({key: value for key, value in items_by_month.get(month, empty_items).items() if key != "month"})
        row["not_known"] = row["requests"] - row["known"]
        months.append(_finish(row))
    totals = _finish({**request_totals, **item_totals})
    totals["not_known"] = totals["requests"] - totals["known"]

    service_labels = dict(Service.choices)
    by_service = [
        _finish({**row, "label": service_labels.get(row["service"], row["service"])})
        for row in items.values(service=F("team__service")).annotate(**figures).order_by("service")
    ]
    by_service.sort(key=lambda row: row["label"])
    by_team = [
        _finish(row)
        for row in items.values("team_id", name=F("team__name"), provider_name=F("provider__name"))
        .annotate(**figures)
        .order_by("provider_name", "name")
    ]
    return MonthlyReport(start=start, end=end, months=months, totals=totals, by_service=by_service, by_team=by_team)
