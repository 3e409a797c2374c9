"""Reads shared by the case pages: one query per list whatever its size."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditEvent

from .models import CLOSED_STATUSES, Case, TimelineException
from .timeline import AMBER_DAYS

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_previous: bool


def decode_cursor(cursor: str | None):
    """A cursor is 'YYYY-MM-DD.id' (open cases) or 'id' (closed cases). Bad cursors start from the top."""
    if not cursor:
        return None
    try:
        if "." in cursor:
            date_part, id_part = cursor.split(".", 1)
            return datetime.date.fromisoformat(date_part), int(id_part)
        return None, int(cursor)
    except ValueError:
        return None


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


def caseload(
    *, user, today: datetime.date, show="open", mine=False, rag="", q="", cursor=None, page_size=PAGE_SIZE
) -> Page:
    """The LA's own cases, sorted by next statutory date, keyset-paginated.

    The caseload is the LA's work list, so it is scoped by the LA foreign key alone (a case
    shared in from another LA opens from its link but is not another LA's work): that keeps
    the query on the (local_authority, next_statutory_date, id) index. The advice counts are
    correlated subqueries, so they are computed for the page's rows only, not for every case.
    """
    if user.organisation_id is None or not user.organisation.is_la:
        return Page(rows=[], next_cursor=None, has_previous=False)
    outstanding = AdviceItem.objects.filter(case_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING)
    cases = Case.objects.filter(local_authority_id=user.organisation_id).select_related(
        "case_officer", "local_authority"
    )
    cases = cases.annotate(
        outstanding_advice=_count(outstanding),
        overdue_advice=_count(outstanding.filter(due_on__lt=today)),
        has_exception=Exists(TimelineException.objects.filter(case_id=OuterRef("pk"))),
    )
    if mine:
        cases = cases.filter(case_officer=user)
    if q:
        q = q.strip()
        cases = cases.filter(
            Q(reference__iexact=q) | Q(first_name__istartswith=q) | Q(last_name__istartswith=q)
        )
    position = decode_cursor(cursor)
    if show == "closed":
        cases = cases.filter(status__in=CLOSED_STATUSES).order_by("-id")
        if position:
            cases = cases.filter(id__lt=position[1])
    else:
        cases = cases.exclude(status__in=CLOSED_STATUSES)
        if rag == "red":
            cases = cases.filter(next_statutory_date__lt=today)
        elif rag == "amber":
            cases = cases.filter(
                next_statutory_date__gte=today,
                next_statutory_date__lte=today + datetime.timedelta(days=AMBER_DAYS),
            )
        elif rag == "green":
            cases = cases.filter(next_statutory_date__gt=today + datetime.timedelta(days=AMBER_DAYS))
        cases = cases.order_by("next_statutory_date", "id")
        if position and position[0] is not None:
            date, last_id = position
            cases = cases.filter(
                Q(next_statutory_date__gt=date) | Q(next_statutory_date=date, id__gt=last_id)
            )
    rows = list(cases[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        next_cursor = (
            str(last.id) if show == "closed" else f"{last.next_statutory_date.isoformat()}.{last.id}"
        )
    return Page(rows=rows, next_cursor=next_cursor, has_previous=bool(position))


def case_audit_events(*, case, user, limit=100):
    """The case's audit trail as `user` may see it: health staff see their own organisation's events
    only, since another provider's events would reveal that provider's involvement."""
    events = AuditEvent.objects.filter(case=case)
    if user.organisation_id is None or user.organisation.is_provider:
        events = events.filter(organisation_id=user.organisation_id)
    return list(events.select_related("organisation").order_by("-at", "-id")[:limit])
