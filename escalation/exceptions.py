"""Exceptions stop the clock: recording, changing and ending an exception, and the dates it moves
(docs/decisions/0017-exceptions-stop-the-clock.md).

While an exception covers an advice item the sweep, the response-window check, the promised-date
check and the digests leave the item alone (advice.exceptions, in their SQL). Its dates are data:
each change to an exception re-derives the covered items' `due_on` and `next_action_on` here, so
that when the exception ends the sweep finds the item's next action on its moved date with nothing
more to do. The original due date stays on the request (`AdviceRequest.due_on`, which every item
shares when asked).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from advice.exceptions import exceptions_covering
from advice.models import AdviceItem, AdviceRequest, ItemStatus, QualityDecision, Stage
from assessments.exception_days import excepted_days, moved_on
from assessments.models import TimelineException
from ehc.audit import audit_record
from ehc.models import AuditAction

from .rules import TimerRules

STAGE_ACTION_LABELS = {
    Stage.CHASED: "Chase",
    Stage.ESCALATION_1: "Escalation 1",
    Stage.ESCALATION_2: "Escalation 2",
}


@dataclass(frozen=True)
class MovedDates:
    """One item's dates with and without its exceptions."""

    original_due_on: datetime.date
    due_on: datetime.date
    excepted_days: int
    next_stage: str | None
    original_next_on: datetime.date | None
    next_on: datetime.date | None

    @property
    def moved(self):
        return self.due_on != self.original_due_on or self.next_on != self.original_next_on

    @property
    def next_label(self):
        return STAGE_ACTION_LABELS.get(self.next_stage, "")


def moved_dates(*, rules: TimerRules, stage, asked_on, original_due_on, escalation_1_on, periods, today) -> MovedDates:
    """The rule (decision 0017): each date moves on by the excepted days on or before it, counted
    from the day the team was asked (assessments.exception_days.moved_on), then the working-day rules
    put it on a working day. The due date moves so; the chase is the working day after the moved due
    date; escalation 1 is the moved "due + 14 days"; escalation 2 the moved "letter + 14 days",
    counting only the days from the letter on. A running exception counts up to `today`."""

    def moved(day, since=asked_on):
        return moved_on(day, periods, since=since, until=today)

    settings = rules.settings
    due_on = moved(original_due_on)
    escalation_1 = rules.calendar.on_or_after(
        moved(original_due_on + datetime.timedelta(days=settings.escalation_1_after_due_days))
    )
    if stage == Stage.REQUESTED:
        chase = rules.chase_on(due_on)
        action = (Stage.CHASED, chase) if chase <= escalation_1 else (Stage.ESCALATION_1, escalation_1)
    elif stage == Stage.CHASED:
        action = (Stage.ESCALATION_1, escalation_1)
    elif stage == Stage.ESCALATION_1 and escalation_1_on is not None:
        offset = datetime.timedelta(days=settings.escalation_2_after_escalation_1_days)
        action = (Stage.ESCALATION_2, rules.calendar.on_or_after(moved(escalation_1_on + offset, escalation_1_on)))
    else:
        action = (None, None)
    original = rules.next_action(stage=stage, due_on=original_due_on, escalation_1_on=escalation_1_on)
    return MovedDates(
        original_due_on=original_due_on,
        due_on=due_on,
        excepted_days=excepted_days(periods, since=asked_on, until=today),
        next_stage=action[0],
        original_next_on=original.on if original else None,
        next_on=action[1],
    )


def today():
    return timezone.localdate()


def _periods(exceptions):
    return [(exception.starts_on, exception.ends_on) for exception in exceptions]


def case_exceptions(case) -> list[TimelineException]:
    """The case's exceptions, each with `chosen_item_ids` (the items it covers when it does not cover
    all the case's advice)."""
    return case_exceptions_for([case.pk]).get(case.pk, [])


def case_exceptions_for(case_ids) -> dict[int, list[TimelineException]]:
    """`case_exceptions` of many cases in two queries: {case id: its exceptions}."""
    case_ids = list(case_ids)
    exceptions = list(TimelineException.objects.filter(case_id__in=case_ids).select_related("recorded_by"))
    chosen = {}
    through = AdviceItem.timeline_exceptions.through
    for exception_id, item_id in through.objects.filter(timelineexception__case_id__in=case_ids).values_list(
        "timelineexception_id", "adviceitem_id"
    ):
        chosen.setdefault(exception_id, set()).add(item_id)
    by_case = {}
    for exception in exceptions:
        exception.chosen_item_ids = chosen.get(exception.pk, set())
        by_case.setdefault(exception.case_id, []).append(exception)
    return by_case


def item_moved_dates(item, *, exceptions, rules, today) -> tuple[MovedDates, list]:
    """An item's dates under the exceptions covering it (`item.request` is read: select_related it)."""
    covering = exceptions_covering(item, exceptions)
    periods = _periods(covering)
    if not item.is_outstanding:
        # Closed (returned, not provided): its clock ran until then, and no exception moves it after.
        # closed_on first: advice returned again after a send-back keeps its first return in returned_on.
        today = item.closed_on or item.returned_on or today
        periods = [(start, today if end is None else min(end, today)) for start, end in periods if start <= today]
    original_due_on, asked_on = _clock_start(item)
    dates = moved_dates(
        rules=rules,
        stage=item.stage,
        asked_on=asked_on,
        original_due_on=original_due_on,
        escalation_1_on=item.escalation_1_on,
        periods=periods,
        today=today,
    )
    return dates, covering


def _clock_start(item) -> tuple[datetime.date, datetime.date]:
    """The due date an item's clock runs to before any exception, and the day it started: the
    request's; for advice the LA sent back (advice.quality) the latest send-back's new due date and its
    day, so that rescheduling never puts the first due date back (a query for such items only)."""
    if item.first_due_on is not None:
        sent_back = (
            item.quality_checks.filter(decision=QualityDecision.SENT_BACK).order_by("-decided_at", "-id").first()
        )
        if sent_back is not None:
            return sent_back.due_on, sent_back.decided_on
    return item.request.due_on, item.outstanding_since


def items_reschedule(*, case, today=None, item_ids=None) -> int:
    """Re-derive the moved dates of the case's items (or of `item_ids` among them) and store them:
    due date and next action of the outstanding ones, the due date of the answered ones (reports
    count them within time against it). Locks the case's requests first, as the sweep's claim does,
    so the two never move the same item at once. Returns how many items changed."""
    today = today or timezone.localdate()
    list(AdviceRequest.objects.select_for_update().filter(case=case).order_by("pk").values_list("pk"))
    items = (
        AdviceItem.objects.select_for_update(of=("self",))
        .filter(case=case)
        .exclude(status__in=[ItemStatus.REMOVED, ItemStatus.CANCELLED])
    )
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    items = list(items.select_related("request").order_by("pk"))
    if not items:
        return 0
    rules = TimerRules.for_la(case.local_authority)
    exceptions = case_exceptions(case)
    changed = []
    for item in items:
        dates, _ = item_moved_dates(item, exceptions=exceptions, rules=rules, today=today)
        # NULL means the sweep has nothing more to do (closed, escalation 2 reached, or resolved): it
        # stays so.
        next_action_on = dates.next_on if item.next_action_on is not None else None
        if (item.due_on, item.next_action_on) != (dates.due_on, next_action_on):
            item.due_on, item.next_action_on = dates.due_on, next_action_on
            changed.append(item)
    AdviceItem.objects.bulk_update(changed, ["due_on", "next_action_on"])
    return len(changed)


def _scope_summary(exception, items):
    if not exception.applies_to_advice:
        return "the case's statutory deadlines (no health advice: reg 8(2) excepts no school holiday)"
    if exception.covers_all_advice:
        return "all the case's advice"
    return ", ".join(sorted(item.team.name for item in items)) or "no advice"


def _dates_summary(exception):
    ends = f"{exception.ends_on:%-d %b %Y}" if exception.ends_on else "still running"
    return f"from {exception.starts_on:%-d %b %Y}, {ends}"


@transaction.atomic
def exception_record(
    *, case, user, reason, detail, agreed_by, starts_on, ends_on=None, covers_all_advice=True, items=()
) -> TimelineException:
    exception = TimelineException.objects.create(
        case=case,
        reason=reason,
        detail=detail,
        agreed_by=agreed_by,
        starts_on=starts_on,
        ends_on=ends_on,
        covers_all_advice=covers_all_advice,
        recorded_by=user,
    )
    items = [] if covers_all_advice else list(items)
    exception.advice_items.set(items)
    items_reschedule(case=case)
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=exception,
        summary=f"Recorded exception: {exception.get_reason_display()}, agreed by {agreed_by}, "
        f"{_dates_summary(exception)}, covering {_scope_summary(exception, items)}",
    )
    return exception


@transaction.atomic
def exception_change(
    *, exception, user, reason, detail, agreed_by, starts_on, ends_on=None, covers_all_advice=True, items=()
) -> TimelineException:
    exception = TimelineException.objects.select_for_update().get(pk=exception.pk)
    exception.reason, exception.detail, exception.agreed_by = reason, detail, agreed_by
    exception.starts_on, exception.ends_on, exception.covers_all_advice = starts_on, ends_on, covers_all_advice
    exception.save()
    items = [] if covers_all_advice else list(items)
    exception.advice_items.set(items)
    items_reschedule(case=exception.case)
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=exception.case,
        obj=exception,
        summary=f"Changed exception: {exception.get_reason_display()}, agreed by {agreed_by}, "
        f"{_dates_summary(exception)}, covering {_scope_summary(exception, items)}",
    )
    return exception


@transaction.atomic
def exception_end(*, exception, user, ends_on) -> TimelineException:
    exception = TimelineException.objects.select_for_update().get(pk=exception.pk)
    exception.ends_on = ends_on
    exception.save(update_fields=["ends_on", "updated_at"])
    items_reschedule(case=exception.case)
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=exception.case,
        obj=exception,
        summary=f"Ended exception ({exception.get_reason_display()}) on {ends_on:%-d %b %Y}",
    )
    return exception


# The case page


@dataclass
class ExceptionShown:
    exception: TimelineException
    covers: str
    running: bool
    items: list


@dataclass
class ItemShown:
    item: AdviceItem
    dates: MovedDates
    exceptions: list
    paused: bool


def case_exceptions_panel(*, exceptions, items, rules: TimerRules, today) -> dict:
    """What the case page shows of the exceptions: each with what it covers and whether it runs
    today; each covered item with its original and moved dates and the exceptions that moved them.
    Reads nothing: `exceptions` carry `chosen_item_ids`, `items` their request."""
    shown_items = []
    for item in items:
        covering = exceptions_covering(item, exceptions)
        if not covering:
            continue
        dates, _ = item_moved_dates(item, exceptions=exceptions, rules=rules, today=today)
        paused = item.is_outstanding and any(exception.runs_on(today) for exception in covering)
        shown_items.append(ItemShown(item=item, dates=dates, exceptions=covering, paused=paused))
    shown = []
    for exception in exceptions:
        covered = [row.item for row in shown_items if exception in row.exceptions]
        if not exception.applies_to_advice:
            covers = "The case's own deadlines: a school holiday is no exception for health advice"
        elif exception.covers_all_advice:
            covers = "All the health advice of the case"
        else:
            covers = "Only: " + (", ".join(item.team.name for item in covered) or "advice no longer on the case")
        shown.append(
            ExceptionShown(exception=exception, covers=covers, running=exception.runs_on(today), items=covered)
        )
    return {"exceptions": shown, "items": shown_items}
