"""The dashboard's filtered list of outstanding advice, keyset-paginated, and its CSV export."""


from django.db.models import Q
from django.utils import timezone

from advice.exceptions import EXCEPTION_REASON_LABELS, excepted_on, excepted_reason
from ehc.pagination import Page, decode_cursor

from .overdue import outstanding_items

PAGE_SIZE = 50

SORTS = [
    ("due", "Most overdue first"),
    ("-due", "Latest due date first"),
]


def _decode_cursor(cursor):
    """'YYYY-MM-DD.id'. A cursor that does not parse (a bare id too) starts from the top rather than failing."""
    position = decode_cursor(cursor)
    return position if position and position[0] is not None else None


def _list_queryset(*, user, today, filters, sort):
    items = (
        outstanding_items(user=user, today=today, filters=filters)
        .select_related("case__child", "local_authority", "provider", "team", "request")
        .annotate(excepted_reason=excepted_reason(), clock_stopped=excepted_on(today))
    )
    if sort == "-due":
        return items.order_by("-due_on", "-id")
    return items.order_by("due_on", "id")


def item_page(*, user, today, filters, sort="due", cursor=None, page_size=PAGE_SIZE) -> Page:
    """One page of the filtered list, keyset-paginated on (due_on, id) like the partial indexes."""
    items = _list_queryset(user=user, today=today, filters=filters, sort=sort)
    position = _decode_cursor(cursor)
    if position:
        due, last_id = position
        if sort == "-due":
            items = items.filter(Q(due_on__lt=due) | Q(due_on=due, id__lt=last_id))
        else:
            items = items.filter(Q(due_on__gt=due) | Q(due_on=due, id__gt=last_id))
    rows = list(items[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = f"{rows[-1].due_on.isoformat()}.{rows[-1].id}"
    for row in rows:
        _decorate(row, today)
    return Page(rows=rows, next_cursor=next_cursor, has_previous=bool(position))


def item_export(*, user, today, filters, sort="due"):
    """Every row of the filtered list, streamed from a server-side cursor (one query)."""
    items = _list_queryset(user=user, today=today, filters=filters, sort=sort)
    for row in items.iterator(chunk_size=500):
        yield _decorate(row, today)


def _decorate(item, today):
    item.overdue_days = max(0, (today - item.due_on).days)
    item.excepted_label = EXCEPTION_REASON_LABELS.get(item.excepted_reason, "")
    item.last_action, item.last_action_on = last_action(item)
    return item


def last_action(item):
    """The most recent thing that happened to the item, from the dates already on the row."""
    request = item.request
    events = [("Requested", request.notified_on)]
    if request.acknowledged_at:
        events.append(("Acknowledged", timezone.localdate(request.acknowledged_at)))
    events += [
        ("Chased", item.chased_on),
        ("Escalation 1", item.escalation_1_on),
        ("Escalation 2", item.escalation_2_on),
    ]
    if item.head_of_service_responded_at:
        events.append(("Head of service answered", timezone.localdate(item.head_of_service_responded_at)))
    dated = [(on, index, label) for index, (label, on) in enumerate(events) if on is not None]
    on, _, label = max(dated)
    return label, on
