"""Open advice items with known dates, a frozen clock and the sweep's traces, for the tests of the
settings pages that move the items' next actions (closure days, timings)."""

import datetime

import time_machine

from advice.models import AdviceItem, Stage
from ehc.models import MessageKind, OutboundEmail
from escalation.models import Escalation, EscalationStage, StageChange
from tests.escalation.conftest import make_request

D = datetime.date
DAY = datetime.timedelta(days=1)


def frozen(day: datetime.date, hour=10):
    """The clock stopped at `hour` (UTC; the same in London in winter) on `day`."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False)


def due_on(world, due: datetime.date, **kwargs) -> AdviceItem:
    """One open item (stage REQUESTED, as the advice flow makes it) whose advice is due on `due`."""
    request = make_request(world, notified_on=due - datetime.timedelta(days=42), **kwargs)
    return request.items.get()


def reached(item, stage):
    """The days the sweep took `item` to `stage` (at most one: StageChange is unique per item and stage)."""
    return list(StageChange.objects.filter(item=item, stage=stage).values_list("on", flat=True))


def emails(kind, item) -> int:
    """How many emails of `kind` (a MessageKind) the outbox holds about the item's request, counting
    each recipient's copy of a letter once (they are keyed per recipient)."""
    keys = OutboundEmail.objects.filter(kind=kind, dedupe_key__regex=rf":request:{item.request_id}(:|$)")
    return len({key.split(f":request:{item.request_id}")[0] for key in keys.values_list("dedupe_key", flat=True)})


def issued(item, stage) -> list:
    """The days the escalations of `stage` (an EscalationStage) of the item's request were issued."""
    return list(Escalation.objects.filter(request_id=item.request_id, stage=stage).values_list("issued_on", flat=True))


def refreshed(item):
    item.refresh_from_db()
    return item


__all__ = [
    "DAY",
    "D",
    "EscalationStage",
    "MessageKind",
    "Stage",
    "issued",
    "due_on",
    "emails",
    "frozen",
    "reached",
    "refreshed",
]
