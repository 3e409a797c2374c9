"""A promised date that passes without the advice: the LA is told once (a sweep step).

A promised date comes from a head of service's outcome A or a date the DCO agreed with the team
before escalation 2. The item stays outstanding, overdue and on every list (a flag computed from
dates, escalation.selectors.item_flags); what the sweep adds is one notification to the AD
Education, business support and the case officer. The claim reads the partial index
item_promise_unnotified; `promise_passed_notified_on`, set to the promised date in the same
transaction, is the compare-and-set, and the notification's unique rows the last guard. A new
promised date sets it back to NULL (escalation.services, escalation.resolutions).
"""

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from advice.exceptions import not_excepted_on
from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditAction, AuditEvent, MessageKind
from ehc.notifications import la_event, notify

from ..sending import send_after_commit

PROMISES_BATCH = 1000
HEADLINE = "A promised date for health advice has passed"


def promises_passed(today):
    """Promised dates passed that the LA was not told of, but for items an exception covers today:
    their check waits until it ends (decision 0017)."""
    return AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING, promised_on__lt=today, promise_passed_notified_on__isnull=True
    ).filter(not_excepted_on(today))


def promises_passed_check(*, scope, today, report, limit=PROMISES_BATCH) -> int:
    """Tell each LA in `scope` ({LA id: LaRun}) once about each promised date passed. Returns how many
    items it claimed (a full chunk means there may be more)."""
    with transaction.atomic():
        items = list(
            promises_passed(today)
            .filter(local_authority_id__in=list(scope))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("case__case_officer")
            .only(
                "id",
                "local_authority_id",
                "request_id",
                "promised_on",
                "case__id",
                "case__reference",
                "case__local_authority_id",
                "case__case_officer__id",
                "case__case_officer__email",
                "case__case_officer__is_active",
            )
            .order_by("promised_on", "id")[:limit]
        )
        if not items:
            return 0
        events, audit = [], []
        now = timezone.now()
        for item in items:
            run = scope[item.local_authority_id]
            summary = f"The promised date {item.promised_on:%-d %b %Y} passed without the advice: the LA was told"
            events.append(
                la_event(
                    kind=MessageKind.PROMISE_PASSED,
                    event=f"promise_passed:item:{item.pk}:{item.promised_on.isoformat()}",
                    la_settings=run.rules.settings,
                    case=item.case,
                    path=reverse("assessments:case_detail", args=[item.case_id]),
                    headline=HEADLINE,
                    detail=f"Promised by {item.promised_on:%-d %B %Y}; still outstanding",
                    advice_request_id=item.request_id,
                )
            )
            audit.append(
                AuditEvent(
                    at=now,
                    action=AuditAction.STAGE,
                    case_id=item.case_id,
                    object_type="advice item",
                    object_id=str(item.pk),
                    summary=summary,
                )
            )
            report.note(run.la, f"item {item.pk}: {summary}")
        AdviceItem.objects.filter(pk__in=[item.pk for item in items]).update(
            promise_passed_notified_on=F("promised_on"), updated_at=now
        )
        AuditEvent.objects.bulk_create(audit)
        send_after_commit(email_ids=notify(events, defer_rendering=True, send=False))
        report.counts["promises"] += len(items)
        return len(items)
