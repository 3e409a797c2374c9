"""Which advice items an exception covers, as SQL (assessments.TimelineException; the rule:
docs/decisions/0017-exceptions-stop-the-clock.md). One definition serves the sweep's claims, the
digests, the queues and the reports."""

import datetime

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from assessments.models import ADVICE_EXCEPTION_REASONS, ExceptionReason, TimelineException

from .models import AdviceItem

CHOSEN_ITEMS = AdviceItem.timeline_exceptions.through


def covering_exceptions(item_ref="pk", case_ref="case_id"):
    """The advice exceptions of an item's case that cover it (all its advice, or it chosen), for a
    subquery whose outer row is an AdviceItem (or, with other refs, anything naming one)."""
    chosen = Exists(
        CHOSEN_ITEMS.objects.filter(timelineexception_id=OuterRef("pk"), adviceitem_id=OuterRef(OuterRef(item_ref)))
    )
    return (
        TimelineException.objects.for_advice()
        .filter(case_id=OuterRef(case_ref))
        .filter(Q(covers_all_advice=True) | chosen)
    )


def excepted_on(day: datetime.date, *, item_ref="pk", case_ref="case_id") -> Exists:
    """True for an item an exception stops the clock of on `day`: no chase, escalation, overdue
    response, promised-date check or digest line for it that day."""
    return Exists(covering_exceptions(item_ref, case_ref).running_on(day))


def not_excepted_on(day: datetime.date, **refs) -> Q:
    return ~Q(excepted_on(day, **refs))


def exception_reason_latest(*, item_ref="pk", case_ref="case_id") -> Subquery:
    """The reason of the latest exception that has covered the item (ever: reports mark an item
    excepted even after its exception ended), or NULL."""
    return Subquery(covering_exceptions(item_ref, case_ref).order_by("-starts_on", "-id").values("reason")[:1])


def sql_not_excepted(item_alias: str, day_param: str) -> str:
    """The same test as `excepted_on` as raw SQL for the sweep's claim: `item_alias` names the advice
    item row, `day_param` the %(name)s of the day; %(advice_exception_reasons)s must be passed too
    (`sql_params`)."""
    exception = TimelineException._meta.db_table
    chosen = CHOSEN_ITEMS._meta.db_table
    return f"""NOT EXISTS (
        SELECT 1 FROM {exception} AS exception
        WHERE exception.case_id = {item_alias}.case_id
            AND exception.reason = ANY(%(advice_exception_reasons)s)
            AND exception.starts_on <= %({day_param})s
            AND (exception.ends_on IS NULL OR exception.ends_on >= %({day_param})s)
            AND (exception.covers_all_advice OR EXISTS (
                SELECT 1 FROM {chosen} AS chosen
                WHERE chosen.timelineexception_id = exception.id AND chosen.adviceitem_id = {item_alias}.id
            ))
    )"""


def sql_params() -> dict:
    return {"advice_exception_reasons": [str(reason) for reason in ADVICE_EXCEPTION_REASONS]}


def exceptions_covering(item, exceptions) -> list:
    """Of the case's `exceptions` (with `chosen_item_ids` set, see escalation.exceptions), those that
    cover `item`, in Python: for pages that already hold the rows."""
    return [
        exception
        for exception in exceptions
        if exception.applies_to_advice and (exception.covers_all_advice or item.pk in exception.chosen_item_ids)
    ]


def excepted_reason(*, item_ref="pk", case_ref="case_id"):
    """Why reports mark an item excepted (assessments.ExceptionReason values), NULL if never: the
    latest exception that has covered it, else the reg 8(2) reason recorded on the item itself (the
    older way, with no dates: its "exceptional personal circumstances" is the same category)."""
    recorded_on_item = Case(
        When(exception_reason="", then=Value(None)),
        When(exception_reason="exceptional", then=Value(str(ExceptionReason.PERSONAL_CIRCUMSTANCES))),
        default=F("exception_reason"),
        output_field=CharField(),
    )
    return Coalesce(exception_reason_latest(item_ref=item_ref, case_ref=case_ref), recorded_on_item)


EXCEPTION_REASON_LABELS = dict(ExceptionReason.choices)
