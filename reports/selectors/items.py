"""The dashboard's filtered list of outstanding advice, keyset-paginated, and its CSV export."""

from django.utils import timezone

from advice.exceptions import EXCEPTION_REASON_LABELS, excepted_on, excepted_reason
from ehc.pagination import Page
from ehc.sorting import SortKey, sort_read, sorted_page, sorted_queryset, text_key

from .overdue import outstanding_items

PAGE_SIZE = 50

# The columns the list sorts by (?sort=provider, ?sort=-due). Each is either the due date (the
# partial indexes' order) or a name on a row already filtered to one scope's outstanding advice.
SORT_KEYS = (
    SortKey("due", "due_on"),
    SortKey("requested", "request__notified_on"),
    text_key("reference", "case__reference", nullable=True),
    text_key("child", "case__child__last_name"),
    text_key("la", "local_authority__name"),
    text_key("provider", "provider__name"),
    text_key("team", "team__name"),
)
DEFAULT_SORT = "due"


def item_sort(value):
    """The list's Sort from the `sort` parameter; an unknown one is the default (most overdue first)."""
    return sort_read(value, SORT_KEYS, DEFAULT_SORT)


def _list_queryset(*, user, today, filters):
    return (
        outstanding_items(user=user, today=today, filters=filters)
        .select_related("case__child", "local_authority", "provider", "team", "request", "review")
        .annotate(excepted_reason=excepted_reason(), clock_stopped=excepted_on(today))
    )


def item_page(*, user, today, filters, sort=None, cursor=None, page_size=PAGE_SIZE) -> Page:
    """One page of the filtered list in the chosen order, keyset-paginated on (sort value, id)."""
    page = sorted_page(
        _list_queryset(user=user, today=today, filters=filters), sort or item_sort(None), cursor, page_size
    )
    for row in page.rows:
        _decorate(row, today)
    return page


def item_export(*, user, today, filters, sort=None, ids=None):
    """Every row of the filtered list, streamed from a server-side cursor (one query). With `ids`,
    only those of them (the rows a user ticked): an id outside the user's list is not there to find."""
    items = sorted_queryset(_list_queryset(user=user, today=today, filters=filters), sort or item_sort(None))
    if ids is not None:
        items = items.filter(id__in=ids)
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
