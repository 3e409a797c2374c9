"""The quarterly non-return audit: advice requested in a period and what has become of it."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from advice.models import DelayReason, NotProvidedReason, QualityCheck, QualityDecision, SendBackReason, Stage
from assessments.models import ExceptionReason

from .outcomes import (
    EXCEPTED,
    LATE,
    NOT_PROVIDED,
    OUTSTANDING,
    WITHDRAWN,
    WITHIN,
    period_items,
    sent_back_late_q,
    sent_back_q,
)

LATE_STAGES = [
    (Stage.REQUESTED, "Returned late before a chase"),
    (Stage.CHASED, "Returned late after a chase"),
    (Stage.ESCALATION_1, "Returned late after escalation 1"),
    (Stage.ESCALATION_2, "Returned late after escalation 2"),
]

# The furthest stage an item reached. The dates are the sweep's record; the stage column is read
# too in case an item was moved on without its date.
STAGE_REACHED = Case(
    When(Q(escalation_2_on__isnull=False) | Q(stage=Stage.ESCALATION_2), then=Value(Stage.ESCALATION_2)),
    When(Q(escalation_1_on__isnull=False) | Q(stage=Stage.ESCALATION_1), then=Value(Stage.ESCALATION_1)),
    When(Q(chased_on__isnull=False) | Q(stage=Stage.CHASED), then=Value(Stage.CHASED)),
    default=Value(Stage.REQUESTED),
    output_field=CharField(),
)


def _audit_counts(today):
    counts = {
        "requested": Count("id"),
        "within": Count("id", filter=WITHIN),
        "late": Count("id", filter=LATE),
        "not_provided": Count("id", filter=NOT_PROVIDED),
        "outstanding": Count("id", filter=OUTSTANDING),
        "withdrawn": Count("id", filter=WITHDRAWN),
        "excepted": Count("id", filter=EXCEPTED),
        # Apart from the outcomes above, which measure the first return (advice.quality).
        "sent_back": Count("id", filter=sent_back_q()),
        "sent_back_late": Count("id", filter=sent_back_late_q(today)),
    }
    for stage, _label in LATE_STAGES:
        counts[f"late_{stage}"] = Count("id", filter=LATE & Q(stage_reached=stage))
    return counts


@dataclass
class AuditReport:
    start: datetime.date
    end: datetime.date
    totals: dict
    by_provider: list
    by_team: list
    not_provided_reasons: list  # (label, count)
    delay_reasons: list
    not_provided_items: list
    delayed_items: list
    exception_reasons: list = ()  # (label, count)
    excepted_items: list = ()
    # Each send-back's reasons (a send-back may give several), for the LA's training (issue 20).
    send_back_reasons: list = ()  # (label, count)


def non_return_audit(*, user, start, end, local_authority=None, provider=None, today=None) -> AuditReport:
    """Advice items requested (SPOC notified) in [start, end], and what has become of them so far."""
    today = today or timezone.localdate()
    items = period_items(user=user, start=start, end=end, local_authority=local_authority, provider=provider).annotate(
        stage_reached=STAGE_REACHED
    )
    counts = _audit_counts(today)
    totals = items.aggregate(**counts)
    by_provider = list(items.values("provider_id", name=F("provider__name")).annotate(**counts).order_by("name"))
    by_team = list(
        items.values("team_id", name=F("team__name"), provider_name=F("provider__name"))
        .annotate(**counts)
        .order_by("provider_name", "name")
    )
    not_provided_reasons = _reason_counts(items.filter(NOT_PROVIDED), "not_provided_reason", NotProvidedReason)
    delay_reasons = _reason_counts(items.exclude(delay_reason=""), "delay_reason", DelayReason)
    exception_reasons = _reason_counts(items.filter(EXCEPTED), "excepted_reason", ExceptionReason)
    listed = items.select_related("case__child", "provider", "team", "local_authority", "request")
    return AuditReport(
        start=start,
        end=end,
        totals=totals,
        by_provider=by_provider,
        by_team=by_team,
        not_provided_reasons=not_provided_reasons,
        delay_reasons=delay_reasons,
        not_provided_items=list(listed.filter(NOT_PROVIDED).order_by("not_provided_reason", "due_on", "id")),
        delayed_items=list(listed.exclude(delay_reason="").order_by("delay_reason", "due_on", "id")),
        exception_reasons=exception_reasons,
        send_back_reasons=send_back_reason_counts(items),
        excepted_items=list(listed.filter(EXCEPTED).order_by("excepted_reason", "due_on", "id")),
    )


def send_back_reason_counts(items):
    """How many send-backs of `items` gave each reason, every reason listed, in the list's order."""
    counted = Counter(
        reason
        for reasons in QualityCheck.objects.filter(
            item__in=items.values("pk"), decision=QualityDecision.SENT_BACK
        ).values_list("reasons", flat=True)
        for reason in reasons
    )
    return [(label, counted.get(value, 0)) for value, label in SendBackReason.choices]


def _reason_counts(items, column, choices):
    """Every category, in the order the choices define it, with zero where none were recorded."""
    counted = {row[column]: row["count"] for row in items.values(column).annotate(count=Count("id")).order_by()}
    rows = [(label, counted.pop(value, 0)) for value, label in choices.choices]
    unrecorded = sum(counted.values())
    if unrecorded:
        rows.append(("No reason recorded", unrecorded))
    return rows
