"""What every advice workflow shares: the refusal it raises, locking the case, stopping timers."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Case
from ehc.models import LocalAuthoritySettings, MessageKind
from ehc.text import possessive

from ..models import AdviceItem, ItemStatus

# Emails that only make sense while advice is outstanding: cancelled once nothing is.
TIMER_EMAIL_KINDS = [
    MessageKind.CHASE,
    MessageKind.ESCALATION_1,
    MessageKind.ESCALATION_1_OVERDUE,
    MessageKind.ESCALATION_2,
    MessageKind.HEAD_OF_SERVICE_OVERDUE,
]


class AdviceError(Exception):
    """A workflow refused. The message is shown to the person who asked, as a GOV.UK error."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class DraftGateClosed(AdviceError):
    """The draft plan cannot be recorded: these tracked items are still outstanding."""

    def __init__(self, items):
        names = ", ".join(f"{item.team.name} ({item.provider})" for item in items)
        super().__init__(f"Health advice is still outstanding from {names}")
        self.items = items


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


def _lock_outstanding(item) -> AdviceItem:
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("request", "team", "provider", "case__child")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.OUTSTANDING:
        raise AdviceError(f"{possessive(item.team.name)} advice is already {item.get_status_display().lower()}")
    return item


def _lock_case(case_id) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


def _path(name, *args):
    return reverse(name, args=args)


def _la_recipients(case):
    """The case officer, and LA business support in copy (or as the recipient if no officer is assigned)."""
    support = LocalAuthoritySettings.for_la(case.local_authority).business_support_email
    officer = case.case_officer.email if case.case_officer_id and case.case_officer.is_active else ""
    return ([officer], [support]) if officer else ([support], [])
