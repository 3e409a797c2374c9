"""Workflows of health advice: request, acknowledge, return, not provided, stop timers."""

import datetime

from django.db import transaction
from django.utils import timezone

from ehc.models import MessageKind

from .models import AdviceItem, ItemStatus

# Emails that only make sense while advice is outstanding: cancelled once nothing is.
TIMER_EMAIL_KINDS = [
    MessageKind.CHASE,
    MessageKind.ESCALATION_1,
    MessageKind.ESCALATION_1_OVERDUE,
    MessageKind.ESCALATION_2,
    MessageKind.HEAD_OF_SERVICE_OVERDUE,
]


def advice_timers_stop(*, request_ids):
    """Cancel unsent chase/escalation emails of requests that have no outstanding item left."""
    from ehc.outbox import emails_cancel_for_request

    still_open = set(
        AdviceItem.objects.filter(request_id__in=request_ids, status=ItemStatus.OUTSTANDING).values_list(
            "request_id", flat=True
        )
    )
    for request_id in set(request_ids) - still_open:
        emails_cancel_for_request(advice_request_id=request_id, kinds=TIMER_EMAIL_KINDS)


@transaction.atomic
def advice_items_cancel_for_case(*, case, on: datetime.date):
    """The case ended early (withdrawn, moved away, not assessing): every timer stops at once."""
    items = AdviceItem.objects.select_for_update().filter(case=case, status=ItemStatus.OUTSTANDING)
    request_ids = list(items.values_list("request_id", flat=True))
    items.update(status=ItemStatus.CANCELLED, next_action_on=None, closed_on=on, updated_at=timezone.now())
    advice_timers_stop(request_ids=request_ids)
